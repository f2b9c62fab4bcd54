// TempStore: a real SQLite engine in a fresh temporary directory, removed
// when the TempStore goes away. Test-only; tests use real storage, not mocks.
#ifndef CAMPAIGND_TESTING_TEMP_STORE_H_
#define CAMPAIGND_TESTING_TEMP_STORE_H_

#include <filesystem>
#include <memory>
#include <string>

#include "store/store.h"

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
  const std::filesystem::path& dir() const { return dir_; }
  std::string url() const { return "sqlite:" + (dir_ / "test.db").string(); }

 private:
  std::filesystem::path dir_;
  std::unique_ptr<store::Engine> engine_;
};

}  // namespace campaignd::testing

#endif  // CAMPAIGND_TESTING_TEMP_STORE_H_
