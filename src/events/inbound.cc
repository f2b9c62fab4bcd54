// Inbound bounces and complaints: attribution and the one write (inbound.h).
#include "events/inbound.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <istream>
#include <nlohmann/json.hpp>
#include <optional>
#include <ostream>
#include <vector>

#include "core/fields.h"
#include "core/limits.h"
#include "core/log_text.h"
#include "core/mail_id.h"
#include "core/verp.h"
#include "events/report.h"
#include "store/sql/events.h"
#include "store/sql/queue.h"
#include "store/sql/records.h"

namespace campaignd::events {
namespace {

// The clients an envelope recipient lets own the message, and the mail ID
// of a VERP recipient (verified).
struct Scope {
  std::vector<int64_t> clients;
  bool any = false;  // no recipient given: any client with bounce settings
  std::optional<MailId> envelope_mail_id;
  bool Allows(const store::Client& client) const {
    if (any) return !store::ComplaintAddressOf(client).empty();
    return std::find(clients.begin(), clients.end(), client.id) != clients.end();
  }
};

// The client whose bounce domain `verp` is at and whose secret its MAC
// verifies under; nullopt when there is none.
Result<std::optional<store::Client>> VerpClient(store::Directory& directory,
                                                const VerpAddress& verp) {
  auto client = directory.FindClient(verp.mail_id.client_id());
  if (!client.ok()) return client.status();
  if (!client->has_value()) return std::optional<store::Client>();
  const store::Client& c = **client;
  if (c.bounce_domain.empty() || c.bounce_domain != verp.domain ||
      !verp.mail_id.Verify(c.mail_id_secret)) {
    return std::optional<store::Client>();
  }
  return *client;
}

Result<std::vector<store::Client>> ComplaintClients(store::SqlRunner& runner,
                                                    std::string_view address) {
  store::StatementSession session(runner);
  return store::records::ClientsByComplaintAddress(session, LowerAscii(address));
}

// The entry of a DSN that is about `address` (Final- or Original-Recipient),
// else the first that reports a failure or delay; nullptr when none does.
const RecipientReport* EntryFor(const InboundReport& report, std::string_view address) {
  const RecipientReport* first = nullptr;
  for (const RecipientReport& r : report.recipients) {
    if (r.category == BounceCategory::kNone) continue;
    if (LowerAscii(r.final_recipient) == address || LowerAscii(r.original_recipient) == address) {
      return &r;
    }
    if (first == nullptr) first = &r;
  }
  return first;
}

// The bounce event's data (events.md §1: status, diagnostic, reportingMta;
// category is Append's, from Event::hard).
std::string BounceData(const InboundReport& report, const RecipientReport& entry, int soft_in_row) {
  nlohmann::json data = {{"status", entry.status},
                         {"diagnostic", entry.diagnostic},
                         {"reportingMta", report.reporting_mta},
                         {"format", report.format}};
  if (!entry.remote_mta.empty()) data["remoteMta"] = entry.remote_mta;
  if (soft_in_row > 0) data["softBouncesInRow"] = soft_in_row;
  return data.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace

std::string_view InboundOutcomeName(InboundOutcome outcome) {
  switch (outcome) {
    case InboundOutcome::kRecorded:
      return "recorded";
    case InboundOutcome::kIgnored:
      return "ignored";
    case InboundOutcome::kUnattributed:
      return "unattributed";
  }
  return "unattributed";
}

Result<bool> Inbound::Accepts(std::string_view address) {
  if (Result<VerpAddress> verp = ParseVerpAddress(address); verp.ok()) {
    auto client = VerpClient(directory_, *verp);
    if (!client.ok()) return client.status();
    return client->has_value();
  }
  auto clients = ComplaintClients(runner_, address);
  if (!clients.ok()) return clients.status();
  return !clients->empty();
}

Result<InboundResult> Inbound::Process(std::string_view message,
                                       std::span<const std::string> recipients) {
  Result<InboundReport> parsed = ParseReport(message);
  if (!parsed.ok()) return parsed.status();
  const InboundReport& report = *parsed;
  InboundResult result;
  auto finish = [&]() -> Result<InboundResult> {
    counts_[static_cast<int>(result.outcome)].fetch_add(1);
    spdlog::info("inbound {} kind={} format={} rcpt=<{}> {}", InboundOutcomeName(result.outcome),
                 ReportKindName(report.kind), LogText(report.format),
                 LogText(recipients.empty() ? std::string_view() : recipients.front()),
                 LogText(result.what));
    return result;
  };

  if (report.kind == ReportKind::kAutoReply) {
    result = {InboundOutcome::kIgnored, "auto-reply (" + report.format + ")", ""};
    return finish();
  }
  if (report.kind == ReportKind::kUnknown) {
    result = {InboundOutcome::kIgnored,
              report.feedback_type.empty() ? "neither a bounce nor a complaint"
                                           : "feedback type " + report.feedback_type,
              ""};
    return finish();
  }

  // A report about a report: campaignd never sends one, so whatever the
  // envelope says, there is no mail of ours to attribute it to (and no loop:
  // nothing is ever sent back).
  if (report.returned_is_report) {
    result.what = "a bounce of a bounce";
    return finish();
  }

  // Who may own it: the envelope recipients.
  Scope scope;
  scope.any = recipients.empty();
  for (const std::string& rcpt : recipients) {
    if (Result<VerpAddress> verp = ParseVerpAddress(rcpt); verp.ok()) {
      auto client = VerpClient(directory_, *verp);
      if (!client.ok()) return client.status();
      if (client->has_value()) {
        scope.clients.push_back((*client)->id);
        if (!scope.envelope_mail_id) scope.envelope_mail_id = verp->mail_id;
      }
      continue;
    }
    auto clients = ComplaintClients(runner_, rcpt);
    if (!clients.ok()) return clients.status();
    for (const store::Client& c : *clients) scope.clients.push_back(c.id);
  }
  if (!scope.any && scope.clients.empty()) {
    result.what = "recipient is no VERP address of a bounce domain nor a complaint address";
    return finish();
  }

  // Which mail: the envelope's VERP mail ID, then the report's candidates.
  std::vector<MailId> candidates;
  if (scope.envelope_mail_id) candidates.push_back(*scope.envelope_mail_id);
  for (const MailIdCandidate& c : report.mail_ids) candidates.push_back(c.mail_id);
  std::optional<std::pair<MailId, store::Client>> owner;
  for (const MailId& id : candidates) {
    auto client = directory_.FindClient(id.client_id());
    if (!client.ok()) return client.status();
    if (!client->has_value() || !scope.Allows(**client)) continue;
    if (!id.Verify((*client)->mail_id_secret)) continue;
    owner.emplace(id, std::move(**client));
    break;
  }
  if (!owner) {
    result.what = candidates.empty() ? "no mail ID in the message"
                                     : "no mail ID of this recipient's client verifies";
    return finish();
  }
  const MailId& mail_id = owner->first;
  const store::Client& client = owner->second;

  const TimePoint now = clock_.Now();
  Status written = runner_.Write([&](store::SqlSession& session) -> Status {
    result = InboundResult{};  // a retried transaction starts again
    auto mail = store::FindMail(session, client.id, mail_id.sequence());
    if (!mail.ok()) return mail.status();
    if (!mail->has_value()) {
      result = {InboundOutcome::kUnattributed, "mail " + mail_id.ToString() + " not found", ""};
      return Status::Ok();
    }
    const store::Mail& m = **mail;
    const std::string address = LowerAscii(m.recipient_id);
    // As the recipient operations: writes about one address run one after
    // the other (the soft-bounce count reads what the last one wrote).
    CAMPAIGND_RETURN_IF_ERROR(session.LockKey(std::to_string(client.id) + ":" + address));
    store::events::Event event;
    event.client_id = client.id;
    event.at = now;
    event.mail_seq = m.id;
    event.mailing_id = m.mailing_id;
    event.list_id = m.list_id;
    event.recipient_id = m.recipient_id;
    event.address = address;
    result.mail_id = mail_id.ToString();

    if (report.kind == ReportKind::kDsn) {
      const RecipientReport* entry = EntryFor(report, address);
      if (entry == nullptr) {
        result = {InboundOutcome::kIgnored, "a DSN that reports no failure", ""};
        return Status::Ok();
      }
      bool hard = entry->category == BounceCategory::kHard;
      int soft_in_row = 0;
      if (!hard) {
        auto in_row =
            store::events::SoftBouncesInRow(session, client.id, address, m.id, kSoftBouncesAsHard);
        if (!in_row.ok()) return in_row.status();
        soft_in_row = *in_row;
        hard = soft_in_row >= kSoftBouncesAsHard;
      }
      event.type = store::events::EventType::kBounce;
      event.hard = hard;
      event.data = BounceData(report, *entry, hard ? soft_in_row : 0);
      CAMPAIGND_RETURN_IF_ERROR(store::events::Append(session, event).status());
      if (hard) CAMPAIGND_RETURN_IF_ERROR(store::records::AddHardBounce(session, m.id));
      result.outcome = InboundOutcome::kRecorded;
      result.what = std::string("bounce ") + (hard ? "hard " : "soft ") + entry->status +
                    (soft_in_row >= kSoftBouncesAsHard ? " (5 soft in a row)" : "") + " mail " +
                    result.mail_id;
      return Status::Ok();
    }

    // A complaint (ARF, feedback type abuse).
    event.type = store::events::EventType::kSpamComplaint;
    event.data =
        nlohmann::json{{"feedbackType", report.feedback_type}, {"userAgent", report.user_agent}}
            .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    CAMPAIGND_RETURN_IF_ERROR(store::events::Append(session, event).status());
    result.outcome = InboundOutcome::kRecorded;
    result.what = "complaint mail " + result.mail_id;
    auto suppression = store::records::CheckSuppression(session, client.id, m.list_id, address);
    if (!suppression.ok()) return suppression.status();
    if (suppression->unsubscribed) {
      result.what += " (already unsubscribed)";
      return Status::Ok();
    }
    auto recipient = store::records::FindRecipient(session, client.id, m.list_id, m.recipient_id);
    if (!recipient.ok()) return recipient.status();
    if (recipient->has_value()) {
      store::Recipient r = std::move(**recipient);
      r.state = store::RecipientState::kUnsubscribed;
      CAMPAIGND_RETURN_IF_ERROR(store::records::PutRecipient(session, client.id, r));
    }
    // The one unsubscribe write; it writes the `unsubscribe` event too.
    store::Unsubscribe unsubscribe{address, m.id, m.mailing_id, now};
    unsubscribe.list_id = m.list_id;
    unsubscribe.source = "complaint";
    CAMPAIGND_RETURN_IF_ERROR(store::records::PutUnsubscribe(session, client.id, unsubscribe));
    result.what += ", unsubscribed";
    return Status::Ok();
  });
  if (!written.ok()) return written;
  return finish();
}

SmtpPolicy InboundPolicy(Inbound& inbound) {
  SmtpPolicy policy;
  policy.check_recipient = [&inbound](std::string_view address) {
    Result<bool> accepts = inbound.Accepts(address);
    if (!accepts.ok()) {
      spdlog::warn("inbound: recipient <{}>: {}", LogText(address),
                   LogText(accepts.status().ToString()));
      return RecipientVerdict::kTempfail;
    }
    return *accepts ? RecipientVerdict::kAccept : RecipientVerdict::kReject;
  };
  policy.deliver = [&inbound](const Envelope& envelope, std::string message) {
    Result<InboundResult> result = inbound.Process(message, envelope.recipients);
    if (result.ok())
      return DeliverResult::Accepted(std::string(InboundOutcomeName(result->outcome)));
    if (result.status().IsInvalidArgument()) {
      return DeliverResult::Rejected(554, "5.6.0 " + result.status().message());
    }
    spdlog::warn("inbound: message from {}: {}", LogText(envelope.client_ip),
                 LogText(result.status().ToString()));
    return DeliverResult::Tempfail();
  };
  return policy;
}

const char kInboundHelp[] =
    "Read one bounce or complaint message on standard input and record it (README: Bounces): "
    "for a Postfix pipe transport or procmail. Exits 0 when done (also for a message that "
    "names no mail of ours: it is logged, not returned), 65 when the input is not a message, "
    "75 when the database is unavailable (Postfix retries later).\n"
    "Postfix: route the bounce domain to the transport and pass the recipient, e.g.\n"
    "  /etc/postfix/master.cf:\n"
    "    campaignd unix - n n - 4 pipe\n"
    "      flags=Rq user=campaignd argv=/usr/local/bin/campaignd inbound\n"
    "      --config /etc/campaignd.toml --recipient ${recipient}\n"
    "  /etc/postfix/transport (transport_maps):\n"
    "    bounce.shop.example  campaignd:\n"
    "  /etc/postfix/main.cf:\n"
    "    relay_domains = bounce.shop.example\n"
    "    campaignd_destination_recipient_limit = 1\n"
    "Or let the MX forward the domain to inbound_listen.";

int RunInbound(const std::string& db_url, std::span<const std::string> recipients, std::istream& in,
               std::ostream& err) {
  std::string message;
  char buffer[64 * 1024];
  while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
    const std::size_t room = limits::kMaxInboundMessageBytes - message.size();
    message.append(buffer, std::min<std::size_t>(room, static_cast<std::size_t>(in.gcount())));
  }
  auto engine = store::OpenEngine(db_url, store::EngineOptions{});
  if (!engine.ok()) {
    err << "campaignd inbound: cannot open database " << store::RedactUrl(db_url) << ": "
        << engine.status().message() << "\n";
    return kExitTempFail;
  }
  SystemClock clock;
  Inbound inbound((*engine)->directory(), (*engine)->runner(), clock);
  Result<InboundResult> result = inbound.Process(message, recipients);
  (*engine)->Close();
  if (result.ok()) return 0;
  err << "campaignd inbound: " << result.status().message() << "\n";
  return result.status().IsInvalidArgument() ? kExitDataError : kExitTempFail;
}

}  // namespace campaignd::events
