// queue/retention.h: the worker's purge runs on its own thread once at
// Start (old events gone, young ones kept), and Stop ends it at once even
// with an interval of an hour.
#include "queue/retention.h"

#include <gtest/gtest.h>

#include <thread>

#include "store/sql_session.h"
#include "testing/fake_clock.h"
#include "testing/temp_store.h"

namespace campaignd::queue {
namespace {

using std::chrono::hours;

TEST(RetentionPurgerTest, PurgesAtStartAndStopsWithoutWaitingForTheInterval) {
  testing::TempStore temp;
  testing::FakeClock clock;
  const TimePoint now = clock.Now();
  Status s = temp.engine().runner().Write([&](store::SqlSession& session) -> Status {
    for (TimePoint at : {now - hours(24 * 91), now - hours(24 * 89)}) {
      const store::SqlValue values[] = {ToUnixMillis(at)};
      CAMPAIGND_RETURN_IF_ERROR(
          session
              .Execute("INSERT INTO events (client_id, type, at, mailing_id, list_id, "
                       "recipient_id, address, data) VALUES (1, 'blocklist', $1, 0, 0, '', '', "
                       "'{}')",
                       values, "test event")
              .status());
    }
    return Status::Ok();
  });
  ASSERT_TRUE(s.ok()) << s.ToString();

  RetentionPurger purger(
      temp.engine().runner(), clock,
      {.mails = hours(24 * 14), .events = hours(24 * 90), .attempts = hours(24 * 90)}, hours(1));
  purger.Start();
  for (int i = 0; i < 500 && purger.runs() == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_EQ(purger.runs(), 1);
  const auto stopping = std::chrono::steady_clock::now();
  purger.Stop();
  EXPECT_LT(std::chrono::steady_clock::now() - stopping, std::chrono::seconds(2));
  auto left = store::ReadResult<std::vector<store::SqlRow>>(
      temp.engine().runner(), [](store::SqlSession& session) {
        return session.Query("SELECT at FROM events", {}, 1, "test events");
      });
  ASSERT_TRUE(left.ok()) << left.status().ToString();
  ASSERT_EQ(left->size(), 1u) << "the young event stays";
  EXPECT_EQ(*store::CellInt(left->front(), 0), ToUnixMillis(now - hours(24 * 89)));
  purger.Stop();  // twice is harmless
}

}  // namespace
}  // namespace campaignd::queue
