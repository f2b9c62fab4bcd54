// Reading operator-written TOML (the server config file and the provisioning
// file) with errors that point at a line: "FILE:LINE: key: what is wrong".
// TableReader reads one table key by key and, at the end, refuses every key
// it was not asked for (typos must not be silently ignored).
// Callers: config/config.cc, admin/provisioning_file.cc (and the rest of
// the provisioning file reader, admin/provisioning_*.cc).
// Input: trusted operator files, but every value is checked for its type.
// Errors: collected in Diagnostics; ToStatus() is InvalidArgument.
#ifndef CAMPAIGND_CONFIG_TOML_READER_H_
#define CAMPAIGND_CONFIG_TOML_READER_H_

#include <toml++/toml.h>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace campaignd::config {

// The messages of one file, each "FILE:LINE: message".
class Diagnostics {
 public:
  // At most this many messages are reported; the rest are counted.
  static constexpr std::size_t kMaxReported = 20;

  explicit Diagnostics(std::string file) : file_(std::move(file)) {}
  // Messages are kept in line order (line 0, the whole file, first).
  void Add(int line, std::string_view message);
  bool empty() const { return messages_.empty(); }
  std::size_t size() const { return messages_.size(); }
  std::vector<std::string> messages() const;
  // InvalidArgument with the messages joined by '\n'. REQUIRES: !empty().
  Status ToStatus() const;

 private:
  std::string file_;
  std::vector<std::pair<int, std::string>> messages_;  // (line, text), sorted by line
};

// Bytes read from a file at a time by ReadTextFile.
inline constexpr std::size_t kReadChunkBytes = 64 * 1024;

// The whole content of the regular file `path`, which may hold at most
// `max_bytes`; never more than max_bytes + 1 bytes are read. InvalidArgument
// "cannot read PATH: why", where why is the system's reason, "not a regular
// file" (a FIFO, a device such as /dev/zero, a directory) or "larger than N
// bytes". Callers: the config and provisioning files, DKIM key files, the
// CLI's --text-file/--html-file/--key-file.
Result<std::string> ReadTextFile(const std::filesystem::path& path, std::size_t max_bytes);

// The size of `path` when it is a regular file, checked before anyone opens
// it (opening a FIFO waits for a writer, a device never ends). InvalidArgument
// "cannot read PATH: why" as ReadTextFile. Used by ReadTextFile and by the
// CLI's streamed CSV upload.
Result<std::uintmax_t> RegularFileSize(const std::filesystem::path& path);

// Parses a whole TOML document (at most limits::kMaxTomlFileBytes).
// InvalidArgument "cannot read PATH: why" or "FILE:LINE:COLUMN: <syntax
// error>". `file_name` is used in messages.
Result<toml::table> ParseTomlFile(const std::filesystem::path& path);
Result<toml::table> ParseTomlText(std::string_view text, std::string_view file_name);

// The 1-based source line where `node` begins (0 if unknown).
int LineOf(const toml::node& node);

// The closest of `known` to `word` (edit distance <= 2), or "".
std::string ClosestWord(std::string_view word, const std::set<std::string, std::less<>>& known);

// Reads the keys of one table. Each getter marks its key as known; a value
// of the wrong type is reported and yields nullopt, as does a missing key
// (reported only when `required`).
class TableReader {
 public:
  // `table` must outlive the reader. `what` names the table in messages
  // about unknown keys, e.g. "[[client.list]]".
  TableReader(const toml::table& table, Diagnostics& diagnostics, std::string what);

  std::optional<std::string> Text(std::string_view key, bool required = false);
  std::optional<int64_t> Integer(std::string_view key, bool required = false);
  // A required integer > 0.
  std::optional<int64_t> Id(std::string_view key);
  std::optional<bool> Bool(std::string_view key);
  std::optional<std::vector<std::string>> TextArray(std::string_view key);
  std::optional<std::vector<int64_t>> IdArray(std::string_view key);
  // The raw node (any type), or null when absent. For inline tables and
  // arrays of tables the caller checks the type with Error() on mismatch.
  const toml::node* Node(std::string_view key);

  // Reports "FILE:LINE: key: message" at the key's line (the table's when
  // the key is absent).
  void Error(std::string_view key, std::string_view message);
  int Line(std::string_view key) const;
  // Reports each key no getter asked for, with a "did you mean" hint.
  void RejectUnknownKeys();

 private:
  const toml::table& table_;
  Diagnostics& diagnostics_;
  std::string what_;
  std::set<std::string, std::less<>> known_;
};

}  // namespace campaignd::config

#endif  // CAMPAIGND_CONFIG_TOML_READER_H_
