// Connection, PgResult and Transaction against a real server.
#include "store/postgres/connection.h"

#include <gtest/gtest.h>

#include <thread>

#include "store/store_testutil.h"

namespace campaignd::store::postgres {
namespace {

class PgConnectionTest : public PgTest {
 protected:
  void SetUp() override {
    PgTest::SetUp();
    if (IsSkipped()) return;
    db_ = TestDatabase::CreateOrDie(TestDatabase::Schema::kEmpty);
    Result<std::unique_ptr<Connection>> conn = Connection::Open(db_->url(), kTimeout);
    ASSERT_TRUE(conn.ok()) << conn.status().ToString();
    conn_ = std::move(*conn);
    ASSERT_TRUE(conn_->Exec("CREATE TABLE t (id bigint PRIMARY KEY, s text, b bytea, j json)",
                            "create t")
                    .ok());
  }
  static constexpr std::chrono::seconds kTimeout{2};
  std::unique_ptr<TestDatabase> db_;
  std::unique_ptr<Connection> conn_;
};

TEST_F(PgConnectionTest, ValuesRoundTrip) {
  const std::string bytes("\0\x01\xff'\"\\x", 7);
  const std::string text = "quote ' double \" backslash \\ unicode K\u00f6ln \u2603";
  Result<PgResult> inserted = conn_->Query(
      "INSERT INTO t (id, s, b, j) VALUES ($1, $2, $3, $4), ($5, $6, $7, $8)",
      {-7, text, SqlBytes{bytes}, "{\"b\":1,\"a\":2}", 8, SqlValue(), SqlBytes{""}, SqlValue()},
      "insert");
  ASSERT_TRUE(inserted.ok()) << inserted.status().ToString();
  EXPECT_EQ(inserted->affected(), 2);
  Result<PgResult> rows = conn_->Query("SELECT id, s, b, j FROM t ORDER BY id", {}, "read");
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->rows(), 2);
  EXPECT_EQ(rows->Int(0, 0), -7);
  EXPECT_EQ(rows->Text(0, 1), text);
  EXPECT_EQ(rows->Bytes(0, 2), bytes);
  EXPECT_EQ(rows->Text(0, 3), "{\"b\":1,\"a\":2}") << "json keeps the text as written";
  EXPECT_TRUE(rows->IsNull(1, 1));
  EXPECT_FALSE(rows->IsNull(1, 2));
  EXPECT_EQ(rows->Bytes(1, 2), "");
}

TEST_F(PgConnectionTest, ArrayParametersKeepEveryCharacter) {
  const std::vector<std::string> texts = {"plain", "with \"quotes\"", "back\\slash", "",
                                          "{braces}, commas", "NULL"};
  const std::vector<int64_t> ids = {1, 2, 3, 4, 5, 6};
  ASSERT_TRUE(conn_
                  ->Query("INSERT INTO t (id, s) SELECT * FROM unnest($1::bigint[], $2::text[])",
                          {IntArray(ids), TextArray(texts)}, "insert arrays")
                  .ok());
  Result<PgResult> rows = conn_->Query("SELECT s FROM t ORDER BY id", {}, "read");
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->rows(), 6);
  for (int i = 0; i < 6; ++i) {
    EXPECT_FALSE(rows->IsNull(i, 0)) << i;
    EXPECT_EQ(rows->Text(i, 0), texts[static_cast<std::size_t>(i)]);
  }
}

TEST_F(PgConnectionTest, NulByteInTextIsRefusedBeforeSending) {
  Result<PgResult> result =
      conn_->Query("INSERT INTO t (id, s) VALUES ($1, $2)", {1, std::string("a\0b", 3)}, "insert");
  ASSERT_FALSE(result.ok());
  EXPECT_TRUE(result.status().IsInvalidArgument());
  EXPECT_NE(result.status().message().find("$2 contains a NUL byte"), std::string::npos);
}

TEST_F(PgConnectionTest, ErrorsAreClassifiedAndNameThePurpose) {
  ASSERT_TRUE(conn_->Query("INSERT INTO t (id) VALUES ($1)", {1}, "first").ok());
  Result<PgResult> duplicate = conn_->Query("INSERT INTO t (id) VALUES ($1)", {1}, "insert twice");
  ASSERT_FALSE(duplicate.ok());
  EXPECT_TRUE(duplicate.status().IsInvalidArgument());
  EXPECT_EQ(duplicate.status().message().rfind("insert twice: ", 0), 0u);
  EXPECT_NE(duplicate.status().message().find("SQLSTATE 23505"), std::string::npos);
  EXPECT_NE(duplicate.status().message().find("[constraint t_pkey]"), std::string::npos);

  Status missing = conn_->Exec("SELECT * FROM no_such_table", "read nothing");
  EXPECT_EQ(missing.code(), Status::Code::kIOError) << missing.ToString();
  Result<PgResult> bad_json =
      conn_->Query("INSERT INTO t (id, j) VALUES ($1, $2)", {2, "{"}, "json");
  EXPECT_TRUE(bad_json.status().IsInvalidArgument()) << bad_json.status().ToString();
  EXPECT_TRUE(conn_->idle());
  EXPECT_FALSE(conn_->broken());
}

TEST_F(PgConnectionTest, OnlyACommittedTransactionKeepsItsRows) {
  ASSERT_TRUE(conn_->Exec("BEGIN", "abandoned").ok());
  ASSERT_TRUE(conn_->Query("INSERT INTO t (id) VALUES ($1)", {1}, "insert").ok());
  conn_->Rollback();
  EXPECT_TRUE(conn_->idle());
  ASSERT_TRUE(conn_->Exec("BEGIN", "failed").ok());
  ASSERT_TRUE(conn_->Query("INSERT INTO t (id) VALUES ($1)", {2}, "insert").ok());
  EXPECT_FALSE(conn_->Exec("SELECT * FROM no_such_table", "fail").ok());
  Status commit = conn_->Commit("failed");
  EXPECT_FALSE(commit.ok()) << "a failed transaction does not commit quietly";
  EXPECT_TRUE(conn_->idle());
  ASSERT_TRUE(conn_->Exec("BEGIN", "kept").ok());
  ASSERT_TRUE(conn_->Query("INSERT INTO t (id) VALUES ($1)", {3}, "insert").ok());
  ASSERT_TRUE(conn_->Commit("kept").ok());
  Result<PgResult> rows = conn_->Query("SELECT id FROM t ORDER BY id", {}, "read");
  ASSERT_EQ(rows->rows(), 1);
  EXPECT_EQ(rows->Int(0, 0), 3);
}

TEST_F(PgConnectionTest, ServerClosingTheConnectionIsUnavailable) {
  Result<std::unique_ptr<Connection>> admin = Connection::Open(db_->url(), kTimeout);
  ASSERT_TRUE(admin.ok());
  ASSERT_TRUE(
      (*admin)->Query("SELECT pg_terminate_backend($1)", {conn_->backend_pid()}, "terminate").ok());
  // The backend's exit is asynchronous: wait until the server forgot it.
  for (int i = 0; i < 200; ++i) {
    Result<PgResult> alive = (*admin)->Query("SELECT count(*) FROM pg_stat_activity WHERE pid = $1",
                                             {conn_->backend_pid()}, "look for backend");
    ASSERT_TRUE(alive.ok());
    if (alive->Int(0, 0) == 0) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  Result<PgResult> after = conn_->Query("SELECT 1", {}, "after terminate");
  ASSERT_FALSE(after.ok());
  EXPECT_TRUE(after.status().IsUnavailable()) << after.status().ToString();
  EXPECT_TRUE(conn_->broken());
}

TEST(PgConnectOpenTest, UnreachableServerIsUnavailable) {
  Result<std::unique_ptr<Connection>> conn =
      Connection::Open("postgresql://u:pw@127.0.0.1:1/db", std::chrono::seconds(2));
  ASSERT_FALSE(conn.ok());
  EXPECT_TRUE(conn.status().IsUnavailable());
  EXPECT_EQ(conn.status().message().find(":pw@"), std::string::npos);
}

}  // namespace
}  // namespace campaignd::store::postgres
