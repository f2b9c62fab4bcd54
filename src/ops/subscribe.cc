#include "ops/subscribe.h"

#include <algorithm>
#include <charconv>

#include "core/limits.h"
#include "ops/field_input.h"
#include "ops/recipient_op.h"
#include "ops/request_values.h"

namespace campaignd::ops {
namespace {

// Everything one subscribe decided before its transaction.
struct Request {
  explicit Request(const Context& c) : ctx(c) {}

  const Context& ctx;
  int64_t list_id = 0;
  std::string id;  // the normalised address
  FieldValues fields;
  std::optional<store::OptInProcess> process;
  std::chrono::seconds frequency_limit{0};
  // The caller's source sent its quota of confirmation mails in this window.
  bool source_throttled = false;
  std::optional<std::string> source;
  bool overwrite = false;
  bool fail_on_unsubscribe = false;
  TimePoint now;
};

// Double opt-in sends the confirmation link, confirmed opt-in a notice.
bool SendsMail(const store::OptInProcess& p) { return p.kind != store::OptInKind::kSingle; }

// bmOptinFrequencyLimit: whole minutes, 0 .. 2147483647; nullopt if not.
std::optional<std::chrono::minutes> ParseMinutes(std::string_view text) {
  int32_t minutes = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), minutes);
  if (text.empty() || ec != std::errc() || p != text.data() + text.size() || minutes < 0) {
    return std::nullopt;
  }
  return std::chrono::minutes(minutes);
}

// The transaction of one subscribe; `reply` and `enqueued` are its results.
class SubscribeTxn {
 public:
  explicit SubscribeTxn(const Request& req) : req_(req) {}

  Status Run(store::RecipientWrites& w) {
    auto sup = w.CheckSuppression(req_.list_id, req_.id);
    if (!sup.ok()) return sup.status();
    if (sup->blocked) return Answer(Reply::Failure(Token::kBlacklisted));
    if (sup->hard_bounces >= req_.ctx.caller.client.bounce_limit) {
      return Answer(Reply::Failure(Token::kTooManyBounces));
    }
    auto existing = w.Find(req_.list_id, req_.id);
    if (!existing.ok()) return existing.status();
    if (sup->unsubscribed) {
      if (req_.fail_on_unsubscribe) return Answer(Reply::Failure(Token::kUnsubscribed));
      // Subscribing again reactivates (client-wide and in this list).
      auto removed = w.RemoveUnsubscribe(req_.id);
      if (!removed.ok()) return removed.status();
      return Start(w, Merged(*existing), Reply::Success(Token::kOk));
    }
    if (!existing->has_value()) return Start(w, Merged(*existing), Reply::Success(Token::kOk));
    const store::Recipient& old = **existing;
    if (old.state == store::RecipientState::kPending) return Pending(w, old);
    if (!req_.overwrite) return Answer(Reply::Failure(Token::kDuplicate));
    store::Recipient updated = Merged(old);
    if (req_.source) updated.optin_source = *req_.source;
    CAMPAIGND_RETURN_IF_ERROR(w.Put(updated));
    return Answer(VerboseOk(req_.ctx, "update"));
  }

  Reply reply = Reply::Failure(Token::kSystemError);
  bool enqueued = false;

 private:
  Status Answer(Reply r) {
    reply = std::move(r);
    return Status::Ok();
  }

  // The stored record (or a new one) with the request's field values.
  store::Recipient Merged(const std::optional<store::Recipient>& old) const {
    store::Recipient fresh;
    fresh.list_id = req_.list_id;
    fresh.id = req_.id;
    store::Recipient r = old.value_or(std::move(fresh));
    for (const auto& [name, value] : req_.fields) r.fields[name] = value;
    r.state = store::RecipientState::kActive;
    return r;
  }

  // A pending recipient: the mail service's subscribe confirms it (the
  // {bmOptInUrl} link); a form subscribe with a double opt-in restarts the
  // process; anything else leaves it pending (double opt-in has priority).
  Status Pending(store::RecipientWrites& w, const store::Recipient& old) {
    if (req_.ctx.caller.service == auth::Service::kMail) {
      store::Recipient confirmed = old;
      confirmed.state = store::RecipientState::kActive;
      CAMPAIGND_RETURN_IF_ERROR(w.Put(confirmed));
      CAMPAIGND_RETURN_IF_ERROR(w.RecordOptIn(confirmed, store::OptInKind::kDouble, req_.now));
      return Answer(Reply::Success(Token::kOk));
    }
    if (req_.process && req_.process->kind == store::OptInKind::kDouble) {
      return Start(w, Merged(old), Reply::Success(Token::kOk));
    }
    if (!req_.overwrite) return Answer(Reply::Failure(Token::kDuplicate));
    store::Recipient updated = Merged(old);
    updated.state = store::RecipientState::kPending;
    CAMPAIGND_RETURN_IF_ERROR(w.Put(updated));
    return Answer(VerboseOk(req_.ctx, "update"));
  }

  // Stores `r` as the opt-in process (if any) says and sends its mail.
  Status Start(store::RecipientWrites& w, store::Recipient r, Reply answer) {
    if (req_.source) r.optin_source = *req_.source;
    bool send = false;
    if (req_.process) {
      const store::OptInProcess& p = *req_.process;
      // One mail per address per frequency limit, for both kinds that send
      // one (double: the confirmation link; confirmed: the notice).
      const bool address_throttled = SendsMail(p) && r.optin_at.time_since_epoch().count() != 0 &&
                                     req_.now - r.optin_at < req_.frequency_limit;
      const bool throttled = address_throttled || req_.source_throttled;
      r.optin_id = p.id;
      if (!throttled) r.optin_at = req_.now;
      if (p.kind == store::OptInKind::kDouble) r.state = store::RecipientState::kPending;
      send = SendsMail(p) && !throttled;
    }
    CAMPAIGND_RETURN_IF_ERROR(w.Put(r));
    // A double opt-in's event comes with the confirmation (Pending).
    if (req_.process && req_.process->kind != store::OptInKind::kDouble) {
      CAMPAIGND_RETURN_IF_ERROR(w.RecordOptIn(r, req_.process->kind, req_.now));
    }
    if (send) {
      const store::Client& client = req_.ctx.caller.client;
      auto mail =
          w.Enqueue({client.id, req_.list_id, req_.process->mailing_id, req_.id, {}, req_.now});
      if (!mail.ok()) return mail.status();
      enqueued = true;
    }
    return Answer(std::move(answer));
  }

  const Request& req_;
};

// The opt-in process named by bmOptInId: nullopt without one; syntax_error
// for a malformed or unknown ID.
Result<std::variant<std::optional<store::OptInProcess>, Reply>> ProcessOf(const Context& ctx) {
  using Found = std::variant<std::optional<store::OptInProcess>, Reply>;
  auto text = ctx.params.Get("bmOptInId");
  if (!text.has_value() || text->empty()) return Found{std::nullopt};
  auto id = ParseId(*text);
  if (!id) return Found{Reply::Failure(Token::kSyntaxError)};
  auto process = ctx.deps.recipients.FindOptIn(ctx.caller.client.id, *id);
  if (!process.ok()) return process.status();
  if (!process->has_value()) return Found{Reply::Failure(Token::kSyntaxError)};
  return Found{std::move(*process)};
}

// Counts one opt-in that may send a mail against the caller's source (client
// and IPv4 address or IPv6 /64) in the current window; false when the
// source had its optin_source_limit already. Counted before the
// transaction, so a request that ends as duplicate counts too.
Result<bool> CountSource(const Context& ctx, TimePoint now) {
  if (ctx.deps.coordination == nullptr) {
    return Status::Internal("subscribe: no coordination store wired (ops::Deps)");
  }
  const Settings& s = ctx.deps.settings;
  const std::string key = "optin:" + std::to_string(ctx.caller.client.id) + ":" + ctx.caller.source;
  return ctx.deps.coordination->CountInWindow(key, s.optin_source_limit, s.optin_source_window,
                                              now);
}

}  // namespace

Result<Reply> Subscribe(const Context& ctx) {
  auto recipient = RequestRecipient(ctx);
  if (auto* reply = std::get_if<Reply>(&recipient)) return *reply;
  auto target = TargetList(ctx);
  if (!target.ok()) return target.status();
  if (auto* reply = std::get_if<Reply>(&*target)) return *reply;
  const store::RecipientList& list = std::get<store::RecipientList>(*target);

  Request req(ctx);
  req.list_id = list.id;
  req.id = std::get<Address>(recipient).str();
  auto process = ProcessOf(ctx);
  if (!process.ok()) return process.status();
  if (auto* reply = std::get_if<Reply>(&*process)) return *reply;
  req.process = std::get<0>(*process);
  // The caller may only tighten the server's limit, never lift it.
  req.frequency_limit = ctx.deps.settings.optin_frequency_limit;
  if (auto limit = ctx.params.Get("bmOptinFrequencyLimit"); limit && !limit->empty()) {
    auto minutes = ParseMinutes(*limit);
    if (!minutes) return Reply::Failure(Token::kSyntaxError);
    req.frequency_limit = std::max<std::chrono::seconds>(req.frequency_limit, *minutes);
  }
  auto changes = FieldChanges(ctx.params, list, /*allow_modifiers=*/false, /*sanitize=*/false);
  if (!changes.ok()) return Reply::Failure(Token::kSyntaxError);
  if (!ApplyFieldChanges(*changes, list, req.fields).ok()) {
    return Reply::Failure(Token::kSyntaxError);
  }
  if (auto source = ctx.params.Get("bmOptinSource"); source && !source->empty()) {
    req.source = std::string(*source);
  }
  req.overwrite = ctx.params.GetBool("bmOverwrite");
  req.fail_on_unsubscribe = ctx.params.GetBool("bmFailOnUnsubscribe");
  req.now = ctx.deps.clock.Now();
  if (req.process && SendsMail(*req.process)) {
    auto counted = CountSource(ctx, req.now);
    if (!counted.ok()) return counted.status();
    req.source_throttled = !*counted;
  }

  SubscribeTxn tx(req);
  Status written = ctx.deps.recipients.Write(ctx.caller.client.id, {req.id},
                                             [&](store::RecipientWrites& w) { return tx.Run(w); });
  if (!written.ok()) return written;
  if (tx.enqueued) ctx.deps.notifier.Notify();
  return tx.reply;
}

}  // namespace campaignd::ops
