#include "store/postgres/pg_error.h"

#include <gtest/gtest.h>

namespace campaignd::store::postgres {
namespace {

using Code = Status::Code;

TEST(PgErrorTest, ClassifiesSqlStates) {
  struct Case {
    const char* sqlstate;
    bool lost;
    Code code;
  } cases[] = {
      {"", true, Code::kUnavailable},        // connection lost, no SQLSTATE
      {"23505", true, Code::kUnavailable},   // whatever it says, the connection is gone
      {"08006", false, Code::kUnavailable},  // connection failure
      {"08001", false, Code::kUnavailable},
      {"57P01", false, Code::kUnavailable},  // admin shutdown / terminated
      {"57P03", false, Code::kUnavailable},  // cannot connect now (starting up)
      {"53100", false, Code::kUnavailable},  // disk full
      {"53300", false, Code::kUnavailable},  // too many connections
      {"40001", false, Code::kUnavailable},  // serialization failure
      {"40P01", false, Code::kUnavailable},  // deadlock
      {"55P03", false, Code::kUnavailable},  // lock_timeout: a lock held by another session
      {"23505", false, Code::kInvalidArgument},
      {"23503", false, Code::kInvalidArgument},
      {"23514", false, Code::kInvalidArgument},
      {"22P02", false, Code::kInvalidArgument},
      {"XX001", false, Code::kCorruption},
      {"42P01", false, Code::kIOError},  // undefined table
      {"57014", false, Code::kIOError},  // query canceled
      {"", false, Code::kIOError},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(ClassifySqlState(c.sqlstate, c.lost), c.code) << c.sqlstate << " lost=" << c.lost;
  }
}

TEST(PgErrorTest, MessageNamesPurposeAndSqlState) {
  Status status = PgError("23505", false, "upsert code", "duplicate key value");
  EXPECT_TRUE(status.IsInvalidArgument());
  EXPECT_EQ(status.message(), "upsert code: duplicate key value (SQLSTATE 23505)");
  EXPECT_EQ(PgError("", true, "claim", "").message(), "claim: unknown PostgreSQL error");
}

}  // namespace
}  // namespace campaignd::store::postgres
