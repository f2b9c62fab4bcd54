// ChildProcess: a server or tool a deliver_test test starts (the aiosmtpd
// relay, postfix smtp-sink, openssl) and stops again. Test-only; linked into
// deliver_test, never into campaignd.
// Threads: one test thread owns a ChildProcess.
// Errors: Start failures are a failed Status with the errno text.
#ifndef CAMPAIGND_DELIVER_CHILD_PROCESS_H_
#define CAMPAIGND_DELIVER_CHILD_PROCESS_H_

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace campaignd::deliver {

class ChildProcess {
 public:
  // Starts argv[0] (a path) with its arguments; its stdout is a pipe read by
  // WaitForLine(), its stderr is inherited.
  static Result<std::unique_ptr<ChildProcess>> Start(const std::vector<std::string>& argv);
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;
  // Stops the process if it still runs.
  ~ChildProcess();

  // The first stdout line starting with `prefix`, or "" after `timeout`.
  std::string WaitForLine(std::string_view prefix, std::chrono::milliseconds timeout);
  // Sends SIGTERM, waits up to 5 s (then SIGKILL); the exit code, or 128 +
  // the signal number when a signal ended it.
  int Stop();

 private:
  ChildProcess(pid_t pid, int stdout_fd) : pid_(pid), stdout_fd_(stdout_fd) {}
  pid_t pid_;
  int stdout_fd_;
  std::string buffered_;
};

// Runs argv to completion with stdout and stderr discarded; its exit code
// (-1 when it could not be started).
int RunCommand(const std::vector<std::string>& argv);

// A TCP port on 127.0.0.1 that was free a moment ago (bind to port 0).
uint16_t FreeTcpPort();

// True once something accepts TCP connections on 127.0.0.1:port.
bool WaitForTcpPort(uint16_t port, std::chrono::milliseconds timeout);

}  // namespace campaignd::deliver

#endif  // CAMPAIGND_DELIVER_CHILD_PROCESS_H_
