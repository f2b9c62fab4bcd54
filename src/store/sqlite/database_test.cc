#include "store/sqlite/database.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <fstream>

#include "store/sqlite/sqlite_testutil.h"
#include "store/sqlite/sqlite_error.h"

namespace campaignd::store::sqlite {
namespace {

std::unique_ptr<Database> OpenOrDie(const std::string& path, DatabaseOptions options = {}) {
  Result<std::unique_ptr<Database>> db = Database::Open(path, options);
  EXPECT_TRUE(db.ok()) << db.status().ToString();
  return db.ok() ? std::move(*db) : nullptr;
}

std::string QueryText(Database& db, std::string_view sql) {
  Result<Statement> query = db.Prepare(sql, "test query");
  EXPECT_TRUE(query.ok()) << query.status().ToString();
  Result<bool> row = query->Step();
  EXPECT_TRUE(row.ok() && *row) << row.status().ToString();
  return query->ColumnText(0);
}

TEST(SqliteErrorTest, MapsCodesToStatus) {
  struct Row {
    int rc;
    Status::Code code;
  } rows[] = {
      {SQLITE_BUSY, Status::Code::kUnavailable},
      {SQLITE_BUSY_SNAPSHOT, Status::Code::kUnavailable},
      {SQLITE_LOCKED, Status::Code::kUnavailable},
      {SQLITE_FULL, Status::Code::kUnavailable},
      {SQLITE_IOERR_FSYNC, Status::Code::kUnavailable},
      {SQLITE_CANTOPEN, Status::Code::kUnavailable},
      {SQLITE_CONSTRAINT_UNIQUE, Status::Code::kInvalidArgument},
      {SQLITE_CONSTRAINT_FOREIGNKEY, Status::Code::kInvalidArgument},
      {SQLITE_CORRUPT, Status::Code::kCorruption},
      {SQLITE_NOTADB, Status::Code::kCorruption},
      {SQLITE_READONLY, Status::Code::kIOError},
      {SQLITE_MISUSE, Status::Code::kIOError},
      {SQLITE_ERROR, Status::Code::kIOError},
  };
  for (const Row& row : rows) {
    Status status = SqliteError(row.rc, nullptr, "do the thing");
    EXPECT_EQ(status.code(), row.code) << row.rc << " " << status.ToString();
    EXPECT_EQ(status.message().rfind("do the thing: ", 0), 0u) << status.message();
  }
}

TEST(SqliteDatabaseTest, OpensDurableWalWithForeignKeys) {
  TempDir dir = MakeTestDir();
  auto db = OpenOrDie(dir.File("x.db"));
  ASSERT_NE(db, nullptr);
  EXPECT_EQ(QueryText(*db, "PRAGMA journal_mode"), "wal");
  EXPECT_EQ(QueryText(*db, "PRAGMA synchronous"), "2");  // FULL
  EXPECT_EQ(QueryText(*db, "PRAGMA foreign_keys"), "1");
  EXPECT_EQ(QueryText(*db, "PRAGMA busy_timeout"),
            std::to_string(limits::kSqliteBusyTimeout.count()));
}

TEST(SqliteDatabaseTest, EmptyTextIsNotNull) {
  TempDir dir = MakeTestDir();
  auto db = OpenOrDie(dir.File("x.db"));
  ASSERT_TRUE(db->Exec("CREATE TABLE t (s TEXT NOT NULL)", "create").ok());
  Result<Statement> insert = db->Prepare("INSERT INTO t VALUES (?1)", "insert");
  Status status = insert->Bind(1, std::string()).Run();
  EXPECT_TRUE(status.ok()) << status.ToString();
}

TEST(SqliteDatabaseTest, StatementsBindStepAndAreReused) {
  TempDir dir = MakeTestDir();
  auto db = OpenOrDie(dir.File("x.db"));
  ASSERT_TRUE(db->Exec("CREATE TABLE t (i INTEGER, s TEXT, b BLOB)", "create").ok());
  for (int i = 0; i < 3; ++i) {
    Result<Statement> insert = db->Prepare("INSERT INTO t VALUES (?1, ?2, ?3)", "insert");
    ASSERT_TRUE(insert.ok());
    Status run = insert->Bind(1, i).Bind(2, "s" + std::to_string(i)).Bind(3, SqlBytes{""}).Run();
    ASSERT_TRUE(run.ok()) << run.ToString();
    EXPECT_EQ(db->Changes(), 1);
  }
  // Two live uses of the same SQL: the second gets its own statement.
  Result<Statement> outer = db->Prepare("SELECT i, s, b FROM t ORDER BY i", "outer");
  Result<Statement> inner = db->Prepare("SELECT i, s, b FROM t ORDER BY i", "inner");
  ASSERT_TRUE(outer.ok() && inner.ok());
  ASSERT_TRUE(*outer->Step());
  ASSERT_TRUE(*inner->Step());
  ASSERT_TRUE(*inner->Step());
  EXPECT_EQ(outer->ColumnInt(0), 0);
  EXPECT_EQ(inner->ColumnText(1), "s1");
  EXPECT_FALSE(outer->ColumnIsNull(2));  // an empty blob, not NULL
  EXPECT_EQ(outer->ColumnText(2), "");
}

TEST(SqliteDatabaseTest, ErrorsNameThePurpose) {
  TempDir dir = MakeTestDir();
  auto db = OpenOrDie(dir.File("x.db"));
  ASSERT_TRUE(db->Exec("CREATE TABLE t (k TEXT PRIMARY KEY)", "create").ok());
  ASSERT_TRUE(db->Exec("INSERT INTO t VALUES ('a')", "first insert").ok());
  Result<Statement> insert = db->Prepare("INSERT INTO t VALUES (?1)", "insert key");
  Status dup = insert->Bind(1, "a").Run();
  EXPECT_TRUE(dup.IsInvalidArgument()) << dup.ToString();
  EXPECT_NE(dup.message().find("insert key: UNIQUE constraint failed: t.k"), std::string::npos)
      << dup.message();

  Result<Statement> bad = db->Prepare("SELEC 1", "bad sql");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message().rfind("bad sql (prepare): ", 0), 0u);
  EXPECT_FALSE(db->Prepare("SELECT 1; SELECT 2", "two").ok());
  Result<Statement> range = db->Prepare("SELECT ?1", "bind range");
  EXPECT_FALSE(range->Bind(5, 1).Step().ok());
}

TEST(SqliteDatabaseTest, ReadOnlyConnectionRefusesWrites) {
  TempDir dir = MakeTestDir();
  auto writer = OpenOrDie(dir.File("x.db"));
  ASSERT_TRUE(writer->Exec("CREATE TABLE t (k TEXT)", "create").ok());
  DatabaseOptions options;
  options.read_only = true;
  auto reader = OpenOrDie(dir.File("x.db"), options);
  Status write = reader->Exec("INSERT INTO t VALUES ('a')", "sneaky write");
  EXPECT_EQ(write.code(), Status::Code::kIOError) << write.ToString();
  EXPECT_NE(write.message().find("sneaky write"), std::string::npos);
}

TEST(SqliteDatabaseTest, CannotOpenIsUnavailable) {
  TempDir dir = MakeTestDir();
  Result<std::unique_ptr<Database>> db = Database::Open(dir.File("missing/dir/x.db"), {});
  ASSERT_FALSE(db.ok());
  EXPECT_TRUE(db.status().IsUnavailable()) << db.status().ToString();
  EXPECT_NE(db.status().message().find("missing/dir/x.db"), std::string::npos);
}

TEST(SqliteDatabaseTest, NotADatabaseIsCorruption) {
  TempDir dir = MakeTestDir();
  std::ofstream(dir.File("junk.db")) << std::string(8192, 'x');
  Result<std::unique_ptr<Database>> db = Database::Open(dir.File("junk.db"), {});
  ASSERT_FALSE(db.ok());
  EXPECT_EQ(db.status().code(), Status::Code::kCorruption) << db.status().ToString();
}

TEST(SqliteDatabaseTest, BusyIsUnavailable) {
  TempDir dir = MakeTestDir();
  auto holder = OpenOrDie(dir.File("x.db"));
  ASSERT_TRUE(holder->Exec("CREATE TABLE t (k TEXT)", "create").ok());
  ASSERT_TRUE(holder->Exec("BEGIN IMMEDIATE", "take write lock").ok());
  DatabaseOptions options;
  options.busy_timeout = std::chrono::milliseconds(20);
  auto other = OpenOrDie(dir.File("x.db"), options);
  Status busy = other->Exec("INSERT INTO t VALUES ('a')", "write while locked");
  EXPECT_TRUE(busy.IsUnavailable()) << busy.ToString();
  EXPECT_NE(busy.message().find("database is locked"), std::string::npos) << busy.message();
  ASSERT_TRUE(holder->Exec("COMMIT", "release").ok());
  EXPECT_TRUE(other->Exec("INSERT INTO t VALUES ('a')", "write after unlock").ok());
}

TEST(SqliteDatabaseTest, DiskFullIsUnavailable) {
  TempDir dir = MakeTestDir();
  auto db = OpenOrDie(dir.File("x.db"));
  ASSERT_TRUE(db->Exec("CREATE TABLE t (v BLOB)", "create").ok());
  ASSERT_TRUE(db->Exec("PRAGMA max_page_count = 3", "limit size").ok());
  Status full = db->Exec("INSERT INTO t VALUES (zeroblob(100000))", "store big value");
  EXPECT_TRUE(full.IsUnavailable()) << full.ToString();
}

}  // namespace
}  // namespace campaignd::store::sqlite
