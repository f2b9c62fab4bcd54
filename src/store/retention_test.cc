// store/retention.h on the engine the environment names (SQLite, and
// PostgreSQL in ctest's pg.* copy): PurgeExpired applies each retention to
// its own rows - final mails with their history past the status retention,
// events with their outbox rows and webhook attempts past theirs - keeps
// everything younger, open mails and the counters, and stops between
// batches when told.
#include "store/retention.h"

#include <gtest/gtest.h>

#include "store/sql/events.h"
#include "store/store_testutil.h"

namespace campaignd::store {
namespace {

using std::chrono::hours;
using std::chrono::seconds;

const TimePoint kT0 = FromUnixMillis(1'700'002'800'000);
const TimePoint kNow = kT0 + hours(24 * 100);

class RetentionTest : public EngineTest {
 protected:
  void SetUp() override {
    EngineTest::SetUp();
    // The fixture's blocklist entries wrote `blocklist` events: start from none.
    ExecSql("DELETE FROM events");
    // Mails: an old sent one, an old one still enqueued, a young sent one.
    for (const TimePoint at : {kT0, kT0 + hours(1), kNow - hours(1)}) {
      Result<int64_t> id = queue().Enqueue({1, 10, 100, "m@example.com", {}, at});
      ASSERT_TRUE(id.ok()) << id.status().ToString();
      mails_.push_back(*id);
    }
    ExecSql("UPDATE mails SET status = 'sent' WHERE id IN (" + std::to_string(mails_[0]) + ", " +
            std::to_string(mails_[2]) + ")");
    events::Webhook hook{.client_id = 1,
                         .id = 1,
                         .url = "https://hooks.example/in",
                         .types = {events::EventType::kOpen},
                         .signing_secret = "s",
                         .created_at = kT0};
    // Events: 3 old ones (91 days before now), 2 young (one day); the
    // webhook takes each into its outbox. Attempts: one old, one young.
    std::vector<events::Event> opens;
    for (const TimePoint at :
         {kT0, kT0 + hours(1), kT0 + hours(2), kNow - hours(24), kNow - hours(23)}) {
      opens.push_back({.client_id = 1,
                       .type = events::EventType::kOpen,
                       .at = at,
                       .mail_seq = mails_[0],
                       .mailing_id = 100,
                       .first = at == kT0});
    }
    Status written = engine_->runner().Write([&](SqlSession& s) -> Status {
      CAMPAIGND_RETURN_IF_ERROR(
          events::WriteWebhook(s, hook, events::WebhookWrite::kInsert).status());
      CAMPAIGND_RETURN_IF_ERROR(events::AppendAll(s, opens));
      for (const TimePoint at : {kT0, kNow - hours(1)}) {
        CAMPAIGND_RETURN_IF_ERROR(
            events::Failed(s, {.client_id = 1, .webhook_id = 1, .at = at, .events = 1}).status());
      }
      return Status::Ok();
    });
    ASSERT_TRUE(written.ok()) << written.ToString();
  }

  std::string Count(std::string_view table) {
    return std::to_string(QueryInt("SELECT count(*) FROM " + std::string(table)));
  }

  static constexpr RetentionPolicy kPolicy{
      .mails = hours(24 * 14), .events = hours(24 * 90), .attempts = hours(24 * 90), .batch = 2};
  std::vector<int64_t> mails_;
};

TEST_F(RetentionTest, PurgesWhatIsPastEachRetentionAndKeepsTheRest) {
  const int64_t counters = QueryInt("SELECT sum(opens) FROM stats_hourly");
  ASSERT_EQ(counters, 5);
  ASSERT_EQ(Count("webhook_outbox"), "5");

  Result<Purged> purged = PurgeExpired(engine_->runner(), kNow, kPolicy);
  ASSERT_TRUE(purged.ok()) << purged.status().ToString();
  EXPECT_EQ(purged->mails, 1);
  EXPECT_EQ(purged->events, 3);
  EXPECT_EQ(purged->attempts, 1);
  // The old sent mail and its history are gone; the open one and the young one stay.
  EXPECT_EQ(QueryInt("SELECT count(*) FROM mails WHERE id = " + std::to_string(mails_[0])), 0);
  EXPECT_EQ(
      QueryInt("SELECT count(*) FROM mail_events WHERE mail_id = " + std::to_string(mails_[0])), 0);
  EXPECT_EQ(Count("mails"), "2");
  EXPECT_TRUE(queue().FindMail(1, mails_[1])->has_value()) << "still enqueued: kept";
  EXPECT_FALSE(queue().FindMail(1, mails_[0])->has_value());
  // Young events stay with their outbox rows; the old ones' are gone.
  EXPECT_EQ(Count("events"), "2");
  EXPECT_EQ(Count("webhook_outbox"), "2");
  EXPECT_EQ(QueryInt("SELECT min(at) FROM events"), ToUnixMillis(kNow - hours(24)));
  EXPECT_EQ(Count("webhook_attempts"), "1");
  EXPECT_EQ(QueryInt("SELECT at FROM webhook_attempts"), ToUnixMillis(kNow - hours(1)));
  // The counters stay.
  EXPECT_EQ(QueryInt("SELECT sum(opens) FROM stats_hourly"), counters);
  EXPECT_EQ(QueryInt("SELECT sum(opens_unique) FROM stats_hourly"), 1);

  // A second run finds nothing more.
  Result<Purged> again = PurgeExpired(engine_->runner(), kNow, kPolicy);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->mails + again->events + again->attempts, 0);
}

TEST_F(RetentionTest, ARetentionLongerThanTheRowsKeepsThemAll) {
  RetentionPolicy keep = kPolicy;
  keep.mails = keep.events = keep.attempts = hours(24 * 365);
  Result<Purged> purged = PurgeExpired(engine_->runner(), kNow, keep);
  ASSERT_TRUE(purged.ok()) << purged.status().ToString();
  EXPECT_EQ(purged->mails + purged->events + purged->attempts, 0);
  EXPECT_EQ(Count("mails"), "3");
  EXPECT_EQ(Count("events"), "5");
  EXPECT_EQ(Count("webhook_attempts"), "2");
}

TEST_F(RetentionTest, AStopSetBeforehandDeletesNothing) {
  const std::atomic<bool> stop{true};
  Result<Purged> purged = PurgeExpired(engine_->runner(), kNow, kPolicy, &stop);
  ASSERT_TRUE(purged.ok()) << purged.status().ToString();
  EXPECT_EQ(purged->mails + purged->events + purged->attempts, 0);
  EXPECT_EQ(Count("events"), "5");
}

}  // namespace
}  // namespace campaignd::store
