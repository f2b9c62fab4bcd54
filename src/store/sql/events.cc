// The statements of events.h. Every multi-row statement is cut at
// records::kRowsPerInsert rows (below both engines' parameter limits).
#include "store/sql/events.h"

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <tuple>

#include "store/json_text.h"
#include "store/sql/records.h"

namespace campaignd::store::events {
namespace {

using std::chrono::duration_cast;
using std::chrono::milliseconds;

constexpr int64_t kMillisPerHour = 3'600'000;

constexpr std::string_view kTypeNames[] = {
    "sent",        "bounce",      "spamcomplaint",      "open",
    "click",       "unsubscribe", "singleoptin",        "confirmedoptin",
    "doubleoptin", "blocklist",   "filteredbyblocklist"};

int64_t HourOf(TimePoint at) {
  const int64_t ms = ToUnixMillis(at);
  return (ms >= 0 ? ms : ms - kMillisPerHour + 1) / kMillisPerHour;
}

// The data column: event.data with the members the counters read.
Result<std::string> DataText(const Event& e) {
  nlohmann::json data = nlohmann::json::object();
  if (!e.data.empty()) {
    data = nlohmann::json::parse(e.data, nullptr, /*allow_exceptions=*/false);
    if (!data.is_object()) {
      return Status::InvalidArgument("event data is not a JSON object: " + e.data);
    }
  }
  switch (e.type) {
    case EventType::kBounce:
      data["category"] = e.hard ? "hard" : "soft";
      break;
    case EventType::kClick:
      data["linkIndex"] = e.link_index;
      [[fallthrough]];
    case EventType::kOpen:
      data["first"] = e.first;
      data["machine"] = e.machine;
      break;
    default:
      break;
  }
  try {
    return data.dump();
  } catch (const nlohmann::json::exception& error) {  // invalid UTF-8
    return Status::InvalidArgument(std::string("event data: ") + error.what());
  }
}

// What `e` adds to its hour's counters.
Counters CountsOf(const Event& e) {
  Counters c{};
  switch (e.type) {
    case EventType::kSent:
      c[kSent] = 1;
      break;
    case EventType::kBounce:
      c[e.hard ? kBouncedHard : kBouncedSoft] = 1;
      break;
    case EventType::kSpamComplaint:
      c[kComplaints] = 1;
      break;
    case EventType::kUnsubscribe:
      c[kUnsubscribes] = 1;
      break;
    case EventType::kFilteredByBlocklist:
      c[kFailed] = 1;
      break;
    case EventType::kOpen:
      c[kOpens] = 1;
      c[kOpensUnique] = e.first ? 1 : 0;
      c[kOpensMachine] = e.machine ? 1 : 0;
      break;
    case EventType::kClick:
      c[kClicks] = 1;
      c[kClicksUnique] = e.first ? 1 : 0;
      c[kClicksMachine] = e.machine ? 1 : 0;
      break;
    default:
      break;
  }
  return c;
}

using HourKey = std::tuple<int64_t, int64_t, int64_t>;           // client, mailing, hour
using LinkKey = std::tuple<int64_t, int64_t, int64_t, int64_t>;  // + link index
using LinkCounts = std::array<int64_t, 2>;                       // clicks, unique

// Adds the grouped counters, in key order, kRowsPerInsert rows a statement.
Status UpsertCounters(SqlSession& session, const std::map<HourKey, Counters>& hours,
                      const std::map<LinkKey, LinkCounts>& links) {
  static const std::string kHourly = [] {
    std::string head = "INSERT INTO stats_hourly (client_id, mailing_id, hour";
    std::string update = " ON CONFLICT (client_id, mailing_id, hour) DO UPDATE SET ";
    for (std::size_t i = 0; i < std::size(kCounterColumns); ++i) {
      const std::string c(kCounterColumns[i]);
      head += ", " + c;
      update += (i == 0 ? "" : ", ") + c + " = stats_hourly." + c + " + excluded." + c;
    }
    return head + ") VALUES |" + update;
  }();
  constexpr std::string_view kLinks =
      "INSERT INTO stats_links (client_id, mailing_id, link_index, hour, clicks, clicks_unique) "
      "VALUES | ON CONFLICT (client_id, mailing_id, link_index, hour) DO UPDATE SET "
      "clicks = stats_links.clicks + excluded.clicks, "
      "clicks_unique = stats_links.clicks_unique + excluded.clicks_unique";
  auto flush = [&](std::string_view sql, std::vector<SqlValue>& values, std::size_t n,
                   std::string_view purpose) -> Status {
    if (values.empty()) return Status::Ok();
    const std::size_t bar = sql.find('|');
    std::string text = std::string(sql.substr(0, bar)) + PlaceholderRows(values.size() / n, n) +
                       std::string(sql.substr(bar + 1));
    Result<int64_t> done = session.Execute(text, values, purpose);
    values.clear();
    return done.status();
  };
  std::vector<SqlValue> values;
  const std::size_t n = 3 + kCounterCount;
  for (const auto& [key, counts] : hours) {
    if (std::all_of(counts.begin(), counts.end(), [](int64_t v) { return v == 0; })) continue;
    values.insert(values.end(), {std::get<0>(key), std::get<1>(key), std::get<2>(key)});
    values.insert(values.end(), counts.begin(), counts.end());
    if (values.size() == records::kRowsPerInsert * n) {
      CAMPAIGND_RETURN_IF_ERROR(flush(kHourly, values, n, "count events"));
    }
  }
  CAMPAIGND_RETURN_IF_ERROR(flush(kHourly, values, n, "count events"));
  for (const auto& [key, counts] : links) {
    values.insert(values.end(), {std::get<0>(key), std::get<1>(key), std::get<2>(key),
                                 std::get<3>(key), counts[0], counts[1]});
    if (values.size() == records::kRowsPerInsert * 6) {
      CAMPAIGND_RETURN_IF_ERROR(flush(kLinks, values, 6, "count link clicks"));
    }
  }
  return flush(kLinks, values, 6, "count link clicks");
}

// The columns EventFromRow reads, of events as `e`.
constexpr std::string_view kEventColumns =
    "SELECT e.id, e.client_id, e.type, e.at, e.mail_seq, e.mailing_id, e.list_id, "
    "e.recipient_id, e.address, e.data ";

Result<StoredEvent> EventFromRow(const SqlRow& row) {
  StoredEvent s;
  Event& e = s.event;
  CellReader r(row);
  s.id = r.Int(0);
  e.client_id = r.Int(1);
  e.type = r.Enum(2, ParseEventType, "event type");
  e.at = r.Time(3);
  if (row[4]) e.mail_seq = r.Int(4);
  e.mailing_id = r.Int(5);
  e.list_id = r.Int(6);
  e.recipient_id = r.Text(7);
  e.address = r.Text(8);
  e.data = r.Text(9);
  CAMPAIGND_RETURN_IF_ERROR(r.status());
  nlohmann::json data = nlohmann::json::parse(e.data, nullptr, false);
  if (!data.is_object()) return Status::Corruption("event " + std::to_string(s.id) + ": data");
  try {
    e.hard = data.value("category", "") == "hard";
    e.first = data.value("first", false);
    e.machine = data.value("machine", false);
    e.link_index = data.value("linkIndex", -1);
  } catch (const nlohmann::json::exception& error) {
    return Status::Corruption("event " + std::to_string(s.id) + " data: " + error.what());
  }
  return s;
}

Result<std::vector<StoredEvent>> QueryEvents(SqlSession& session, const std::string& sql,
                                             std::span<const SqlValue> params,
                                             std::string_view purpose) {
  return EachRow<StoredEvent>(session.Query(sql, params, 10, purpose), EventFromRow);
}

constexpr std::string_view kAuthNames[] = {"none", "basicAuth", "keyAuth"};
constexpr std::string_view kStateNames[] = {"activated", "deactivated", "suspended"};

template <typename E, std::size_t N>
std::optional<E> ParseName(const std::string_view (&names)[N], std::string_view name) {
  for (std::size_t i = 0; i < N; ++i) {
    if (names[i] == name) return static_cast<E>(i);
  }
  return std::nullopt;
}

constexpr std::string_view kWebhookColumns =
    "client_id, id, url, types, auth, auth_name, auth_secret, signing_secret, state, "
    "created_at, failing_since, attempts, next_attempt_at";

Result<std::string> TypesText(const std::vector<EventType>& types) {
  std::vector<std::string> names;
  for (EventType t : types) names.emplace_back(Name(t));
  return StringsToJson(names);
}

Result<Webhook> WebhookFromRow(const SqlRow& row) {
  Webhook w;
  CellReader r(row);
  w.client_id = r.Int(0);
  w.id = r.Int(1);
  w.created_at = r.Time(9);
  if (const int64_t failing = r.Int(10); failing != 0) w.failing_since = FromUnixMillis(failing);
  w.attempts = static_cast<int>(r.Int(11));
  w.next_attempt_at = r.Time(12);
  CAMPAIGND_RETURN_IF_ERROR(r.status());
  const std::string what = "webhook " + std::to_string(w.id);
  w.url = CellText(row, 2);
  nlohmann::json types = nlohmann::json::parse(CellText(row, 3), nullptr, false);
  if (!types.is_array()) return Status::Corruption(what + ": types");
  for (const nlohmann::json& t : types) {
    std::optional<EventType> type =
        t.is_string() ? ParseEventType(t.get<std::string>()) : std::nullopt;
    if (!type) return Status::Corruption(what + ": unknown event type");
    w.types.push_back(*type);
  }
  std::optional<WebhookAuth> auth = ParseName<WebhookAuth>(kAuthNames, CellText(row, 4));
  std::optional<WebhookState> state = ParseName<WebhookState>(kStateNames, CellText(row, 8));
  if (!auth || !state) return Status::Corruption(what + ": unknown auth or state");
  w.auth = *auth;
  w.auth_name = CellText(row, 5);
  w.auth_secret = CellText(row, 6);
  w.signing_secret = CellText(row, 7);
  w.state = *state;
  return w;
}

Result<std::vector<Webhook>> QueryWebhooks(SqlSession& session, const std::string& sql,
                                           std::span<const SqlValue> params,
                                           std::string_view purpose) {
  return EachRow<Webhook>(session.Query(sql, params, 13, purpose), WebhookFromRow);
}

Status InsertAttempt(SqlSession& session, const Attempt& a, bool final) {
  const SqlValue values[] = {a.client_id,
                             a.webhook_id,
                             ToUnixMillis(a.at),
                             a.first_event_id,
                             int64_t{a.events},
                             int64_t{a.http_status},
                             a.error,
                             int64_t{a.duration.count()},
                             SqlBytes{a.response.substr(0, kResponseKept)},
                             int64_t{final ? 1 : 0}};
  return session
      .Execute(
          "INSERT INTO webhook_attempts (client_id, webhook_id, at, first_event_id, "
          "events, http_status, error, duration_ms, response, final) VALUES " +
              PlaceholderRows(1, std::size(values), 1),
          values, "record webhook attempt")
      .status();
}

// What a purge deletes: rows of `table` whose `time` is before the cutoff
// and that match `also`; `dependents` first delete the rows that name them
// ($1 < key <= $2, time < $3).
struct PurgeTable {
  std::string_view table;
  std::string_view time;
  std::string_view also;
  std::vector<std::string_view> dependents;
};

const PurgeTable& PurgeTableOf(Purge kind) {
  static const PurgeTable kMails{
      "mails",
      "created_at",
      " AND status NOT IN ('enqueued', 'sending')",
      {"DELETE FROM mail_events WHERE mail_id IN (SELECT id FROM mails WHERE id > $1 "
       "AND id <= $2 AND created_at < $3 AND status NOT IN ('enqueued', 'sending'))"}};
  static const PurgeTable kEvents{
      "events",
      "at",
      "",
      {"DELETE FROM webhook_outbox WHERE event_id IN (SELECT id FROM events WHERE id > $1 "
       "AND id <= $2 AND at < $3)"}};
  static const PurgeTable kAttempts{"webhook_attempts", "at", "", {}};
  switch (kind) {
    case Purge::kMails:
      return kMails;
    case Purge::kEvents:
      return kEvents;
    case Purge::kAttempts:
      break;
  }
  return kAttempts;
}

}  // namespace

std::string_view Name(EventType type) { return kTypeNames[static_cast<std::size_t>(type)]; }

std::optional<EventType> ParseEventType(std::string_view name) {
  return ParseName<EventType>(kTypeNames, name);
}

std::string_view Name(WebhookAuth auth) { return kAuthNames[static_cast<std::size_t>(auth)]; }
std::string_view Name(WebhookState state) { return kStateNames[static_cast<std::size_t>(state)]; }

std::optional<WebhookAuth> ParseWebhookAuth(std::string_view name) {
  return ParseName<WebhookAuth>(kAuthNames, name);
}

std::optional<WebhookState> ParseWebhookState(std::string_view name) {
  return ParseName<WebhookState>(kStateNames, name);
}

std::span<const std::string_view> EventTypeNames() { return kTypeNames; }

namespace {

// Append and AppendAll; the new ids to `ids` when not null.
// `counts` are added to the events' counters.
Status AppendEvents(SqlSession& session, std::span<const Event> events, std::vector<int64_t>* ids,
                    std::span<const CountsAt> counts = {}) {
  constexpr std::size_t n = 9;
  std::map<HourKey, Counters> hours;
  std::map<LinkKey, LinkCounts> links;
  for (const CountsAt& c : counts) {
    Counters& sum = hours[{c.client_id, c.mailing_id, HourOf(c.at)}];
    for (std::size_t i = 0; i < sum.size(); ++i) sum[i] += c.counts[i];
  }
  for (std::size_t at = 0; at < events.size(); at += records::kRowsPerInsert) {
    std::span<const Event> chunk =
        events.subspan(at, std::min(records::kRowsPerInsert, events.size() - at));
    std::vector<SqlValue> values;
    values.reserve(chunk.size() * n);
    for (const Event& e : chunk) {
      Result<std::string> data = DataText(e);
      if (!data.ok()) return data.status();
      values.insert(values.end(), {e.client_id, std::string(Name(e.type)), ToUnixMillis(e.at),
                                   e.mail_seq ? SqlValue(*e.mail_seq) : SqlValue(), e.mailing_id,
                                   e.list_id, e.recipient_id, e.address, std::move(*data)});
      const Counters counts = CountsOf(e);
      Counters& sum = hours[{e.client_id, e.mailing_id, HourOf(e.at)}];
      for (std::size_t i = 0; i < sum.size(); ++i) sum[i] += counts[i];
      if (e.type == EventType::kClick && e.link_index >= 0) {
        LinkCounts& link = links[{e.client_id, e.mailing_id, e.link_index, HourOf(e.at)}];
        link[0] += 1;
        link[1] += e.first ? 1 : 0;
      }
    }
    Result<std::vector<SqlRow>> rows = session.Query(
        "INSERT INTO events (client_id, type, at, mail_seq, mailing_id, list_id, recipient_id, "
        "address, data) VALUES " +
            PlaceholderRows(chunk.size(), n) + " RETURNING id",
        values, 1, "record events");
    if (!rows.ok()) return rows.status();
    if (rows->size() != chunk.size()) return Status::Internal("record events: ids missing");
    // The outbox rows of exactly these events (ids of other transactions
    // may interleave with them on PostgreSQL: no id range).
    std::vector<SqlValue> inserted;
    for (const SqlRow& row : *rows) {
      Result<int64_t> id = CellInt(row, 0);
      if (!id.ok()) return id.status();
      inserted.emplace_back(*id);
      if (ids != nullptr) ids->push_back(*id);
    }
    CAMPAIGND_RETURN_IF_ERROR(
        session
            .Execute("INSERT INTO webhook_outbox (client_id, webhook_id, event_id) "
                     "SELECT w.client_id, w.id, e.id FROM events e JOIN webhooks w "
                     "ON w.client_id = e.client_id AND w.state <> 'deactivated' "
                     "AND w.types LIKE '%\"' || e.type || '\"%' WHERE e.id IN " +
                         PlaceholderRows(1, inserted.size(), 1),
                     inserted, "queue webhook events")
            .status());
  }
  return UpsertCounters(session, hours, links);
}

}  // namespace

Result<int64_t> Append(SqlSession& session, const Event& event) {
  std::vector<int64_t> ids;
  CAMPAIGND_RETURN_IF_ERROR(AppendEvents(session, std::span(&event, 1), &ids));
  return ids.front();
}

Status AppendAll(SqlSession& session, std::span<const Event> events) {
  return AppendEvents(session, events, nullptr);
}

Status AppendAll(SqlSession& session, std::span<const Event> events,
                 std::span<const CountsAt> counts) {
  return AppendEvents(session, events, nullptr, counts);
}

Status AddCounts(SqlSession& session, int64_t client_id, int64_t mailing_id, TimePoint at,
                 const Counters& counts) {
  return UpsertCounters(session, {{{client_id, mailing_id, HourOf(at)}, counts}}, {});
}

Result<std::vector<StoredEvent>> ClientEvents(SqlSession& session, int64_t client_id,
                                              int64_t after_id, int limit) {
  const SqlValue params[] = {client_id, after_id, int64_t{limit}};
  return QueryEvents(
      session,
      std::string(kEventColumns) +
          "FROM events e WHERE e.client_id = $1 AND e.id > $2 ORDER BY e.id LIMIT $3",
      params, "list client events");
}

Result<std::vector<StoredEvent>> MailEvents(SqlSession& session, int64_t client_id,
                                            int64_t mail_seq) {
  const SqlValue params[] = {client_id, mail_seq};
  return QueryEvents(session,
                     std::string(kEventColumns) +
                         "FROM events e WHERE e.mail_seq = $2 AND e.client_id = $1 ORDER BY e.id",
                     params, "list mail events");
}

Result<std::vector<StatsRow>> Stats(SqlSession& session, int64_t client_id,
                                    std::optional<int64_t> mailing_id, TimePoint from, TimePoint to,
                                    Step step) {
  const int64_t hours = step == Step::kDay ? 24 : 1;
  std::string sql = "SELECT hour / $4";
  for (std::string_view c : kCounterColumns) sql += ", sum(" + std::string(c) + ")";
  sql += " FROM stats_hourly WHERE client_id = $1 AND hour >= $2 AND hour < $3";
  std::vector<SqlValue> params = {client_id, HourOf(from),
                                  HourOf(to + std::chrono::hours(1) - milliseconds(1)), hours};
  if (mailing_id) {
    sql += " AND mailing_id = $5";
    params.emplace_back(*mailing_id);
  }
  sql += " GROUP BY 1 ORDER BY 1";
  Result<std::vector<SqlRow>> rows =
      session.Query(sql, params, 1 + kCounterCount, "read statistics");
  if (!rows.ok()) return rows.status();
  std::vector<StatsRow> out;
  for (const SqlRow& row : *rows) {
    StatsRow r;
    Result<int64_t> bucket = CellInt(row, 0);
    if (!bucket.ok()) return bucket.status();
    r.start = FromUnixMillis(*bucket * hours * kMillisPerHour);
    for (int i = 0; i < kCounterCount; ++i) {
      Result<int64_t> v = CellInt(row, 1 + i);
      if (!v.ok()) return v.status();
      r.counts[static_cast<std::size_t>(i)] = *v;
    }
    out.push_back(r);
  }
  return out;
}

Result<std::vector<LinkClicks>> LinkStats(SqlSession& session, int64_t client_id,
                                          int64_t mailing_id, TimePoint from, TimePoint to) {
  const SqlValue params[] = {client_id, mailing_id, HourOf(from),
                             HourOf(to + std::chrono::hours(1) - milliseconds(1))};
  return EachRow<LinkClicks>(
      session.Query("SELECT link_index, sum(clicks), sum(clicks_unique) FROM stats_links "
                    "WHERE client_id = $1 AND mailing_id = $2 AND hour >= $3 AND hour < $4 "
                    "GROUP BY link_index ORDER BY link_index",
                    params, 3, "read link statistics"),
      [](const SqlRow& row) -> Result<LinkClicks> {
        CellReader r(row);
        return r.Finish(LinkClicks{static_cast<int>(r.Int(0)), r.Int(1), r.Int(2)});
      });
}

Result<int64_t> WriteWebhook(SqlSession& session, const Webhook& w, WebhookWrite how) {
  Result<std::string> types = TypesText(w.types);
  if (!types.ok()) return types.status();
  if (how == WebhookWrite::kUpdate) {
    // SET reads the stored row's values: the secret is kept only when none
    // is given for the same kind of authentication and the same URL (a
    // credential never follows a changed target; webhook::AuthSecretMayBeKept
    // makes the caller ask for it again).
    const SqlValue values[] = {
        w.client_id, w.id,         w.url, std::move(*types), std::string(Name(w.auth)),
        w.auth_name, w.auth_secret};
    return session.Execute(
        "UPDATE webhooks SET url = $3, types = $4, auth = $5, auth_name = $6, "
        "auth_secret = CASE WHEN $7 = '' AND auth = $5 AND url = $3 THEN auth_secret ELSE $7 END "
        "WHERE client_id = $1 AND id = $2",
        values, "update webhook");
  }
  const SqlValue values[] = {w.client_id,
                             w.id,
                             w.url,
                             std::move(*types),
                             std::string(Name(w.auth)),
                             w.auth_name,
                             w.auth_secret,
                             SqlBytes{w.signing_secret},
                             std::string(Name(w.state)),
                             ToUnixMillis(w.created_at),
                             ToUnixMillis(w.created_at)};
  return session.Execute(
      "INSERT INTO webhooks (client_id, id, url, types, auth, auth_name, auth_secret, "
      "signing_secret, state, created_at, next_attempt_at) VALUES " +
          PlaceholderRows(1, std::size(values), 1),
      values, "insert webhook");
}

Result<int64_t> DeleteWebhook(SqlSession& session, int64_t client_id, int64_t id) {
  const SqlValue key[] = {client_id, id};
  for (std::string_view sql :
       {"DELETE FROM webhook_outbox WHERE client_id = $1 AND webhook_id = $2",
        "DELETE FROM webhook_attempts WHERE client_id = $1 AND webhook_id = $2"}) {
    CAMPAIGND_RETURN_IF_ERROR(session.Execute(sql, key, "delete webhook").status());
  }
  return session.Execute("DELETE FROM webhooks WHERE client_id = $1 AND id = $2", key,
                         "delete webhook");
}

Result<std::optional<Webhook>> FindWebhook(SqlSession& session, int64_t client_id, int64_t id) {
  const SqlValue key[] = {client_id, id};
  Result<std::vector<Webhook>> found = QueryWebhooks(
      session,
      "SELECT " + std::string(kWebhookColumns) + " FROM webhooks WHERE client_id = $1 AND id = $2",
      key, "find webhook");
  if (!found.ok()) return found.status();
  if (found->empty()) return std::optional<Webhook>();
  return std::optional<Webhook>(std::move(found->front()));
}

Result<std::vector<Webhook>> ListWebhooks(SqlSession& session, int64_t client_id) {
  const SqlValue key[] = {client_id};
  return QueryWebhooks(
      session,
      "SELECT " + std::string(kWebhookColumns) + " FROM webhooks WHERE client_id = $1 ORDER BY id",
      key, "list webhooks");
}

Result<int64_t> SetWebhookState(SqlSession& session, int64_t client_id, int64_t id,
                                WebhookState state, TimePoint now) {
  const SqlValue values[] = {client_id, id, std::string(Name(state)), ToUnixMillis(now)};
  if (state != WebhookState::kActivated) {
    return session.Execute("UPDATE webhooks SET state = $3 WHERE client_id = $1 AND id = $2",
                           std::span(values, 3), "set webhook state");
  }
  return session.Execute(
      "UPDATE webhooks SET state = $3, attempts = 0, failing_since = 0, next_attempt_at = $4 "
      "WHERE client_id = $1 AND id = $2",
      values, "set webhook state");
}

Result<std::optional<Webhook>> LeaseDue(SqlSession& session, std::string_view owner, TimePoint now,
                                        milliseconds lease) {
  const int64_t at = ToUnixMillis(now);
  const SqlValue values[] = {std::string(owner), at + lease.count(), at};
  // The lease conditions stand twice: PostgreSQL evaluates the subquery
  // once, and re-checks only the outer ones on a row another transaction
  // leased while this one waited for it.
  Result<std::vector<Webhook>> leased =
      QueryWebhooks(session,
                    "UPDATE webhooks SET lease_owner = $1, lease_until = $2 "
                    "WHERE (client_id, id) = (SELECT w.client_id, w.id FROM webhooks w "
                    "  WHERE w.state = 'activated' AND w.next_attempt_at <= $3 "
                    "  AND (w.lease_until IS NULL OR w.lease_until <= $3) "
                    "  AND EXISTS (SELECT 1 FROM webhook_outbox o "
                    "    WHERE o.client_id = w.client_id AND o.webhook_id = w.id) "
                    "  ORDER BY w.next_attempt_at LIMIT 1) "
                    "AND state = 'activated' AND (lease_until IS NULL OR lease_until <= $3) "
                    "RETURNING " +
                        std::string(kWebhookColumns),
                    values, "lease webhook");
  if (!leased.ok()) return leased.status();
  if (leased->empty()) return std::optional<Webhook>();
  return std::optional<Webhook>(std::move(leased->front()));
}

Result<std::vector<StoredEvent>> NextBatch(SqlSession& session, int64_t client_id,
                                           int64_t webhook_id, int limit) {
  const SqlValue params[] = {client_id, webhook_id, int64_t{limit}};
  return QueryEvents(session,
                     std::string(kEventColumns) +
                         "FROM webhook_outbox o JOIN events e ON e.id = o.event_id "
                         "WHERE o.client_id = $1 AND o.webhook_id = $2 "
                         "ORDER BY o.event_id LIMIT $3",
                     params, "read webhook batch");
}

Status Delivered(SqlSession& session, const Attempt& attempt, std::span<const int64_t> event_ids) {
  for (std::size_t at = 0; at < event_ids.size(); at += records::kRowsPerInsert) {
    std::span<const int64_t> chunk =
        event_ids.subspan(at, std::min(records::kRowsPerInsert, event_ids.size() - at));
    std::vector<SqlValue> values = {attempt.client_id, attempt.webhook_id};
    values.insert(values.end(), chunk.begin(), chunk.end());
    CAMPAIGND_RETURN_IF_ERROR(
        session
            .Execute("DELETE FROM webhook_outbox WHERE client_id = $1 AND webhook_id = $2 "
                     "AND event_id IN " +
                         PlaceholderRows(1, chunk.size(), 3),
                     values, "delete delivered webhook events")
            .status());
  }
  CAMPAIGND_RETURN_IF_ERROR(InsertAttempt(session, attempt, false));
  const SqlValue values[] = {attempt.client_id, attempt.webhook_id, ToUnixMillis(attempt.at)};
  return session
      .Execute(
          "UPDATE webhooks SET attempts = 0, failing_since = 0, next_attempt_at = $3, "
          "lease_owner = NULL, lease_until = NULL WHERE client_id = $1 AND id = $2",
          values, "webhook delivered")
      .status();
}

milliseconds Backoff(int attempts, milliseconds first) {
  constexpr milliseconds kMax = std::chrono::hours(1);
  milliseconds delay = std::max(first, milliseconds(1));
  for (int i = 1; i < attempts && delay < kMax; ++i) delay *= 2;
  return std::min(delay, kMax);
}

Result<bool> Failed(SqlSession& session, const Attempt& attempt, milliseconds first_backoff) {
  const int64_t at = ToUnixMillis(attempt.at);
  const SqlValue key[] = {attempt.client_id, attempt.webhook_id, at};
  Result<std::vector<SqlRow>> rows = session.Query(
      "UPDATE webhooks SET attempts = attempts + 1, "
      "failing_since = CASE WHEN failing_since = 0 THEN $3 ELSE failing_since END, "
      "lease_owner = NULL, lease_until = NULL WHERE client_id = $1 AND id = $2 "
      "RETURNING attempts, failing_since",
      key, 2, "webhook failed");
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return Status::NotFound("webhook " + std::to_string(attempt.webhook_id));
  CellReader run(rows->front());
  const int64_t attempts = run.Int(0), failing_since = run.Int(1);
  CAMPAIGND_RETURN_IF_ERROR(run.status());
  const bool give_up = at - failing_since >= duration_cast<milliseconds>(kGiveUpAfter).count();
  const SqlValue values[] = {attempt.client_id, attempt.webhook_id,
                             at + Backoff(static_cast<int>(attempts), first_backoff).count()};
  Result<int64_t> written = give_up ? session.Execute(
                                          "UPDATE webhooks SET state = 'suspended' "
                                          "WHERE client_id = $1 AND id = $2",
                                          std::span(values, 2), "suspend webhook")
                                    : session.Execute(
                                          "UPDATE webhooks SET next_attempt_at = $3 "
                                          "WHERE client_id = $1 AND id = $2",
                                          values, "reschedule webhook");
  if (!written.ok()) return written.status();
  CAMPAIGND_RETURN_IF_ERROR(InsertAttempt(session, attempt, give_up));
  return give_up;
}

Result<std::vector<Attempt>> Attempts(SqlSession& session, int64_t client_id, int64_t webhook_id,
                                      int limit) {
  const SqlValue params[] = {client_id, webhook_id, int64_t{limit}};
  return EachRow<Attempt>(
      session.Query(
          "SELECT at, first_event_id, events, http_status, duration_ms, final, error, response "
          "FROM webhook_attempts WHERE client_id = $1 AND webhook_id = $2 "
          "ORDER BY id DESC LIMIT $3",
          params, 8, "list webhook attempts"),
      [&](const SqlRow& row) -> Result<Attempt> {
        CellReader r(row);
        Attempt a;
        a.client_id = client_id;
        a.webhook_id = webhook_id;
        a.at = r.Time(0);
        a.first_event_id = r.Int(1);
        a.events = static_cast<int>(r.Int(2));
        a.http_status = static_cast<int>(r.Int(3));
        a.duration = milliseconds(r.Int(4));
        a.final = r.Flag(5);
        a.error = r.Text(6);
        a.response = r.Text(7);
        return r.Finish(std::move(a));
      });
}

Result<PurgeProgress> PurgeBatch(SqlSession& session, Purge kind, TimePoint cutoff, int batch,
                                 int64_t after) {
  const PurgeTable& t = PurgeTableOf(kind);
  const int64_t before = ToUnixMillis(cutoff);
  const SqlValue page_params[] = {after, int64_t{batch}};
  Result<std::vector<SqlRow>> page =
      session.Query("SELECT id, " + std::string(t.time) + " FROM " + std::string(t.table) +
                        " WHERE id > $1 ORDER BY id LIMIT $2",
                    page_params, 2, "purge page");
  if (!page.ok()) return page.status();
  PurgeProgress progress;
  progress.next_after = after;
  progress.done = page->size() < static_cast<std::size_t>(batch);
  for (const SqlRow& row : *page) {
    CellReader r(row);
    progress.next_after = r.Int(0);
    if (r.Int(1) >= before) progress.done = true;
    CAMPAIGND_RETURN_IF_ERROR(r.status());
  }
  if (page->empty()) return progress;
  const SqlValue range[] = {after, progress.next_after, before};
  for (std::string_view sql : t.dependents) {
    CAMPAIGND_RETURN_IF_ERROR(session.Execute(sql, range, "purge dependents").status());
  }
  Result<int64_t> deleted =
      session.Execute("DELETE FROM " + std::string(t.table) + " WHERE id > $1 AND id <= $2 AND " +
                          std::string(t.time) + " < $3" + std::string(t.also),
                      range, "purge " + std::string(t.table));
  if (!deleted.ok()) return deleted.status();
  progress.deleted = *deleted;
  return progress;
}

Result<int64_t> PurgeBefore(SqlRunner& runner, Purge kind, TimePoint cutoff, int batch,
                            const std::atomic<bool>* stop) {
  int64_t deleted = 0;
  PurgeProgress progress;
  while (!progress.done && (stop == nullptr || !stop->load())) {
    const int64_t after = progress.next_after;
    CAMPAIGND_RETURN_IF_ERROR(runner.Write([&](SqlSession& session) -> Status {
      Result<PurgeProgress> step = PurgeBatch(session, kind, cutoff, batch, after);
      if (!step.ok()) return step.status();
      progress = *step;
      return Status::Ok();
    }));
    deleted += progress.deleted;
  }
  return deleted;
}

Result<int> SoftBouncesInRow(SqlSession& session, int64_t client_id, std::string_view address,
                             int64_t mail_seq, int limit) {
  // Newest first: a mail's bounces come after its own `sent` (the relay's
  // 250), so when a `sent` row is reached every bounce of that mail has been
  // seen; a `sent` of a mail without one is a delivery and ends the run, as
  // does a hard bounce. `mail_seq` (whose bounce is being recorded) counts.
  // The terms repeat the partial index's WHERE, so SQLite uses it too.
  const SqlValue params[] = {client_id, std::string(address), int64_t{kSoftBounceRowsRead}};
  Result<std::vector<SqlRow>> rows = session.Query(
      "SELECT type, data, mail_seq FROM events WHERE client_id = $1 AND address = $2 "
      "AND type IN ('sent', 'bounce') ORDER BY id DESC LIMIT $3",
      params, 3, "soft bounces in a row");
  if (!rows.ok()) return rows.status();
  std::set<int64_t> bounced = {mail_seq};  // the mails of the run (each bounced soft)
  for (const SqlRow& row : *rows) {
    if (static_cast<int>(bounced.size()) >= limit) break;
    std::optional<int64_t> seq;
    if (row[2]) {
      CellReader r(row);
      seq = r.Int(2);
      CAMPAIGND_RETURN_IF_ERROR(r.status());
    }
    if (CellText(row, 0) != Name(EventType::kBounce)) {
      if (!seq.has_value() || !bounced.contains(*seq)) break;  // a delivery
      continue;
    }
    const nlohmann::json data =
        nlohmann::json::parse(CellText(row, 1), nullptr, /*allow_exceptions=*/false);
    const auto category = data.is_object() ? data.find("category") : data.end();
    if (category == data.end() || *category != "soft") break;  // a hard bounce
    if (seq.has_value()) bounced.insert(*seq);
  }
  return std::min(static_cast<int>(bounced.size()), limit);
}

Result<bool> AnyDue(SqlSession& session, TimePoint now) {
  const SqlValue params[] = {ToUnixMillis(now)};
  Result<std::vector<SqlRow>> rows = session.Query(
      "SELECT 1 FROM webhooks w WHERE w.state = 'activated' "
      "AND w.next_attempt_at <= $1 AND (w.lease_until IS NULL OR w.lease_until <= $1) "
      "AND EXISTS (SELECT 1 FROM webhook_outbox o "
      "  WHERE o.client_id = w.client_id AND o.webhook_id = w.id) LIMIT 1",
      params, 1, "find a due webhook");
  if (!rows.ok()) return rows.status();
  return !rows->empty();
}

Status ReleaseLease(SqlSession& session, int64_t client_id, int64_t webhook_id) {
  const SqlValue key[] = {client_id, webhook_id};
  return session
      .Execute(
          "UPDATE webhooks SET lease_owner = NULL, lease_until = NULL "
          "WHERE client_id = $1 AND id = $2",
          key, "release webhook lease")
      .status();
}

}  // namespace campaignd::store::events
