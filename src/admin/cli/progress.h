// The progress report of `campaignd recipient import FILE.csv`: how much of
// the file has been streamed into the admin API. On a terminal one line is
// redrawn in place ("\r[#####-----]  50%  1.2/2.4 MB  10,000 rows"); into a
// pipe or file a plain line is written every kProgressLineInterval, so logs
// stay readable. The store's own counts (stored/rejected) come afterwards
// from the API's answer; rows here are the line ends seen minus the header,
// so a quoted field with a line break counts twice (a display, not a count).
// Callers: admin/cli/run.cc. Threads: one thread.
#ifndef CAMPAIGND_ADMIN_CLI_PROGRESS_H_
#define CAMPAIGND_ADMIN_CLI_PROGRESS_H_

#include <chrono>
#include <cstdint>
#include <functional>
#include <ostream>
#include <string>
#include <string_view>

namespace campaignd::admin::cli {

// A terminal line is redrawn at most this often (fast imports stay cheap).
inline constexpr std::chrono::milliseconds kProgressRedrawInterval{100};
// Without a terminal, one line per this interval.
inline constexpr std::chrono::seconds kProgressLineInterval{2};
// Width of the bar between the brackets, in characters.
inline constexpr std::size_t kProgressBarWidth = 30;

// "[#####-----]" for done/total (total 0: an empty bar); done is capped at total.
std::string FormatBar(std::uint64_t done, std::uint64_t total, std::size_t width);

// "1.2 MB", "512 B", "3.4 KB", "1.1 GB" (powers of 1000, one decimal).
std::string FormatBytes(std::uint64_t bytes);

// "1,234,567".
std::string FormatCount(std::uint64_t n);

class ImportProgress {
 public:
  using Now = std::function<std::chrono::steady_clock::time_point()>;

  // `out` (stderr) must outlive this; `total_bytes` 0 when unknown.
  ImportProgress(std::ostream& out, bool terminal, std::uint64_t total_bytes,
                 Now now = &std::chrono::steady_clock::now);

  // Records a chunk just handed to the API and reports when it is time.
  void Advance(std::string_view chunk);

  // Reports the end (100%; a terminal line is ended with '\n'); once.
  void Finish();

  std::uint64_t bytes() const { return bytes_; }
  std::uint64_t rows() const;

 private:
  std::string Line() const;
  void Report();

  std::ostream& out_;
  const bool terminal_;
  const std::uint64_t total_bytes_;
  const Now now_;
  std::uint64_t bytes_ = 0;
  std::uint64_t line_ends_ = 0;
  bool open_line_ = false;  // the last byte seen was not a line end
  std::chrono::steady_clock::time_point last_report_{};
  bool reported_ = false;
  std::uint64_t reported_bytes_ = 0;  // bytes_ at the last report
  bool finished_ = false;
};

}  // namespace campaignd::admin::cli

#endif  // CAMPAIGND_ADMIN_CLI_PROGRESS_H_
