// Coordination through the engine, on the engine the environment names:
// rate windows and subscribing. The cross-process behaviour (shared
// windows, wake-ups from another process) is PostgreSQL's: pg_engine_test.cc.
#include <gtest/gtest.h>

#include "store/store_testutil.h"
#include "store/local_coordination.h"

namespace campaignd::store {
namespace {

using std::chrono::milliseconds;

using CoordinationTest = EngineTest;

TEST_F(CoordinationTest, AllowsPerSecondThenWaitsForTheNextWindow) {
  const TimePoint t = FromUnixMillis(1'700'000'000'250);
  for (int i = 0; i < 3; ++i) {
    Result<milliseconds> wait = coordination().AcquireRate("relay:a", 3, t);
    ASSERT_TRUE(wait.ok()) << wait.status().ToString();
    EXPECT_EQ(*wait, milliseconds(0)) << i;
  }
  EXPECT_EQ(*coordination().AcquireRate("relay:a", 3, t + milliseconds(500)), milliseconds(250));
  EXPECT_EQ(*coordination().AcquireRate("relay:a", 3, t), milliseconds(750)) << "not counted";
  EXPECT_EQ(*coordination().AcquireRate("client:1", 3, t), milliseconds(0)) << "own window";
  EXPECT_EQ(*coordination().AcquireRate("relay:a", 3, t + milliseconds(750)), milliseconds(0));
  EXPECT_EQ(*coordination().AcquireRate("relay:a", 1, t + milliseconds(760)), milliseconds(990))
      << "a lower limit applies to the same window";
}

TEST_F(CoordinationTest, CountsEventsInLongFixedWindows) {
  using std::chrono::seconds;
  const seconds window(600);
  const TimePoint start = FromUnixMillis(1'700'000'400'000);  // a multiple of 600 s
  for (int i = 0; i < 3; ++i) {
    Result<bool> counted =
        coordination().CountInWindow("optin:1:192.0.2.1", 3, window, start + seconds(100 * i));
    ASSERT_TRUE(counted.ok()) << counted.status().ToString();
    EXPECT_TRUE(*counted) << i;
  }
  // Full for the rest of the window, also past the 60 s clean-up of rate windows.
  EXPECT_FALSE(*coordination().CountInWindow("optin:1:192.0.2.1", 3, window, start + seconds(599)));
  EXPECT_TRUE(*coordination().CountInWindow("optin:1:192.0.2.2", 3, window, start + seconds(599)))
      << "own key";
  EXPECT_TRUE(*coordination().CountInWindow("optin:1:192.0.2.1", 3, window, start + seconds(600)))
      << "the next window";
  EXPECT_FALSE(*coordination().CountInWindow("optin:1:192.0.2.1", 1, window, start + seconds(601)))
      << "a lower limit applies to the same window";
}

TEST(WindowEndTest, AlignsToTheWindowLength) {
  EXPECT_EQ(WindowEnd(0, std::chrono::seconds(600)), 600);
  EXPECT_EQ(WindowEnd(599, std::chrono::seconds(600)), 600);
  EXPECT_EQ(WindowEnd(600, std::chrono::seconds(600)), 1200);
  EXPECT_EQ(WindowEnd(5, std::chrono::seconds(1)), 6);
}

TEST_F(CoordinationTest, SubscribeAcceptsANotifier) {
  // Subscribe's contract: the notifier outlives the engine (the listener may
  // notify until the engine closes, after this body returns).
  static NullNotifier notifier;
  EXPECT_TRUE(coordination().Subscribe(notifier).ok());
  EXPECT_TRUE(queue().Enqueue({1, 10, 100, "a@example.com", {}, FromUnixMillis(0)}).ok());
}

}  // namespace
}  // namespace campaignd::store
