// Routes: what happens after the relay (events.md §1, §2, §5) - a client's
// events (paged by event id), the statistics of a mailing and of a client
// (the hourly counters by hour or day, a mailing's clicks per link), and a
// recipient's hard-bounce count with its reset.
#include <chrono>

#include "admin/api/json_model.h"
#include "admin/api/list_lookup.h"
#include "admin/api/routes.h"
#include "core/mail_id.h"
#include "store/sql/event_json.h"

namespace campaignd::admin::api {
namespace {

using std::chrono::days;
using std::chrono::hours;

// The longest range a statistics request may span, per step: a month of
// hours, a year and a day of days (a chart's width, not a table scan).
constexpr days kMaxHourRange{31};
constexpr days kMaxDayRange{366};
constexpr days kDefaultRange{7};

AdminResponse BadQuery(std::string_view message) {
  return ErrorAnswer(400, "bad_request", message);
}

struct StatsQuery {
  TimePoint from;
  TimePoint to;
  store::events::Step step = store::events::Step::kDay;
};

// ?from, ?to (default: the 7 days before now) and ?step (hour|day, default
// day); nullopt and *error 400 naming the problem.
std::optional<StatsQuery> ReadStatsQuery(const Call& call, AdminResponse* error) {
  StatsQuery q;
  const auto fail = [error](std::string_view message) {
    *error = BadQuery(message);
    return std::nullopt;
  };
  if (auto it = call.query.find("step"); it != call.query.end()) {
    if (it->second == "hour") {
      q.step = store::events::Step::kHour;
    } else if (it->second != "day") {
      return fail("step: expected hour or day");
    }
  }
  q.to = call.context.clock.Now();
  if (auto it = call.query.find("to"); it != call.query.end()) {
    std::optional<TimePoint> to = ParseTime(it->second);
    if (!to) return fail("to: expected unix ms or YYYY-MM-DD[THH:MM:SS[.fff]Z]");
    q.to = *to;
  }
  q.from = q.to - kDefaultRange;
  if (auto it = call.query.find("from"); it != call.query.end()) {
    std::optional<TimePoint> from = ParseTime(it->second);
    if (!from) return fail("from: expected unix ms or YYYY-MM-DD[THH:MM:SS[.fff]Z]");
    q.from = *from;
  }
  if (q.from >= q.to) return fail("from: must be before to");
  const bool by_hour = q.step == store::events::Step::kHour;
  if (q.to - q.from > (by_hour ? kMaxHourRange : kMaxDayRange)) {
    return fail(by_hour ? "range too long: at most 31 days by hour (use step=day)"
                        : "range too long: at most 366 days by day");
  }
  return q;
}

// {"client_id", "mailing_id", "from", "to", "step", "totals", "buckets"}
// (+ "links" for a mailing).
AdminResponse StatsAnswer(const Call& call, std::optional<int64_t> mailing_id) {
  AdminResponse error;
  std::optional<StatsQuery> q = ReadStatsQuery(call, &error);
  if (!q) return error;
  auto rows = call.catalog().Stats(call.client_id, mailing_id, q->from, q->to, q->step);
  if (!rows.ok()) return StoreFailure(rows.status());
  store::events::Counters totals{};
  Json buckets = Json::array();
  for (const store::events::StatsRow& row : *rows) {
    for (std::size_t i = 0; i < totals.size(); ++i) totals[i] += row.counts[i];
    Json bucket = {{"start", FormatIsoTime(row.start)}};
    bucket.update(CountersJson(row.counts));
    buckets.push_back(std::move(bucket));
  }
  Json body = {{"client_id", call.client_id},
               {"mailing_id", mailing_id ? Json(*mailing_id) : Json()},
               {"from", FormatIsoTime(q->from)},
               {"to", FormatIsoTime(q->to)},
               {"step", q->step == store::events::Step::kHour ? "hour" : "day"},
               {"totals", CountersJson(totals)},
               {"buckets", std::move(buckets)}};
  if (mailing_id) {
    auto links = call.catalog().LinkStats(call.client_id, *mailing_id, q->from, q->to);
    if (!links.ok()) return StoreFailure(links.status());
    Json out = Json::array();
    for (const store::events::LinkClicks& l : *links) {
      out.push_back(
          {{"link_index", l.link_index}, {"clicks", l.clicks}, {"clicks_unique", l.unique}});
    }
    body["links"] = std::move(out);
  }
  return JsonAnswer(200, body);
}

// The {address} of the path, normalised as recipient IDs are; nullopt and
// *error 400 naming the problem.
std::optional<std::string> PathAddress(const Call& call, AdminResponse* error) {
  Result<std::string> address =
      NormaliseAddress(call.path.find("address")->second, AddressLiterals::kAllow);
  if (!address.ok()) {
    *error = BadQuery("address: " + address.status().message());
    return std::nullopt;
  }
  return *address;
}

}  // namespace

AdminResponse ListEvents(const Call& call) {
  AdminResponse error;
  std::optional<store::PageRequest> page = ReadPage(call.query, &error);
  if (!page) return error;
  Result<std::string> secret = ClientSecret(call);
  if (!secret.ok()) return StoreFailure(secret.status());
  auto events = call.catalog().ClientEvents(call.client_id, *page);
  if (!events.ok()) {
    if (events.status().IsInvalidArgument()) {
      return BadQuery(events.status().message());
    }
    return StoreFailure(events.status());
  }
  Json items = Json::array();
  std::optional<std::string> last;
  for (const auto& e : *events) {
    const std::string mail_id =
        e.event.mail_seq ? MailId::Make(call.client_id, *e.event.mail_seq, *secret).ToString() : "";
    items.push_back(store::events::EventJson(e, mail_id));
    last = std::to_string(e.id);
  }
  return PageAnswer(std::move(items), page->limit, last);
}

AdminResponse MailingStats(const Call& call) {
  AdminResponse error;
  std::optional<store::Mailing> mailing = PathMailing(call, &error);
  if (!mailing) return error;
  return StatsAnswer(call, mailing->id);
}

AdminResponse ClientStats(const Call& call) { return StatsAnswer(call, std::nullopt); }

AdminResponse GetBounces(const Call& call) {
  AdminResponse error;
  std::optional<std::string> address = PathAddress(call, &error);
  if (!address) return error;
  auto client = call.context.engine.directory().FindClient(call.client_id);
  if (!client.ok()) return StoreFailure(client.status());
  if (!*client) return NotFound("client " + std::to_string(call.client_id));
  // List 0: no list, so only the client-wide counts (the bounce count is).
  auto suppression = call.context.engine.directory().CheckSuppression(call.client_id, 0, *address);
  if (!suppression.ok()) return StoreFailure(suppression.status());
  return JsonAnswer(200, Json{{"address", *address},
                              {"hard_bounces", suppression->hard_bounces},
                              {"bounce_limit", (*client)->bounce_limit}});
}

AdminResponse ResetBounces(const Call& call) {
  AdminResponse error;
  std::optional<std::string> address = PathAddress(call, &error);
  if (!address) return error;
  auto change = call.catalog().ResetBounces(call.client_id, *address);
  if (!change.ok()) return StoreFailure(change.status());
  return NoContent();
}

}  // namespace campaignd::admin::api
