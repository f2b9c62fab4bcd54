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
#ifndef CAMPAIGND_STORE_TEST_DATABASE_H_
#define CAMPAIGND_STORE_TEST_DATABASE_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"
#include "store/temp_dir.h"

namespace campaignd::store {

// The PostgreSQL server's URL the environment names; nullopt: SQLite.
std::optional<std::string> TestServerUrl();

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

}  // namespace campaignd::store

#endif  // CAMPAIGND_STORE_TEST_DATABASE_H_
