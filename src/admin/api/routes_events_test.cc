// After the relay (events.md §1, §2, §5): a mail's events beside its
// history, a client's events paged by id, the statistics of a mailing and
// of a client with their parameters checked (a 400 naming the problem,
// nothing answered from a bad range), and the bounce counter's read and
// reset.
#include "admin/api/api_testutil.h"
#include "store/catalog.h"
#include "store/sql/events.h"
#include "store/sql/records.h"

namespace campaignd::admin::api {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
namespace events = store::events;

// 2023-11-14T22:13:20Z, the fake clock's start: hour 22.
const TimePoint kT0 = FromUnixMillis(1'700'000'000'000);

class EventRoutesTest : public AdminApiTest {
 protected:
  void SetUp() override {
    AdminApiTest::SetUp();
    // The sample clients' blocklist entries wrote `blocklist` events: start from none.
    Result<int64_t> deleted =
        store_.engine().runner().Execute("DELETE FROM events", {}, "start without events");
    ASSERT_TRUE(deleted.ok()) << deleted.status().ToString();
  }
  void Append(const std::vector<events::Event>& all) {
    Status s = store_.engine().runner().Write(
        [&](store::SqlSession& session) { return events::AppendAll(session, all); });
    ASSERT_TRUE(s.ok()) << s.ToString();
  }
  static events::Event Of(int64_t client, events::EventType type, TimePoint at,
                          std::optional<int64_t> mail = std::nullopt) {
    return {.client_id = client,
            .type = type,
            .at = at,
            .mail_seq = mail,
            .mailing_id = 100,
            .list_id = 10,
            .recipient_id = "a@example.com",
            .address = "a@example.com"};
  }
  int64_t Enqueue() {
    Result<int64_t> id = store_.queue().Enqueue({.client_id = 1,
                                                 .list_id = 10,
                                                 .mailing_id = 100,
                                                 .recipient_id = "a@example.com",
                                                 .fields = {},
                                                 .created_at = kT0});
    EXPECT_TRUE(id.ok());
    return id.ok() ? *id : 0;
  }
  void ExpectBadRequest(const std::string& target, std::string_view names) {
    TestReply reply = As1("GET", target);
    EXPECT_EQ(reply.status, 400) << target << " " << reply.body;
    EXPECT_EQ(reply.code(), "bad_request") << target;
    EXPECT_NE(reply.json["error"]["message"].get<std::string>().find(names), std::string::npos)
        << target << ": " << reply.body;
  }
  const std::string stats_ = "/admin/v1/clients/1/mailings/100/stats";
};

TEST_F(EventRoutesTest, TheMailViewShowsItsEventsBesideItsHistory) {
  const int64_t seq = Enqueue();
  events::Event bounce = Of(1, events::EventType::kBounce, kT0 + minutes(5), seq);
  bounce.data = R"({"status":"5.1.1","diagnostic":"user unknown"})";
  bounce.hard = true;
  // Another client's event on the same sequence number is not this mail's.
  Append({bounce, Of(1, events::EventType::kOpen, kT0 + minutes(6), seq),
          Of(2, events::EventType::kOpen, kT0, seq)});
  TestReply mail = As1("GET", "/admin/v1/clients/1/mails/" + std::to_string(seq));
  ASSERT_EQ(mail.status, 200) << mail.body;
  EXPECT_EQ(mail.json["history"].size(), 1u);
  ASSERT_EQ(mail.json["events"].size(), 2u) << mail.body;
  const auto& first = mail.json["events"][0];
  // The one JSON form of an event, the webhook's (events.md §1, §4): data
  // fields flattened into it.
  EXPECT_EQ(first["type"], "bounce");
  EXPECT_EQ(first["time"], "2023-11-14T22:18:20.000Z");
  EXPECT_EQ(first["mailId"], mail.json["mail_id"]);
  EXPECT_EQ(first["client"], 1);
  EXPECT_EQ(first["recipient"], "a@example.com");
  EXPECT_EQ(first["category"], "hard");
  EXPECT_EQ(first["status"], "5.1.1");
  EXPECT_EQ(first["diagnostic"], "user unknown");
  EXPECT_TRUE(first["id"].is_string());
  for (const char* admin_only : {"at", "mail_id", "data", "address", "mailing_id"}) {
    EXPECT_FALSE(first.contains(admin_only)) << admin_only;
  }
  EXPECT_EQ(mail.json["events"][1]["type"], "open");
}

TEST_F(EventRoutesTest, AClientsEventsArePagedByIdAndOnlyItsOwn) {
  const int64_t seq = Enqueue();
  Append({Of(1, events::EventType::kSent, kT0, seq), Of(2, events::EventType::kSent, kT0),
          Of(1, events::EventType::kOpen, kT0 + minutes(1), seq),
          Of(1, events::EventType::kBlocklist, kT0 + minutes(2))});
  TestReply page = As1("GET", "/admin/v1/clients/1/events?limit=2");
  ASSERT_EQ(page.status, 200) << page.body;
  ASSERT_EQ(page.json["items"].size(), 2u);
  EXPECT_EQ(page.json["items"][0]["type"], "sent");
  EXPECT_TRUE(page.json["items"][0]["mailId"].is_string());
  EXPECT_EQ(page.json["items"][1]["type"], "open");
  ASSERT_TRUE(page.json["next_cursor"].is_string());
  TestReply rest = As1("GET", "/admin/v1/clients/1/events?limit=2&cursor=" +
                                  page.json["next_cursor"].get<std::string>());
  ASSERT_EQ(rest.json["items"].size(), 1u) << rest.body;
  EXPECT_EQ(rest.json["items"][0]["type"], "blocklist");
  EXPECT_FALSE(rest.json["items"][0].contains("mailId"));
  EXPECT_TRUE(rest.json["next_cursor"].is_null());
  // The console polls with the last id it has: nothing new yet.
  EXPECT_EQ(As1("GET", "/admin/v1/clients/1/events?cursor=" +
                           rest.json["items"][0]["id"].get<std::string>())
                .json["items"]
                .size(),
            0u);
  EXPECT_EQ(Do("GET", "/admin/v1/clients/2/events", key2_).json["items"].size(), 1u);
  ExpectBadRequest("/admin/v1/clients/1/events?cursor=abc", "cursor");
  ExpectBadRequest("/admin/v1/clients/1/events?limit=0", "limit");
  EXPECT_EQ(As1("GET", "/admin/v1/clients/1/events?after=1").status, 400) << "unknown parameter";
}

TEST_F(EventRoutesTest, StatisticsCountByHourAndDayWithHumansAndMachinesApart) {
  events::Event open = Of(1, events::EventType::kOpen, kT0);
  open.first = true;
  events::Event scanner = Of(1, events::EventType::kOpen, kT0 + minutes(1));
  scanner.machine = true;
  events::Event click = Of(1, events::EventType::kClick, kT0 + hours(1));
  click.first = true;
  click.link_index = 2;
  events::Event again = click;
  again.first = false;
  events::Event other = Of(1, events::EventType::kSent, kT0);
  other.mailing_id = 0;  // not a mailing's: in the client's statistics only
  events::Event hard = Of(1, events::EventType::kBounce, kT0 + hours(1));
  hard.hard = true;
  Append({open, scanner, click, again, other, hard, Of(2, events::EventType::kOpen, kT0)});
  store::events::Counters enqueued{};
  enqueued[events::kEnqueued] = 3;
  ASSERT_TRUE(store_.engine()
                  .runner()
                  .Write([&](store::SqlSession& s) {
                    return events::AddCounts(s, 1, 100, kT0 - hours(2), enqueued);
                  })
                  .ok());

  TestReply by_hour = As1("GET", stats_ + "?from=2023-11-14&to=2023-11-15&step=hour");
  ASSERT_EQ(by_hour.status, 200) << by_hour.body;
  EXPECT_EQ(by_hour.json["step"], "hour");
  EXPECT_EQ(by_hour.json["mailing_id"], 100);
  ASSERT_EQ(by_hour.json["buckets"].size(), 3u) << by_hour.body;
  EXPECT_EQ(by_hour.json["buckets"][0]["start"], "2023-11-14T20:00:00.000Z");
  EXPECT_EQ(by_hour.json["buckets"][0]["enqueued"], 3);
  const auto& at22 = by_hour.json["buckets"][1];
  EXPECT_EQ(at22["start"], "2023-11-14T22:00:00.000Z");
  EXPECT_EQ(at22["opens"], 2);
  EXPECT_EQ(at22["opens_human"], 1);
  EXPECT_EQ(at22["opens_machine"], 1);
  EXPECT_EQ(at22["opens_unique"], 1);
  EXPECT_EQ(at22["sent"], 0) << "mailing 0's sent is not mailing 100's";
  const auto& at23 = by_hour.json["buckets"][2];
  EXPECT_EQ(at23["clicks"], 2);
  EXPECT_EQ(at23["clicks_unique"], 1);
  EXPECT_EQ(at23["clicks_human"], 2);
  EXPECT_EQ(at23["bounced_hard"], 1);
  EXPECT_EQ(by_hour.json["totals"]["opens"], 2);
  EXPECT_EQ(by_hour.json["totals"]["enqueued"], 3);
  ASSERT_EQ(by_hour.json["links"].size(), 1u);
  EXPECT_EQ(by_hour.json["links"][0],
            (nlohmann::json{{"link_index", 2}, {"clicks", 2}, {"clicks_unique", 1}}));

  TestReply by_day = As1("GET", stats_ + "?from=2023-11-01&to=2023-12-01");
  ASSERT_EQ(by_day.status, 200) << by_day.body;
  EXPECT_EQ(by_day.json["step"], "day");
  ASSERT_EQ(by_day.json["buckets"].size(), 1u);
  EXPECT_EQ(by_day.json["buckets"][0]["start"], "2023-11-14T00:00:00.000Z");
  EXPECT_EQ(by_day.json["buckets"][0]["clicks"], 2);

  // The client's: every mailing and mail without one; never another client's.
  TestReply client = As1("GET", "/admin/v1/clients/1/stats?from=1699920000000&step=day");
  ASSERT_EQ(client.status, 200) << client.body;
  EXPECT_TRUE(client.json["mailing_id"].is_null());
  EXPECT_FALSE(client.json.contains("links"));
  EXPECT_EQ(client.json["totals"]["sent"], 1);
  EXPECT_EQ(client.json["totals"]["opens"], 2);
  // Defaults: the 7 days before now, by day.
  TestReply recent = As1("GET", stats_);
  ASSERT_EQ(recent.status, 200) << recent.body;
  EXPECT_EQ(recent.json["to"], "2023-11-14T22:13:20.000Z");
  EXPECT_EQ(recent.json["from"], "2023-11-07T22:13:20.000Z");
  EXPECT_EQ(recent.json["totals"]["opens"], 2);
  // The answer's own from/to (with milliseconds) can be passed back.
  TestReply back = As1("GET", stats_ + "?from=" + recent.json["from"].get<std::string>() +
                                   "&to=" + recent.json["to"].get<std::string>());
  ASSERT_EQ(back.status, 200) << back.body;
  EXPECT_EQ(back.json["from"], recent.json["from"]);
  EXPECT_EQ(back.json["to"], recent.json["to"]);
  TestReply fraction = As1("GET", stats_ + "?to=2023-11-14T22:13:20.5Z");
  ASSERT_EQ(fraction.status, 200) << fraction.body;
  EXPECT_EQ(fraction.json["to"], "2023-11-14T22:13:20.500Z");
}

TEST_F(EventRoutesTest, BadStatisticsParametersAreNamed) {
  ExpectBadRequest(stats_ + "?step=week", "step: expected hour or day");
  ExpectBadRequest(stats_ + "?from=yesterday", "from: expected");
  ExpectBadRequest(stats_ + "?to=2023-13-45", "to: expected");
  ExpectBadRequest(stats_ + "?to=2023-11-14T22:13:20.Z", "to: expected");
  ExpectBadRequest(stats_ + "?to=2023-11-14T22:13:20.000", "to: expected");
  ExpectBadRequest(stats_ + "?to=2023-11-14T22:13:20.0000000000Z", "to: expected");
  ExpectBadRequest(stats_ + "?from=2023-11-15&to=2023-11-14", "from: must be before to");
  ExpectBadRequest(stats_ + "?from=2023-11-14&to=2023-11-14", "from: must be before to");
  ExpectBadRequest(stats_ + "?from=2023-10-01&to=2023-11-14&step=hour", "range too long");
  ExpectBadRequest("/admin/v1/clients/1/stats?from=2020-01-01&to=2023-11-14", "range too long");
  EXPECT_EQ(As1("GET", stats_ + "?from=2023-10-14&to=2023-11-14&step=hour").status, 200)
      << "31 days by hour is allowed";
  EXPECT_EQ(As1("GET", stats_ + "?group=x").status, 400);
  EXPECT_EQ(As1("GET", "/admin/v1/clients/1/mailings/999/stats").status, 404);
  EXPECT_EQ(As1("GET", "/admin/v1/clients/1/mailings/x/stats").status, 404);
  EXPECT_EQ(As1("GET", "/admin/v1/clients/2/stats").status, 403);
}

TEST_F(EventRoutesTest, ABounceCountIsShownAndReset) {
  ASSERT_TRUE(store_.engine()
                  .runner()
                  .Write([](store::SqlSession& s) {
                    return store::records::SetBounces(s, 1, "bouncy@example.com", 3);
                  })
                  .ok());
  TestReply shown = As1("GET", "/admin/v1/clients/1/bounces/Bouncy@Example.com");
  ASSERT_EQ(shown.status, 200) << shown.body;
  EXPECT_EQ(shown.json,
            (nlohmann::json{
                {"address", "bouncy@example.com"}, {"hard_bounces", 3}, {"bounce_limit", 3}}));
  EXPECT_EQ(Do("GET", "/admin/v1/clients/2/bounces/bouncy@example.com", key2_).json["hard_bounces"],
            0)
      << "counts are per client";
  // Client 2's key cannot reset client 1's count.
  EXPECT_EQ(Do("DELETE", "/admin/v1/clients/1/bounces/bouncy@example.com", key2_).status, 403);
  EXPECT_EQ(As1("GET", "/admin/v1/clients/1/bounces/bouncy@example.com").json["hard_bounces"], 3);
  // A bad address is named and changes nothing.
  TestReply bad = As1("DELETE", "/admin/v1/clients/1/bounces/not-an-address");
  EXPECT_EQ(bad.status, 400) << bad.body;
  EXPECT_NE(bad.json["error"]["message"].get<std::string>().find("address"), std::string::npos);
  EXPECT_EQ(As1("GET", "/admin/v1/clients/1/bounces/bouncy@example.com").json["hard_bounces"], 3);

  EXPECT_EQ(As1("DELETE", "/admin/v1/clients/1/bounces/BOUNCY@example.com").status, 204);
  EXPECT_EQ(As1("GET", "/admin/v1/clients/1/bounces/bouncy@example.com").json["hard_bounces"], 0);
  // Suppression sees it: the address is no longer too_many_bounces.
  EXPECT_EQ(store_.directory().CheckSuppression(1, 10, "bouncy@example.com")->hard_bounces, 0);
  EXPECT_EQ(As1("DELETE", "/admin/v1/clients/1/bounces/fresh@example.com").status, 204)
      << "resetting a count that is 0 is done too";
}

}  // namespace
}  // namespace campaignd::admin::api
