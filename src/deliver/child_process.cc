#include "deliver/child_process.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <thread>

namespace campaignd::deliver {
namespace {

using Clock = std::chrono::steady_clock;

std::vector<char*> ArgvPointers(const std::vector<std::string>& argv) {
  std::vector<char*> out;
  for (const std::string& a : argv) out.push_back(const_cast<char*>(a.c_str()));
  out.push_back(nullptr);
  return out;
}

// Starts argv with stdout to `stdout_fd` (-1: /dev/null) and stderr to
// /dev/null when `quiet`; the pid or -errno. The child gets SIGTERM when the
// test process dies, so a crashed test leaves no server behind.
pid_t Spawn(const std::vector<std::string>& argv, int stdout_fd, bool quiet) {
  std::vector<char*> args = ArgvPointers(argv);
  const pid_t parent = ::getpid();
  pid_t pid = ::fork();
  if (pid < 0) return -errno;
  if (pid > 0) return pid;
  // Child: async-signal-safe calls only.
  ::prctl(PR_SET_PDEATHSIG, SIGTERM);
  if (::getppid() != parent) ::_exit(127);
  int null_fd = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
  ::dup2(stdout_fd >= 0 ? stdout_fd : null_fd, STDOUT_FILENO);
  if (quiet) ::dup2(null_fd, STDERR_FILENO);
  ::execv(args[0], args.data());
  ::_exit(127);
}

int ExitCode(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

}  // namespace

Result<std::unique_ptr<ChildProcess>> ChildProcess::Start(const std::vector<std::string>& argv) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return Status::IOError(std::strerror(errno));
  if (::access(argv[0].c_str(), X_OK) != 0) {
    return Status::IOError("cannot run " + argv[0] + ": " + std::strerror(errno));
  }
  pid_t pid = Spawn(argv, fds[1], /*quiet=*/false);
  ::close(fds[1]);
  if (pid < 0) {
    ::close(fds[0]);
    return Status::IOError("cannot start " + argv[0] + ": " + std::strerror(-pid));
  }
  return std::unique_ptr<ChildProcess>(new ChildProcess(pid, fds[0]));
}

ChildProcess::~ChildProcess() {
  Stop();
  ::close(stdout_fd_);
}

std::string ChildProcess::WaitForLine(std::string_view prefix, std::chrono::milliseconds timeout) {
  const Clock::time_point deadline = Clock::now() + timeout;
  while (true) {
    for (std::size_t nl; (nl = buffered_.find('\n')) != std::string::npos;) {
      std::string line = buffered_.substr(0, nl);
      buffered_.erase(0, nl + 1);
      if (line.starts_with(prefix)) return line;
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) return "";
    pollfd p{stdout_fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
    char buf[4096];
    ssize_t n = ::read(stdout_fd_, buf, sizeof buf);
    if (n <= 0) return "";  // the child closed stdout (it exited)
    buffered_.append(buf, static_cast<std::size_t>(n));
  }
}

int ChildProcess::Stop() {
  if (pid_ <= 0) return -1;
  ::kill(pid_, SIGTERM);
  int status = 0;
  const Clock::time_point deadline = Clock::now() + std::chrono::seconds(5);
  while (::waitpid(pid_, &status, WNOHANG) == 0) {
    if (Clock::now() > deadline) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, &status, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  pid_ = -1;
  return ExitCode(status);
}

int RunCommand(const std::vector<std::string>& argv) {
  pid_t pid = Spawn(argv, -1, /*quiet=*/true);
  if (pid < 0) return -1;
  int status = 0;
  ::waitpid(pid, &status, 0);
  return ExitCode(status);
}

uint16_t FreeTcpPort() {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  uint16_t port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  ::close(fd);
  return port;
}

bool WaitForTcpPort(uint16_t port, std::chrono::milliseconds timeout) {
  const Clock::time_point deadline = Clock::now() + timeout;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(port);
  while (Clock::now() < deadline) {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    ::close(fd);
    if (ok) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

}  // namespace campaignd::deliver
