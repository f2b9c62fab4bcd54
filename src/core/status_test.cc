#include "core/status.h"

#include <gtest/gtest.h>

namespace campaignd {
namespace {

TEST(StatusTest, OkByDefault) {
  Status s;
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.ToString(), "OK");
}

TEST(StatusTest, CarriesCodeAndMessage) {
  Status s = Status::Unavailable("database locked");
  EXPECT_FALSE(s.ok());
  EXPECT_TRUE(s.IsUnavailable());
  EXPECT_EQ(s.ToString(), "unavailable: database locked");
  EXPECT_EQ(s.WithContext("enqueue").ToString(), "unavailable: enqueue: database locked");
}

TEST(StatusTest, ResultHoldsValueOrStatus) {
  Result<int> good = 7;
  ASSERT_TRUE(good.ok());
  EXPECT_EQ(*good, 7);
  EXPECT_TRUE(good.status().ok());

  Result<int> bad = Status::NotFound("no such mailing");
  EXPECT_FALSE(bad.ok());
  EXPECT_TRUE(bad.status().IsNotFound());
}

Status FailsThenPropagates() {
  CAMPAIGND_RETURN_IF_ERROR(Status::IOError("disk full"));
  return Status::Internal("unreachable");
}

TEST(StatusTest, ReturnIfErrorPropagates) {
  EXPECT_EQ(FailsThenPropagates().ToString(), "I/O error: disk full");
}

}  // namespace
}  // namespace campaignd
