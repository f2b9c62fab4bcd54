// Runs one Invocation of the admin CLI: hands the request to the admin API
// in process (api::HandleAdmin, as the operator), streams a CSV upload from
// its file with a progress report on `err`, and prints the answer - a table,
// a record, the API's JSON (--json) or the CSV - to `out`. Errors print the
// API's message and give the exit code of admin/commands.h.
// Callers: cli.cc and the tests. Threads: main thread; blocks on the store.
#ifndef CAMPAIGND_ADMIN_CLI_RUN_H_
#define CAMPAIGND_ADMIN_CLI_RUN_H_

#include <ostream>
#include <string>

#include "admin/api/router.h"
#include "admin/cli/command.h"

namespace campaignd::admin::cli {

// A CSV upload is handed to the API in chunks of this size.
inline constexpr std::size_t kUploadChunkBytes = 256 * 1024;

struct RunOptions {
  std::string command;             // "client create": the prefix of error messages
  bool json = false;               // --json
  bool progress_terminal = false;  // `err` is a terminal: redraw one progress line
};

// kExitOk for 2xx, kExitDatabaseError for 500/503, else kExitBadInput.
int ExitCodeFor(int http_status);

// The request HandleAdmin gets for `invocation` (no upload attached).
// InvalidArgument when the body is not valid UTF-8.
Result<api::AdminRequest> RequestFor(const Invocation& invocation);

// Sends `invocation` and prints the answer. Returns the exit code.
int RunInvocation(const Invocation& invocation, const api::AdminContext& context,
                  const RunOptions& options, std::ostream& out, std::ostream& err);

}  // namespace campaignd::admin::cli

#endif  // CAMPAIGND_ADMIN_CLI_RUN_H_
