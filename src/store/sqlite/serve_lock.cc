#include "store/sqlite/serve_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "store/sqlite/database.h"

namespace campaignd::store::sqlite {

Result<ServeLock> ServeLock::Acquire(const std::string& db_path) {
  int fd = ::open(db_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, kDatabaseFileMode);
  if (fd < 0) {
    return Status::Unavailable("cannot open " + db_path + " to lock it: " + std::strerror(errno));
  }
  // flock() locks belong to this open file description: a second open in
  // the same process conflicts too, which is what "one serve" means.
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    int error = errno;
    ::close(fd);
    if (error == EWOULDBLOCK) {
      return Status::Unavailable("another campaignd serve uses " + db_path +
                                 " (the same file, perhaps under another name: a symlink or a "
                                 "hard link)");
    }
    return Status::Unavailable("cannot lock " + db_path + ": " + std::strerror(error));
  }
  return ServeLock(fd);
}

ServeLock::ServeLock(ServeLock&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}

ServeLock::~ServeLock() {
  if (fd_ >= 0) ::close(fd_);  // closing the last descriptor releases the flock
}

}  // namespace campaignd::store::sqlite
