// TempStore: a real engine on a fresh database, removed when the TempStore
// goes away - SQLite in a temporary directory, or a fresh PostgreSQL
// database when CAMPAIGND_TEST_DATABASE(_FILE) names a server (see
// store/store_testutil.h), so every test using it runs on both engines.
// Test-only; tests use real storage, not mocks.
#ifndef CAMPAIGND_TESTING_TEMP_STORE_H_
#define CAMPAIGND_TESTING_TEMP_STORE_H_

#include <memory>
#include <string>

#include "store/store.h"
#include "store/store_testutil.h"

namespace campaignd::testing {

class TempStore {
 public:
  // Aborts the test binary if the engine cannot be opened (a broken test
  // environment, not a test failure).
  TempStore();
  ~TempStore();
  TempStore(const TempStore&) = delete;
  TempStore& operator=(const TempStore&) = delete;

  store::Engine& engine() { return *engine_; }
  store::Directory& directory() { return engine_->directory(); }
  store::MailQueue& queue() { return engine_->queue(); }
  store::Provisioner& provisioner() { return engine_->provisioner(); }
  store::Coordination& coordination() { return engine_->coordination(); }
  // The database's URL, for a second engine on the same data (as another
  // process would open it).
  const std::string& url() const { return db_->url(); }
  bool postgres() const { return db_->postgres(); }

 private:
  std::unique_ptr<store::TestDatabase> db_;
  std::unique_ptr<store::Engine> engine_;
};

}  // namespace campaignd::testing

#endif  // CAMPAIGND_TESTING_TEMP_STORE_H_
