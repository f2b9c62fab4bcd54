// Routes: the mail search and one mail with its history and its events;
// ParseTime and ClientSecret (routes.h).
#include <charconv>
#include <ctime>
#include <time.h>

#include "admin/api/json_model.h"
#include "admin/api/routes.h"
#include "core/mail_id.h"
#include "store/sql/event_json.h"

namespace campaignd::admin::api {
namespace {

AdminResponse BadQuery(std::string_view message) {
  return ErrorAnswer(400, "bad_request", message);
}

// Fills query from ?recipient, mailing, status, since, until; a 400 else.
std::optional<AdminResponse> ReadFilters(const Call& call, store::MailQuery& query) {
  const Query& q = call.query;
  if (auto it = q.find("recipient"); it != q.end()) {
    Result<std::string> address = NormaliseAddress(it->second, AddressLiterals::kAllow);
    if (!address.ok()) return BadQuery("recipient: " + address.status().message());
    query.recipient_id = *address;
  }
  if (auto it = q.find("mailing"); it != q.end()) {
    query.mailing_id = ParseInt64(it->second);
    if (!query.mailing_id) return BadQuery("mailing: expected a mailing ID");
  }
  if (auto it = q.find("status"); it != q.end()) {
    query.status = ParseMailStatus(it->second);
    if (!query.status) return BadQuery("status: not a mail status (sent, enqueued, ...)");
  }
  for (auto [name, out] : {std::pair{"since", &query.since}, std::pair{"until", &query.until}}) {
    if (auto it = q.find(name); it != q.end()) {
      *out = ParseTime(it->second);
      if (!*out) {
        return BadQuery(std::string(name) + ": expected unix ms or YYYY-MM-DD[THH:MM:SS[.fff]Z]");
      }
    }
  }
  return std::nullopt;
}

Result<Json> FullMail(const Call& call, const store::Mail& mail, const std::string& secret) {
  Result<std::vector<store::MailEvent>> history =
      call.context.engine.queue().History(call.client_id, mail.id);
  if (!history.ok()) return history.status();
  return MailJson(mail, MailId::Make(mail.client_id, mail.id, secret).ToString(), *history);
}

}  // namespace

// Unix milliseconds, "YYYY-MM-DD" or "YYYY-MM-DDTHH:MM:SS[.fff]Z" (UTC;
// the fraction, as this API writes its times, 1 to 9 digits, kept to the
// millisecond).
std::optional<TimePoint> ParseTime(const std::string& text) {
  if (std::optional<int64_t> ms = ParseInt64(text)) return FromUnixMillis(*ms);
  std::tm tm{};
  const char* rest = strptime(text.c_str(), "%Y-%m-%d", &tm);
  if (rest == nullptr) return std::nullopt;
  int64_t millis = 0;
  if (*rest == 'T' || *rest == ' ') {
    rest = strptime(rest + 1, "%H:%M:%S", &tm);
    if (rest == nullptr) return std::nullopt;
    if (*rest == '.') {
      int digits = 0;
      for (++rest; *rest >= '0' && *rest <= '9'; ++rest, ++digits) {
        if (digits < 3) millis = millis * 10 + (*rest - '0');
      }
      if (digits == 0 || digits > 9) return std::nullopt;
      for (int d = digits; d < 3; ++d) millis *= 10;
    }
    if (std::string_view(rest) != "Z") return std::nullopt;
  } else if (*rest != '\0') {
    return std::nullopt;
  }
  return FromUnixMillis(static_cast<int64_t>(timegm(&tm)) * 1000 + millis);
}

Result<std::string> ClientSecret(const Call& call) {
  Result<std::optional<store::Client>> client =
      call.context.engine.directory().FindClient(call.client_id);
  if (!client.ok()) return client.status();
  if (!client->has_value()) return Status::NotFound("client");
  return (*client)->mail_id_secret;
}

AdminResponse SearchMails(const Call& call) {
  AdminResponse error;
  std::optional<store::PageRequest> page = ReadPage(call.query, &error);
  if (!page) return error;
  store::MailQuery query;
  query.client_id = call.client_id;
  query.limit = page->limit;
  if (auto problem = ReadFilters(call, query)) return *problem;
  if (!page->after.empty()) {
    std::optional<int64_t> before = ParseInt64(page->after);
    if (!before) return BadQuery("cursor: not one this API handed out");
    query.before = *before;
  }
  Result<std::string> secret = ClientSecret(call);
  if (!secret.ok()) return StoreFailure(secret.status());
  Result<std::vector<store::Mail>> mails = call.catalog().SearchMails(query);
  if (!mails.ok()) return StoreFailure(mails.status());
  Json items = Json::array();
  std::optional<std::string> last;
  for (const auto& mail : *mails) {
    Result<Json> full = FullMail(call, mail, *secret);
    if (!full.ok()) return StoreFailure(full.status());
    items.push_back(std::move(*full));
    last = std::to_string(mail.id);
  }
  return PageAnswer(std::move(items), page->limit, last);
}

AdminResponse GetMail(const Call& call) {
  const std::string& text = call.path.find("mail")->second;
  Result<std::string> secret = ClientSecret(call);
  if (!secret.ok()) return StoreFailure(secret.status());
  int64_t sequence = ParseInt64(text).value_or(0);
  if (sequence == 0) {
    Result<MailId> id = MailId::Parse(text);
    if (!id.ok() || id->client_id() != call.client_id || !id->Verify(*secret)) {
      return NotFound("mail " + text);
    }
    sequence = id->sequence();
  }
  Result<std::optional<store::Mail>> mail = call.context.engine.queue().FindMail(call.client_id, sequence);
  if (!mail.ok()) return StoreFailure(mail.status());
  if (!mail->has_value()) return NotFound("mail " + text);
  Result<Json> full = FullMail(call, **mail, *secret);
  if (!full.ok()) return StoreFailure(full.status());
  Result<std::vector<store::events::StoredEvent>> events =
      call.catalog().MailEvents(call.client_id, sequence);
  if (!events.ok()) return StoreFailure(events.status());
  Json& list = (*full)["events"] = Json::array();
  const std::string mail_id = (*full)["mail_id"].get<std::string>();
  for (const auto& e : *events) list.push_back(store::events::EventJson(e, mail_id));
  return JsonAnswer(200, *full);
}

}  // namespace campaignd::admin::api
