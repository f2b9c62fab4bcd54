// TempDir: a fresh private directory under $TMPDIR (or /tmp), removed with
// its contents when the TempDir is destroyed. Holds the database of
// "sqlite::memory:" engines (sqlite_engine.h) and the test databases.
// Threads: a value owned by one object. Errors: Unavailable if the
// directory cannot be created.
#ifndef CAMPAIGND_STORE_TEMP_DIR_H_
#define CAMPAIGND_STORE_TEMP_DIR_H_

#include <string>
#include <string_view>

#include "core/status.h"

namespace campaignd::store {

class TempDir {
 public:
  // Creates "<tmp>/<prefix>-XXXXXX".
  static Result<TempDir> Create(std::string_view prefix);

  TempDir() = default;  // holds nothing
  TempDir(TempDir&& other) noexcept;
  TempDir& operator=(TempDir&& other) noexcept;  // removes what this held
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir();

  // Empty when holding nothing.
  const std::string& path() const { return path_; }
  std::string File(std::string_view name) const { return path_ + "/" + std::string(name); }

 private:
  void Remove();
  std::string path_;
};

}  // namespace campaignd::store

#endif  // CAMPAIGND_STORE_TEMP_DIR_H_
