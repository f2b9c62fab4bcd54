#include "deliver/file_transport.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>

namespace campaignd::deliver {
namespace {

constexpr mode_t kFileMode = 0640;

bool IsSafeMailId(std::string_view id) {
  if (id.empty() || id.size() > limits::kMaxFileMailIdBytes) return false;
  for (char c : id) {
    bool ok =
        (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
    if (!ok) return false;
  }
  return true;
}

DeliveryResult Temporary(std::string what, const std::string& path, int err) {
  return {DeliveryKind::kTemporaryFailure, 0,
          std::move(what) + " " + path + ": " + std::strerror(err)};
}

// Creates `dir` and its parents; 0 or the errno.
int MakeDirectories(const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  return ec ? ec.value() : 0;
}

// Writes all of `data` to `fd`; 0 or the errno.
int WriteAll(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return 0;
}

// Opens the temporary file, creating the directory once if it vanished.
int OpenTemp(const std::string& dir, const std::string& tmp) {
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, kFileMode);
  if (fd < 0 && errno == ENOENT && MakeDirectories(dir) == 0) {
    fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, kFileMode);
  }
  return fd;
}

// Makes the rename durable; 0 or the errno.
int SyncDirectory(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return errno;
  int err = ::fsync(fd) == 0 ? 0 : errno;
  ::close(fd);
  return err;
}

}  // namespace

Result<std::unique_ptr<Transport>> FileTransport::Open(std::string dir, std::string described) {
  if (int err = MakeDirectories(dir); err != 0) {
    return Status::IOError("cannot create mail directory " + dir + ": " + std::strerror(err));
  }
  return std::unique_ptr<Transport>(new FileTransport(std::move(dir), std::move(described)));
}

DeliveryResult FileTransport::Deliver(const Envelope& envelope, std::string_view message) {
  if (!IsSafeMailId(envelope.mail_id)) {
    return {DeliveryKind::kPermanentFailure, 0,
            "mail ID is not a safe file name (want 1-" + std::to_string(limits::kMaxFileMailIdBytes) +
                " of A-Z a-z 0-9 -)"};
  }
  const std::string tmp = dir_ + "/." + envelope.mail_id + ".tmp";
  const std::string path = dir_ + "/" + envelope.mail_id + ".eml";
  int fd = OpenTemp(dir_, tmp);
  if (fd < 0) return Temporary("cannot create", tmp, errno);
  int err = WriteAll(fd, message);
  const char* step = "cannot write";
  const std::string* where = &tmp;
  if (err == 0 && ::fsync(fd) != 0) {
    err = errno;
    step = "cannot fsync";
  }
  if (::close(fd) != 0 && err == 0) {
    err = errno;
    step = "cannot close";
  }
  if (err == 0 && ::rename(tmp.c_str(), path.c_str()) != 0) {
    err = errno;
    step = "cannot rename to";
    where = &path;
  }
  if (err != 0) {
    ::unlink(tmp.c_str());
    return Temporary(step, *where, err);
  }
  if (int sync_err = SyncDirectory(dir_); sync_err != 0) {
    return Temporary("cannot fsync directory", dir_, sync_err);
  }
  return {DeliveryKind::kDelivered, 0, "250 written to " + path};
}

}  // namespace campaignd::deliver
