#include "store/local_coordination.h"

#include <gtest/gtest.h>

namespace campaignd::store {
namespace {

using std::chrono::milliseconds;

TEST(LocalCoordinationTest, AllowsPerSecondThenWaitsForTheNextWindow) {
  LocalCoordination c;
  TimePoint t = FromUnixMillis(1'700'000'000'250);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(*c.AcquireRate("relay:a", 3, t), milliseconds(0));
  EXPECT_EQ(*c.AcquireRate("relay:a", 3, t), milliseconds(750));
  // Another key has its own window.
  EXPECT_EQ(*c.AcquireRate("client:1", 3, t), milliseconds(0));
  // The next second opens a new window.
  EXPECT_EQ(*c.AcquireRate("relay:a", 3, t + milliseconds(750)), milliseconds(0));
}

TEST(LocalCoordinationTest, SubscribeAcceptsANotifier) {
  LocalCoordination c;
  NullNotifier n;
  EXPECT_TRUE(c.Subscribe(n).ok());
}

}  // namespace
}  // namespace campaignd::store
