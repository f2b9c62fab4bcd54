#include "ops/online_version.h"

#include <algorithm>

#include "core/mail_id.h"
#include "ops/online_page.h"
#include "ops/request_values.h"

namespace campaignd::ops {
namespace {

// What the page is rendered from.
struct Subject {
  store::RecipientList list;
  FieldValues fields;
  std::optional<store::Mail> mail;  // the mail shown, when there is one
};

using Found = std::variant<Subject, Reply>;

// The mail a mail-service request names, or the recipient's newest mail
// (any status) on a transaction list; nullopt when there is none.
Result<std::optional<store::Mail>> RecipientMail(const Context& ctx, const Address& address) {
  const int64_t client_id = ctx.caller.client.id;
  if (ctx.caller.mail) return ctx.deps.queue.FindMail(client_id, ctx.caller.mail->mail_id);
  return ctx.deps.mailing_lookup->LatestMail(client_id, ctx.caller.list_id, address.str(),
                                             std::nullopt);
}

// The list, the recipient's values and (mail service, transaction lists)
// the mail they come from.
Result<Found> FindSubject(const Context& ctx, const Address& address) {
  const int64_t client_id = ctx.caller.client.id;
  auto list = ctx.deps.directory.FindList(client_id, ctx.caller.list_id);
  if (!list.ok()) return list.status();
  if (!list->has_value()) return Found(Reply::WrongTag(505));
  Subject s{**list, {}, std::nullopt};
  if (s.list.kind == store::ListKind::kTransaction || ctx.caller.mail) {
    auto mail = RecipientMail(ctx, address);
    if (!mail.ok()) return mail.status();
    s.mail = std::move(*mail);
  }
  if (s.list.kind == store::ListKind::kTransaction) {
    if (!s.mail) return Found(Reply::Failure(Token::kNotFound));
    s.fields = s.mail->fields;
    return Found(std::move(s));
  }
  auto recipient = ctx.deps.directory.FindRecipient(client_id, ctx.caller.list_id, address.str());
  if (!recipient.ok()) return recipient.status();
  if (!recipient->has_value() || (*recipient)->state == store::RecipientState::kPending) {
    return Found(Reply::Failure(Token::kNotFound));
  }
  s.fields = (*recipient)->fields;
  return Found(std::move(s));
}

// The ID of the mailing to show, or the reply (not_found, wrong_tag: 505).
Result<std::variant<int64_t, Reply>> ChooseMailing(const Context& ctx, const Address& address,
                                                   Subject& s) {
  using Choice = std::variant<int64_t, Reply>;
  const int64_t client_id = ctx.caller.client.id;
  if (ctx.params.Has("bmMailingId")) {
    auto id = ParseId(*ctx.params.Get("bmMailingId"));
    if (!id) return Choice(Reply::Failure(Token::kNotFound));
    return Choice(*id);
  }
  if (ctx.params.Has("bmPattern")) {
    auto names = ctx.deps.mailing_lookup->ListMailings(client_id, ctx.caller.list_id);
    if (!names.ok()) return names.status();
    const std::string_view pattern = *ctx.params.Get("bmPattern");
    for (auto it = names->rbegin(); it != names->rend(); ++it) {
      if (MatchesPattern(pattern, it->name)) return Choice(it->id);
    }
    return Choice(Reply::Failure(Token::kNotFound));
  }
  if (ctx.caller.mail) return Choice(ctx.caller.mail->mailing_id);
  auto sent = ctx.deps.mailing_lookup->LatestMail(client_id, ctx.caller.list_id, address.str(),
                                                  MailStatus::kSent);
  if (!sent.ok()) return sent.status();
  if (!sent->has_value()) return Choice(Reply::Failure(Token::kNotFound));
  if (s.list.kind == store::ListKind::kTransaction) s.fields = (*sent)->fields;
  s.mail = std::move(*sent);
  return Choice((*s.mail).mailing_id);
}

}  // namespace

Result<Reply> OnlineVersion(const Context& ctx) {
  if (ctx.deps.mailing_lookup == nullptr) return Status::Internal("no mailing lookup wired");
  auto recipient = RequestRecipient(ctx);
  if (auto* reply = std::get_if<Reply>(&recipient)) return *reply;
  const Address& address = std::get<Address>(recipient);
  auto subject = FindSubject(ctx, address);
  if (!subject.ok()) return subject.status();
  if (auto* reply = std::get_if<Reply>(&*subject)) return *reply;
  Subject& s = std::get<Subject>(*subject);

  auto choice = ChooseMailing(ctx, address, s);
  if (!choice.ok()) return choice.status();
  if (auto* reply = std::get_if<Reply>(&*choice)) return *reply;
  const store::Client& client = ctx.caller.client;
  auto mailing = ctx.deps.directory.FindMailing(client.id, std::get<int64_t>(*choice));
  if (!mailing.ok()) return mailing.status();
  if (!mailing->has_value()) return Reply::Failure(Token::kNotFound);
  const store::Mailing& m = **mailing;
  if (std::find(m.list_ids.begin(), m.list_ids.end(), ctx.caller.list_id) == m.list_ids.end()) {
    return Reply::WrongTag(505);
  }

  const std::string mail_id =
      s.mail ? MailId::Make(client.id, s.mail->id, client.mail_id_secret).ToString() : "";
  // A page larger than the mail may be is the system_error of a mail that
  // cannot be rendered (it was could_not_be_sent); the log line says why.
  Result<std::string> page =
      RenderOnlinePage({m, s.list, s.fields, address.str(), mail_id, ctx.deps.settings.public_url});
  if (!page.ok()) return page.status();
  return Reply::Page(std::move(*page));
}

}  // namespace campaignd::ops
