#include "deliver/file_transport.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <optional>
#include <system_error>
#include <utility>
#include <vector>

namespace campaignd::deliver {
namespace {

constexpr mode_t kFileMode = 0640;
constexpr mode_t kDirectoryMode = 0777;  // less the umask, as mkdir -p

bool IsSafeMailId(std::string_view id) {
  if (id.empty() || id.size() > limits::kMaxFileMailIdBytes) return false;
  for (char c : id) {
    bool ok =
        (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
    if (!ok) return false;
  }
  return true;
}

// An owned file descriptor.
class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  Fd(Fd&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  Fd& operator=(Fd&& other) noexcept {
    std::swap(fd_, other.fd_);
    return *this;
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }
  int release() { return std::exchange(fd_, -1); }
  explicit operator bool() const { return fd_ >= 0; }

 private:
  int fd_;
};

// The components of a relative directory ("a/./b/" -> a, b); nullopt when
// it is absolute or has a ".." segment (ParseTransportUrl refuses both; this
// is the second line).
std::optional<std::vector<std::string>> Components(std::string_view dir) {
  if (dir.empty() || dir.front() == '/') return std::nullopt;
  std::vector<std::string> out;
  while (!dir.empty()) {
    const std::size_t slash = dir.find('/');
    std::string_view part = dir.substr(0, slash);
    if (part == "..") return std::nullopt;
    if (!part.empty() && part != ".") out.emplace_back(part);
    dir = slash == std::string_view::npos ? std::string_view() : dir.substr(slash + 1);
  }
  return out;
}

// The errno text, or why a component is refused.
std::string Why(int parent, const std::string& name, int err) {
  struct stat st;
  if (err == ENOTDIR && ::fstatat(parent, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 &&
      S_ISLNK(st.st_mode)) {
    return "'" + name + "' is a symbolic link (refused: the outbox must stay below outbox_root)";
  }
  return std::strerror(err);
}

// Opens ROOT/DIR as a directory, making what is missing; components below
// ROOT are never followed if they are symbolic links. *why says what failed.
Fd OpenDirectory(const std::string& root, const std::vector<std::string>& parts, std::string* why) {
  Fd fd(::open(root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd && errno == ENOENT) {
    std::error_code ec;
    std::filesystem::create_directories(root, ec);
    fd = Fd(::open(root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  }
  if (!fd) {
    *why = "outbox_root " + root + ": " + std::strerror(errno);
    return Fd();
  }
  constexpr int kFlags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
  for (const std::string& part : parts) {
    Fd next(::openat(fd.get(), part.c_str(), kFlags));
    if (!next && errno == ENOENT) {
      if (::mkdirat(fd.get(), part.c_str(), kDirectoryMode) != 0 && errno != EEXIST) {
        *why = std::strerror(errno);
        return Fd();
      }
      next = Fd(::openat(fd.get(), part.c_str(), kFlags));
    }
    if (!next) {
      *why = Why(fd.get(), part, errno);
      return Fd();
    }
    fd = std::move(next);
  }
  return fd;
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

DeliveryResult Temporary(std::string what, const std::string& path, const std::string& why) {
  return {DeliveryKind::kTemporaryFailure, 0, std::move(what) + " " + path + ": " + why};
}

}  // namespace

FileTransport::FileTransport(std::string root, std::string dir, std::string described)
    : root_(std::move(root)),
      dir_(std::move(dir)),
      path_(root_ + "/" + dir_),
      described_(std::move(described)) {}

Result<std::unique_ptr<Transport>> FileTransport::Open(std::string root, std::string dir,
                                                       std::string described) {
  std::optional<std::vector<std::string>> parts = Components(dir);
  if (!parts) {
    return Status::InvalidArgument("file transport directory '" + dir +
                                   "' must be a relative path below outbox_root without '..'");
  }
  std::unique_ptr<FileTransport> t(
      new FileTransport(std::move(root), std::move(dir), std::move(described)));
  std::string why;
  if (!OpenDirectory(t->root_, *parts, &why)) {
    return Status::IOError("cannot create mail directory " + t->path_ + ": " + why);
  }
  return std::unique_ptr<Transport>(std::move(t));
}

DeliveryResult FileTransport::Deliver(const Envelope& envelope, std::string_view message) {
  if (!IsSafeMailId(envelope.mail_id)) {
    return {DeliveryKind::kPermanentFailure, 0,
            "mail ID is not a safe file name (want 1-" + std::to_string(limits::kMaxFileMailIdBytes) +
                " of A-Z a-z 0-9 -)"};
  }
  std::string why;
  Fd dir(OpenDirectory(root_, Components(dir_).value_or(std::vector<std::string>{}), &why));
  if (!dir) return Temporary("cannot open mail directory", path_, why);
  const std::string tmp = "." + envelope.mail_id + ".tmp";
  const std::string eml = envelope.mail_id + ".eml";
  Fd file(::openat(dir.get(), tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC,
                   kFileMode));
  if (!file) return Temporary("cannot create", path_ + "/" + tmp, std::strerror(errno));
  int err = WriteAll(file.get(), message);
  const char* step = "cannot write";
  std::string where = path_ + "/" + tmp;
  if (err == 0 && ::fsync(file.get()) != 0) {
    err = errno;
    step = "cannot fsync";
  }
  if (::close(file.release()) != 0 && err == 0) {
    err = errno;
    step = "cannot close";
  }
  if (err == 0 && ::renameat(dir.get(), tmp.c_str(), dir.get(), eml.c_str()) != 0) {
    err = errno;
    step = "cannot rename to";
    where = path_ + "/" + eml;
  }
  if (err != 0) {
    ::unlinkat(dir.get(), tmp.c_str(), 0);
    return Temporary(step, where, std::strerror(err));
  }
  if (::fsync(dir.get()) != 0)
    return Temporary("cannot fsync directory", path_, std::strerror(errno));
  return {DeliveryKind::kDelivered, 0, "250 written to " + path_ + "/" + eml};
}

}  // namespace campaignd::deliver
