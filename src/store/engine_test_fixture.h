// Test-only: the engine-neutral store tests' fixture. EngineTest opens the
// engine the environment names (test_database.h: SQLite by default, or a
// fresh PostgreSQL database) through OpenEngine, and applies two sample
// clients; the same test bodies then check both engines.
// Naming: suites that only make sense on one engine are called Sqlite* or
// Pg*; ctest registers each test binary twice and filters them by that
// prefix (CMakeLists.txt campaignd_test). Pg* tests skip themselves when no
// PostgreSQL server is configured.
#ifndef CAMPAIGND_STORE_ENGINE_TEST_FIXTURE_H_
#define CAMPAIGND_STORE_ENGINE_TEST_FIXTURE_H_

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "store/store.h"
#include "store/test_database.h"

namespace campaignd::store {

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

#endif  // CAMPAIGND_STORE_ENGINE_TEST_FIXTURE_H_
