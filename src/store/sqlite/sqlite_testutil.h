// Test-only: what the SQLite-only tests share - a temporary directory and
// an SqliteEngine opened in it (to see the writer's counters and the file),
// with the sample clients of store/store_testutil.h applied.
#ifndef CAMPAIGND_STORE_SQLITE_SQLITE_TESTUTIL_H_
#define CAMPAIGND_STORE_SQLITE_SQLITE_TESTUTIL_H_

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "store/store_testutil.h"
#include "store/sqlite/sqlite_engine.h"
#include "store/temp_dir.h"

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

// A test with an SqliteEngine on a fresh database file and SampleClient(1)
// and SampleClient(2) applied.
class SqliteEngineTest : public ::testing::Test {
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
  MailQueue& queue() { return engine_->queue(); }

  TempDir dir_ = MakeTestDir();
  std::unique_ptr<SqliteEngine> engine_;
};

}  // namespace campaignd::store::sqlite

#endif  // CAMPAIGND_STORE_SQLITE_SQLITE_TESTUTIL_H_
