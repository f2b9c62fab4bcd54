// Test-only: a temporary directory, an SqliteEngine opened in it, and a
// sample client spec (two lists, a mailing, a code, blocklist entries)
// that the store tests apply and then look up. Not part of the library.
#ifndef CAMPAIGND_STORE_SQLITE_ENGINE_FIXTURE_H_
#define CAMPAIGND_STORE_SQLITE_ENGINE_FIXTURE_H_

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "store/sqlite/sqlite_engine.h"
#include "store/sqlite/temp_dir.h"

namespace campaignd::store::sqlite {

// A fresh temporary directory for a test; aborts the test binary if none
// can be made (every test needs one, and "" would put files under "/").
inline TempDir MakeTestDir() {
  Result<TempDir> dir = TempDir::Create("store-test");
  if (!dir.ok()) {
    std::fprintf(stderr, "%s\n", dir.status().ToString().c_str());
    std::abort();
  }
  return std::move(*dir);
}

// Client `id`: list 10 (standard, fields firstname/orders), list 11
// (transaction), event mailing 100 (SENDING) on list 10, code "main" with
// hash "hash-<id>" for list 10, recipient a@example.com on list 10,
// blocklist "blocked@example.com" and "*@spam.example".
inline ClientSpec SampleClient(int64_t id) {
  ClientSpec spec;
  spec.client = {id, "client " + std::to_string(id), "file:outbox", {"shop.example"}, 3, 0,
                 "secret-of-" + std::to_string(id)};
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

// A test with an engine on a fresh database file and SampleClient(1) and
// SampleClient(2) applied.
class EngineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Reopen();
    ASSERT_NE(engine_, nullptr);
    Status applied = engine_->provisioner().Apply({SampleClient(1), SampleClient(2)});
    ASSERT_TRUE(applied.ok()) << applied.ToString();
  }

  // Closes the engine (if open) and opens the same file again.
  void Reopen(const EngineOptions& options = {}) {
    engine_.reset();
    Result<std::unique_ptr<SqliteEngine>> opened = SqliteEngine::Open(db_path(), options);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    engine_ = std::move(*opened);
  }

  std::string db_path() const { return dir_.File("campaignd.db"); }
  Directory& directory() { return engine_->directory(); }
  MailQueue& queue() { return engine_->queue(); }
  Provisioner& provisioner() { return engine_->provisioner(); }

  TempDir dir_ = MakeTestDir();
  std::unique_ptr<SqliteEngine> engine_;
};

}  // namespace campaignd::store::sqlite

#endif  // CAMPAIGND_STORE_SQLITE_ENGINE_FIXTURE_H_
