// store_testutil.h, test-only (library campaignd_store_testing, never linked into campaignd):
// TestDatabase, SampleClient and the EngineTest fixture.
//
// TestDatabase: a fresh database for one test, on the engine the
// environment names - test-only (library campaignd_store_testing, never
// linked into campaignd), so every store-level test and testing::TempStore
// run unchanged on both engines:
//   CAMPAIGND_TEST_DATABASE=postgresql://...   that server
//   CAMPAIGND_TEST_DATABASE_FILE=PATH          the URL in PATH (scripts/pg-cluster
//                                              writes it; ctest's pg.* tests use it)
//   neither                                    SQLite in a temporary directory
// On PostgreSQL each test gets database campaignd_test_<pid>_<random>,
// created from a template database that holds the migrated schema
// (campaignd_template_<hash of the migrations>, built once per server under
// an advisory lock), and dropped afterwards.
// Threads: one TestDatabase per test; Create() may run in many processes.
#ifndef CAMPAIGND_STORE_STORE_TESTUTIL_H_
#define CAMPAIGND_STORE_STORE_TESTUTIL_H_

#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"
#include "store/store.h"
#include "store/temp_dir.h"

namespace campaignd::store {

// The PostgreSQL server's URL the environment names; nullopt: SQLite.
std::optional<std::string> TestServerUrl();

// PostgreSQL `url` naming database `dbname` instead of its own, options
// kept. InvalidArgument if `url` is not a PostgreSQL URL.
Result<std::string> WithDatabase(std::string_view url, std::string_view dbname);

class TestDatabase {
 public:
  enum class Schema { kMigrated, kEmpty };

  // kEmpty: no tables at all (migration tests).
  static Result<std::unique_ptr<TestDatabase>> Create(Schema schema = Schema::kMigrated);
  // As Create, but aborts the test binary on failure (a broken test
  // environment, not a test failure).
  static std::unique_ptr<TestDatabase> CreateOrDie(Schema schema = Schema::kMigrated);
  ~TestDatabase();  // drops the database / removes the directory
  TestDatabase(const TestDatabase&) = delete;
  TestDatabase& operator=(const TestDatabase&) = delete;

  // For OpenEngine: "sqlite:PATH" or "postgresql://.../campaignd_test_...".
  const std::string& url() const { return url_; }
  bool postgres() const { return !server_url_.empty(); }

  // Runs SQL on a connection of its own, as another process would.
  Status Exec(std::string_view sql);
  // The first column of the first row of `sql`, an integer.
  Result<int64_t> QueryInt(std::string_view sql);

 private:
  TestDatabase() = default;

  std::string url_;
  std::string server_url_;  // PostgreSQL: the server's own database (to drop ours)
  std::string name_;        // PostgreSQL: our database
  TempDir dir_;     // SQLite
};


// Test-only: the engine-neutral store tests' fixture. EngineTest opens the
// engine the environment names (TestDatabase above: SQLite by default, or a
// fresh PostgreSQL database) through OpenEngine, and applies two sample
// clients; the same test bodies then check both engines.
// Naming: suites that only make sense on one engine are called Sqlite* or
// Pg*; ctest registers each test binary twice and filters them by that
// prefix (CMakeLists.txt campaignd_test). Pg* tests skip themselves when no
// PostgreSQL server is configured.
// Client `id`: list 10 (standard, fields firstname/orders), list 11
// (transaction), event mailing 100 (SENDING) on list 10, code "main" with
// hash "hash-<id>" for list 10, recipient a@example.com on list 10,
// blocklist "blocked@example.com" and "*@spam.example".
inline ClientSpec SampleClient(int64_t id) {
  ClientSpec spec;
  spec.client.id = id;
  spec.client.name = "client " + std::to_string(id);
  spec.client.transport = "file:outbox";
  spec.client.redirect_hosts = {"shop.example"};
  spec.client.bounce_limit = 3;
  spec.client.mail_id_secret = "secret-of-" + std::to_string(id);
  spec.dkim_keys = {{"example.com", "s1", "ed25519-sha256", "-----PEM " + std::to_string(id)}};
  spec.lists = {{id, 10, "newsletter", ListKind::kStandard, false,
                 {{"firstname", "text"}, {"orders", "int"}}},
                {id, 11, "transactions", ListKind::kTransaction, false, {}}};
  spec.recipients = {{10, "a@example.com", {{"firstname", "Ann"}}, RecipientState::kActive}};
  Mailing mailing;
  mailing.id = 100;
  mailing.name = "welcome";
  mailing.type = MailingType::kEvent;
  mailing.status = MailingStatus::kSending;
  mailing.list_ids = {10};
  mailing.from = "Shop <shop@example.com>";
  mailing.subject = "Hello {firstname}";
  mailing.text = "Hi";
  spec.mailings = {mailing};
  AuthCode code;
  code.code_hash = "hash-" + std::to_string(id);
  code.name = "main";
  code.list_id = 10;
  code.operations = {"sendeventmail"};
  code.ips = {"10.0.0.0/8"};
  spec.codes = {code};
  spec.blocklist = {{"Blocked@Example.com", "manual"}, {"*@spam.example", "spam"}};
  return spec;
}

// A test that needs PostgreSQL: skipped when none is configured.
class PgTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!TestServerUrl()) GTEST_SKIP() << "no PostgreSQL (set CAMPAIGND_TEST_DATABASE)";
  }
};

// A test with an engine on a fresh database and SampleClient(1) and
// SampleClient(2) applied.
class EngineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = TestDatabase::CreateOrDie();
    Reopen();
    ASSERT_NE(engine_, nullptr);
    Status applied = engine_->provisioner().Apply({SampleClient(1), SampleClient(2)});
    ASSERT_TRUE(applied.ok()) << applied.ToString();
  }
  void TearDown() override {
    if (engine_ != nullptr) engine_->Close();
    engine_.reset();
  }

  // Closes the engine (if open) and opens the same database again.
  void Reopen(const EngineOptions& options = {}) {
    engine_.reset();
    engine_ = OpenOrFail(options);
  }
  // Another engine on the same database, as another process would have.
  std::unique_ptr<Engine> OpenOrFail(const EngineOptions& options = {}) {
    Result<std::unique_ptr<Engine>> opened = OpenEngine(db_->url(), options);
    EXPECT_TRUE(opened.ok()) << opened.status().ToString();
    return opened.ok() ? std::move(*opened) : nullptr;
  }

  // SQL through a connection of its own (portable SQL only).
  void ExecSql(std::string_view sql) {
    Status status = db_->Exec(sql);
    ASSERT_TRUE(status.ok()) << status.ToString();
  }
  int64_t QueryInt(std::string_view sql) {
    Result<int64_t> value = db_->QueryInt(sql);
    EXPECT_TRUE(value.ok()) << value.status().ToString();
    return value.ok() ? *value : -1;
  }

  Directory& directory() { return engine_->directory(); }
  MailQueue& queue() { return engine_->queue(); }
  Provisioner& provisioner() { return engine_->provisioner(); }
  Coordination& coordination() { return engine_->coordination(); }

  std::unique_ptr<TestDatabase> db_;
  std::unique_ptr<Engine> engine_;
};

}  // namespace campaignd::store

#endif  // CAMPAIGND_STORE_STORE_TESTUTIL_H_
