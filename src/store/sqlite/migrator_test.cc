#include <gtest/gtest.h>

#include "store/migration.h"
#include "store/sqlite/sqlite_engine.h"
#include "store/sqlite/sqlite_testutil.h"

namespace campaignd::store::sqlite {
namespace {

const TimePoint kNow = FromUnixMillis(1'700'000'000'000);

int64_t Count(Database& db, std::string_view sql) {
  Result<Statement> query = db.Prepare(sql, "count");
  EXPECT_TRUE(query.ok()) << query.status().ToString();
  EXPECT_TRUE(*query->Step());
  return query->ColumnInt(0);
}

class SqliteMigratorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Result<std::unique_ptr<Database>> db = Database::Open(dir_.File("m.db"), {});
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(*db);
  }
  TempDir dir_ = MakeTestDir();
  std::unique_ptr<Database> db_;
};

TEST_F(SqliteMigratorTest, EmbeddedMigrationsAreOrderedAndStartAtOne) {
  std::span<const Migration> migrations = SqliteMigrations();
  ASSERT_FALSE(migrations.empty());
  EXPECT_EQ(migrations[0].version, 1);
  EXPECT_EQ(migrations[0].name, "initial");
  for (std::size_t i = 1; i < migrations.size(); ++i) {
    EXPECT_LT(migrations[i - 1].version, migrations[i].version);
  }
}

TEST_F(SqliteMigratorTest, AppliesOnceAndIsIdempotent) {
  ASSERT_TRUE(ApplyMigrations(*db_, SqliteMigrations(), kNow).ok());
  EXPECT_EQ(Count(*db_, "SELECT max(version) FROM schema_migrations"),
            SqliteMigrations().back().version);
  EXPECT_EQ(Count(*db_, "SELECT count(*) FROM sqlite_master WHERE name = 'mails'"), 1);
  EXPECT_EQ(Count(*db_, "SELECT applied_at FROM schema_migrations WHERE version = 1"),
            ToUnixMillis(kNow));
  const int64_t rows = Count(*db_, "SELECT count(*) FROM schema_migrations");
  Status again = ApplyMigrations(*db_, SqliteMigrations(), kNow + std::chrono::hours(1));
  ASSERT_TRUE(again.ok()) << again.ToString();
  EXPECT_EQ(Count(*db_, "SELECT count(*) FROM schema_migrations"), rows);
  EXPECT_EQ(Count(*db_, "SELECT applied_at FROM schema_migrations WHERE version = 1"),
            ToUnixMillis(kNow));
}

TEST_F(SqliteMigratorTest, AppliesOnlyNewerMigrations) {
  const Migration first[] = {{1, "one", "CREATE TABLE one (x INTEGER)"}};
  const Migration both[] = {{1, "one", "CREATE TABLE one (x INTEGER)"},
                            {2, "two", "CREATE TABLE two (y INTEGER); INSERT INTO one VALUES (7)"}};
  ASSERT_TRUE(ApplyMigrations(*db_, first, kNow).ok());
  EXPECT_EQ(Count(*db_, "SELECT max(version) FROM schema_migrations"), 1);
  Status status = ApplyMigrations(*db_, both, kNow);
  ASSERT_TRUE(status.ok()) << status.ToString();
  EXPECT_EQ(Count(*db_, "SELECT max(version) FROM schema_migrations"), 2);
  EXPECT_EQ(Count(*db_, "SELECT count(*) FROM one"), 1);
}

TEST_F(SqliteMigratorTest, FailingMigrationChangesNothing) {
  const Migration migrations[] = {
      {1, "one", "CREATE TABLE one (x INTEGER)"},
      {2, "broken", "CREATE TABLE two (y INTEGER); INSERT INTO nowhere VALUES (1)"}};
  Status status = ApplyMigrations(*db_, migrations, kNow);
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.message().find("migration 2_broken"), std::string::npos) << status.message();
  EXPECT_EQ(Count(*db_, "SELECT max(version) FROM schema_migrations"), 1);
  EXPECT_EQ(Count(*db_, "SELECT count(*) FROM sqlite_master WHERE name = 'two'"), 0);
  EXPECT_FALSE(db_->InTransaction());
}

TEST_F(SqliteMigratorTest, DatabaseNewerThanBinaryIsRefused) {
  const Migration both[] = {{1, "one", "CREATE TABLE one (x INTEGER)"},
                            {2, "two", "CREATE TABLE two (y INTEGER)"}};
  ASSERT_TRUE(ApplyMigrations(*db_, both, kNow).ok());
  Status status = ApplyMigrations(*db_, std::span(both, 1), kNow);
  ASSERT_TRUE(status.IsInvalidArgument()) << status.ToString();
  EXPECT_NE(status.message().find("schema version 2"), std::string::npos) << status.message();
  EXPECT_NE(status.message().find("newer"), std::string::npos);
}

TEST_F(SqliteMigratorTest, RenamedMigrationIsRefused) {
  const Migration original[] = {{1, "one", "CREATE TABLE one (x INTEGER)"}};
  const Migration renamed[] = {{1, "uno", "CREATE TABLE one (x INTEGER)"}};
  ASSERT_TRUE(ApplyMigrations(*db_, original, kNow).ok());
  Status status = ApplyMigrations(*db_, renamed, kNow);
  ASSERT_TRUE(status.IsInvalidArgument()) << status.ToString();
  EXPECT_NE(status.message().find("'uno'"), std::string::npos);
}

TEST_F(SqliteMigratorTest, UnknownRecordedMigrationIsRefused) {
  const Migration three[] = {{1, "one", "CREATE TABLE one (x INTEGER)"},
                             {2, "two", "CREATE TABLE two (x INTEGER)"},
                             {3, "three", "CREATE TABLE three (x INTEGER)"}};
  const Migration without_two[] = {three[0], three[2]};
  ASSERT_TRUE(ApplyMigrations(*db_, three, kNow).ok());
  Status status = ApplyMigrations(*db_, without_two, kNow);
  ASSERT_TRUE(status.IsInvalidArgument()) << status.ToString();
  EXPECT_NE(status.message().find("version 2 ('two'), which this campaignd does not know"),
            std::string::npos)
      << status.message();
}

TEST_F(SqliteMigratorTest, ReportsWhatItAppliedAndKeepsOldClients) {
  std::vector<Migration> applied;
  ASSERT_TRUE(ApplyMigrations(*db_, SqliteMigrations().first(1), kNow, &applied).ok());
  ASSERT_EQ(applied.size(), 1u);
  EXPECT_EQ(applied[0].name, "initial");
  ASSERT_TRUE(db_->Exec("INSERT INTO clients (id, name, transport, redirect_hosts, bounce_limit, "
                        "mail_id_secret) VALUES (1, 'old', 'file:x', '[]', 3, x'01')",
                        "old client")
                  .ok());
  applied.clear();
  ASSERT_TRUE(ApplyMigrations(*db_, SqliteMigrations(), kNow, &applied).ok());
  ASSERT_EQ(applied.size(), SqliteMigrations().size() - 1);
  EXPECT_EQ(applied[0].name, "client_rate_limit");
  EXPECT_EQ(Count(*db_, "SELECT rate_limit FROM clients WHERE id = 1"), 0);
  EXPECT_FALSE(db_->Exec("UPDATE clients SET rate_limit = -1", "negative").ok());
  applied.clear();
  ASSERT_TRUE(ApplyMigrations(*db_, SqliteMigrations(), kNow, &applied).ok());
  EXPECT_TRUE(applied.empty());
}

}  // namespace
}  // namespace campaignd::store::sqlite
