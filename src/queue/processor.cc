#include "queue/processor.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <thread>

#include "core/log_text.h"
#include "core/mail_id.h"
#include "core/tracking_token.h"
#include "render/message.h"
#include "render/system_fields.h"

namespace campaignd::queue {

struct Processor::Judged {
  store::Client client;
  store::Mailing mailing;
  store::RecipientList list;
  FieldValues fields;
  std::vector<render::Attachment> attachments;
  std::string confirmation_url;  // confirmation mailings: of the opt-in process, or ""
  bool tracking_opt_out = false;  // the recipient's (createtrackingoptout): nothing tracked
};

Processor::Processor(store::Directory& directory, store::Recipients& recipients,
                     store::Coordination& coordination, const Clock& clock,
                     ProcessorOptions options, TransportOpener opener,
                     store::Attachments* attachments)
    : directory_(directory), recipients_(recipients), coordination_(coordination), clock_(clock),
      options_(std::move(options)), opener_(std::move(opener)),
      attachments_(attachments) {}

void Processor::WaitForRate(const std::string& key, double per_second) {
  if (per_second <= 0) return;
  // Windows count whole messages per second; a fractional rate below 1
  // still allows one message per second.
  const int limit = std::max(1, static_cast<int>(per_second));
  for (;;) {
    auto wait = coordination_.AcquireRate(key, limit, clock_.Now());
    if (!wait.ok()) {
      // Without the shared counter the limit cannot be kept: wait a window.
      spdlog::warn("rate window {}: {}", key, wait.status().ToString());
      std::this_thread::sleep_for(std::chrono::seconds(1));
      continue;
    }
    if (wait->count() == 0) return;
    std::this_thread::sleep_for(*wait);
  }
}

Result<store::Outcome> Processor::Process(const store::Mail& mail,
                                          const std::function<void()>& before_attempt) {
  TimePoint now = clock_.Now();
  auto judged = Judge(mail, now);
  if (!judged.ok()) return judged.status();
  if (auto* final_outcome = std::get_if<store::Outcome>(&*judged)) return *final_outcome;
  Judged& j = std::get<Judged>(*judged);
  auto files = LoadAttachments(mail, now);
  if (!files.ok()) return files.status();
  if (!files->has_value()) {
    return Final(mail, MailStatus::kVetoed, "attachments expired or removed before sending", now);
  }
  j.attachments = std::move(**files);
  return Deliver(mail, j, now, before_attempt);
}

Result<std::variant<store::Outcome, Processor::Judged>> Processor::Judge(const store::Mail& mail,
                                                                         TimePoint now) {
  using Verdict = std::variant<store::Outcome, Judged>;
  auto final_as = [&](MailStatus s, std::string why) -> Verdict { return Final(mail, s, why, now); };
  Judged j;
  auto client = directory_.FindClient(mail.client_id);
  if (!client.ok()) return client.status();
  if (!client->has_value()) return final_as(MailStatus::kCouldNotBeSent, "client no longer exists");
  j.client = std::move(**client);
  auto mailing = directory_.FindMailing(mail.client_id, mail.mailing_id);
  if (!mailing.ok()) return mailing.status();
  if (!mailing->has_value() || (*mailing)->status != store::MailingStatus::kSending) {
    return final_as(MailStatus::kWrongMailingStatus, "mailing is not SENDING");
  }
  j.mailing = std::move(**mailing);
  auto list = directory_.FindList(mail.client_id, mail.list_id);
  if (!list.ok()) return list.status();
  if (!list->has_value()) return final_as(MailStatus::kNotFound, "recipient list no longer exists");
  j.list = std::move(**list);
  if (!mail.fields.empty() || j.list.kind == store::ListKind::kTransaction) {
    j.fields = mail.fields;  // a transaction mail carries its own record
    if (j.mailing.tracking != store::Tracking::kNone) {  // its opt-out is the list's
      auto recipient = directory_.FindRecipient(mail.client_id, mail.list_id, mail.recipient_id);
      if (!recipient.ok()) return recipient.status();
      j.tracking_opt_out = recipient->has_value() && (*recipient)->tracking_opt_out;
    }
  } else {
    auto recipient = directory_.FindRecipient(mail.client_id, mail.list_id, mail.recipient_id);
    if (!recipient.ok()) return recipient.status();
    const bool confirmation = j.mailing.type == store::MailingType::kConfirmation;
    if (!recipient->has_value() ||
        ((*recipient)->state == store::RecipientState::kPending && !confirmation)) {
      return final_as(MailStatus::kNotFound, "recipient is not in the list");
    }
    j.fields = std::move((*recipient)->fields);
    j.tracking_opt_out = (*recipient)->tracking_opt_out;
    if (confirmation) {
      auto url = ConfirmationUrl(mail);
      if (!url.ok()) return url.status();
      j.confirmation_url = std::move(*url);
    }
  }
  auto sup = directory_.CheckSuppression(mail.client_id, mail.list_id, mail.recipient_id);
  if (!sup.ok()) return sup.status();
  if (sup->blocked) return final_as(MailStatus::kBlacklisted, "recipient is blocklisted");
  if (sup->unsubscribed) return final_as(MailStatus::kUnsubscribed, "recipient unsubscribed");
  if (sup->hard_bounces >= j.client.bounce_limit) {
    return final_as(MailStatus::kTooManyBounces,
                    std::to_string(sup->hard_bounces) + " hard bounces reach the limit of " +
                        std::to_string(j.client.bounce_limit));
  }
  auto group = TargetGroupOf(j.mailing.target_group);
  if (!group.ok()) {
    return final_as(MailStatus::kCouldNotBeSent, "target group: " + group.status().message());
  }
  if (!(*group)->Matches(j.fields)) {
    return final_as(MailStatus::kFiltered, "outside the target group of the mailing");
  }
  return Verdict{std::move(j)};
}

store::Outcome Processor::Deliver(const store::Mail& mail, Judged& j, TimePoint now,
                                  const std::function<void()>& before_attempt) {
  const std::string mail_id = MailId::Make(mail.client_id, mail.id, j.client.mail_id_secret)
                                  .ToString();
  render::MessageInput in;
  // The templates, fields and files are moved, not copied: `j` is this mail's alone.
  in.from = std::move(j.mailing.from);
  in.reply_to = std::move(j.mailing.reply_to);
  in.subject = std::move(j.mailing.subject);
  in.text = std::move(j.mailing.text);
  in.html = std::move(j.mailing.html);
  in.to = mail.recipient_id;
  in.fields = std::move(j.fields);
  in.fields.erase(std::string(store::kAttachmentsField));
  in.attachments = std::move(j.attachments);
  const render::SystemFieldsInput system{
      .mail_id = mail_id,
      .recipient_id = mail.recipient_id,
      .mailing_id = mail.mailing_id,
      .public_url = options_.public_url,
      .confirmation = j.mailing.type == store::MailingType::kConfirmation,
      .confirmation_url = j.confirmation_url};
  render::SetSystemFields(system, in.fields);
  for (const store::FieldDef& f : j.list.fields) in.field_types[LowerAscii(f.name)] = f.type;
  in.mail_id = mail_id;
  in.list_unsubscribe_url = render::UnsubscribeUrl(system);
  in.list_unsubscribe_mailto = options_.unsubscribe_mailto;
  in.feedback_id = std::to_string(mail.mailing_id) + ":" + std::to_string(mail.list_id) + ":" +
                   std::to_string(mail.client_id) + ":campaignd";
  in.date = now;
  if (!j.tracking_opt_out && !options_.public_url.empty()) {
    in.tracking.links = store::TracksClicks(j.mailing.tracking);
    in.tracking.pixel = store::TracksOpens(j.mailing.tracking);
    if (in.tracking.links || in.tracking.pixel) {
      in.tracking.public_url = options_.public_url;
      in.tracking.key = DeriveTrackingKey(j.client.mail_id_secret);
      in.tracking.client_id = mail.client_id;
      in.tracking.mail_seq = mail.id;
      in.tracking.mailing_id = mail.mailing_id;
    }
  }
  auto message = render::RenderMessage(in);
  if (!message.ok()) {
    return Final(mail, MailStatus::kCouldNotBeSent, "cannot render: " + message.status().message(),
                 now);
  }

  std::string signed_bytes;
  signed_bytes.reserve(message->bytes.size() + 1024);  // the signature fields, then the mail
  auto keys = directory_.FindDkimKeys(mail.client_id);
  std::vector<std::string> problems;
  if (keys.ok()) {
    for (const auto& signer : signers_.SignersFor(*keys, message->from_domain, &problems)) {
      auto header = signer->Sign(message->bytes, message->dkim_body_hash, now);
      if (header.ok()) signed_bytes += *header;
      else problems.push_back(header.status().ToString());
    }
  } else {
    problems.push_back(keys.status().ToString());
  }
  for (const std::string& p : problems) spdlog::warn("mail {}: DKIM: {}", mail_id, LogText(p));
  signed_bytes += message->bytes;

  deliver::DeliveryResult result;
  TimePoint attempt_started_at = now;
  auto transport = TransportOf(j.client.transport);
  if (!transport.ok()) {
    result = {deliver::DeliveryKind::kTemporaryFailure, 0,
              "transport: " + transport.status().message()};
  } else {
    WaitForRate("client:" + std::to_string(mail.client_id), j.client.rate_limit);
    WaitForRate("relay:" + (*transport)->Describe(), (*transport)->RatePerSecond());
    if (before_attempt) before_attempt();
    attempt_started_at = clock_.Now();
    result = (*transport)->Deliver({message->envelope_from, message->envelope_to, mail_id},
                                   signed_bytes);
  }
  store::Outcome o = DecideDelivery(mail, result, clock_.Now(), options_.retry);
  o.attempt_started_at = attempt_started_at;
  spdlog::info("delivery mail={} client={} mailing={} to=<{}> relay={} attempt={} status={} "
               "reply=\"{}\" delay={}ms",
               mail_id, mail.client_id, mail.mailing_id, LogText(message->envelope_to),
               transport.ok() ? (*transport)->Describe() : "-", mail.attempts + 1,
               MailStatusName(o.status), LogText(o.reply),
               std::chrono::duration_cast<std::chrono::milliseconds>(now - mail.created_at).count());
  return o;
}

Result<std::string> Processor::ConfirmationUrl(const store::Mail& mail) {
  auto recipient = recipients_.FindRecipient(mail.client_id, mail.list_id, mail.recipient_id);
  if (!recipient.ok()) return recipient.status();
  if (!recipient->has_value() || (*recipient)->optin_id == 0) return std::string();
  auto process = recipients_.FindOptIn(mail.client_id, (*recipient)->optin_id);
  if (!process.ok()) return process.status();
  return process->has_value() ? (*process)->confirmation_url : std::string();
}


Result<std::optional<std::vector<render::Attachment>>> Processor::LoadAttachments(
    const store::Mail& mail, TimePoint now) {
  using Loaded = std::optional<std::vector<render::Attachment>>;
  auto key = mail.fields.find(std::string(store::kAttachmentsField));
  if (key == mail.fields.end()) return Loaded(std::vector<render::Attachment>());
  if (attachments_ == nullptr) return Loaded();
  auto files = attachments_->FindUpload(mail.client_id, key->second, now);
  if (!files.ok()) return files.status();
  if (!files->has_value()) return Loaded();
  std::vector<render::Attachment> out;
  for (store::AttachmentFile& f : **files) {
    out.push_back({std::move(f.file_name), std::move(f.content_type), std::move(f.data)});
  }
  return Loaded(std::move(out));
}

Result<std::shared_ptr<const TargetGroup>> Processor::TargetGroupOf(const std::string& expression) {
  std::lock_guard lock(mu_);
  auto it = target_groups_.find(expression);
  if (it != target_groups_.end()) return it->second;
  auto parsed = TargetGroup::Parse(expression);
  if (!parsed.ok()) return parsed.status();
  auto group = std::make_shared<const TargetGroup>(std::move(parsed).value());
  target_groups_.emplace(expression, group);
  return group;
}

Result<std::shared_ptr<deliver::Transport>> Processor::TransportForClient(int64_t client_id) {
  auto client = directory_.FindClient(client_id);
  if (!client.ok()) return client.status();
  if (!client->has_value()) return std::shared_ptr<deliver::Transport>();
  auto transport = TransportOf((*client)->transport);
  if (!transport.ok()) return std::shared_ptr<deliver::Transport>();
  return *transport;
}

Result<std::shared_ptr<deliver::Transport>> Processor::TransportOf(const std::string& url) {
  std::lock_guard lock(mu_);
  auto it = transports_.find(url);
  if (it != transports_.end()) return it->second;
  auto opened = opener_(url, options_.transport);
  if (!opened.ok()) return opened.status();
  std::shared_ptr<deliver::Transport> transport = std::move(opened).value();
  transports_.emplace(url, transport);
  return transport;
}

}  // namespace campaignd::queue
