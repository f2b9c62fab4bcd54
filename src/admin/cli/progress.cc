#include "admin/cli/progress.h"

#include <algorithm>
#include <cstdio>

namespace campaignd::admin::cli {

std::string FormatBar(std::uint64_t done, std::uint64_t total, std::size_t width) {
  const std::size_t filled =
      total == 0 ? 0 : static_cast<std::size_t>(std::min(done, total) * width / total);
  return "[" + std::string(filled, '#') + std::string(width - filled, '-') + "]";
}

std::string FormatBytes(std::uint64_t bytes) {
  static constexpr const char* kUnits[] = {"KB", "MB", "GB", "TB"};
  if (bytes < 1000) return std::to_string(bytes) + " B";
  double value = static_cast<double>(bytes) / 1000.0;
  std::size_t unit = 0;
  while (value >= 1000.0 && unit + 1 < std::size(kUnits)) {
    value /= 1000.0;
    ++unit;
  }
  char text[32];
  std::snprintf(text, sizeof text, "%.1f %s", value, kUnits[unit]);
  return text;
}

std::string FormatCount(std::uint64_t n) {
  std::string digits = std::to_string(n);
  for (int i = static_cast<int>(digits.size()) - 3; i > 0; i -= 3) digits.insert(i, ",");
  return digits;
}

ImportProgress::ImportProgress(std::ostream& out, bool terminal, std::uint64_t total_bytes,
                               Now now)
    : out_(out), terminal_(terminal), total_bytes_(total_bytes), now_(std::move(now)) {}

std::uint64_t ImportProgress::rows() const {
  const std::uint64_t lines = line_ends_ + (open_line_ ? 1 : 0);
  return lines == 0 ? 0 : lines - 1;  // the header is no row
}

void ImportProgress::Advance(std::string_view chunk) {
  if (chunk.empty()) return;
  bytes_ += chunk.size();
  line_ends_ += static_cast<std::uint64_t>(std::count(chunk.begin(), chunk.end(), '\n'));
  open_line_ = chunk.back() != '\n';
  const auto now = now_();
  const auto interval = terminal_ ? std::chrono::duration_cast<std::chrono::milliseconds>(
                                        kProgressRedrawInterval)
                                  : std::chrono::duration_cast<std::chrono::milliseconds>(
                                        kProgressLineInterval);
  if (reported_ && now - last_report_ < interval) return;
  last_report_ = now;
  Report();
}

void ImportProgress::Finish() {
  if (finished_) return;
  finished_ = true;
  // A plain line for this state may already be out; a terminal always redraws.
  if (terminal_ || !reported_ || reported_bytes_ != bytes_) Report();
  if (terminal_) out_ << "\n";
  out_.flush();
}

std::string ImportProgress::Line() const {
  const std::uint64_t total = std::max(total_bytes_, bytes_);
  const unsigned percent = total == 0 ? 100 : static_cast<unsigned>(bytes_ * 100 / total);
  std::string sizes = FormatBytes(bytes_);
  if (total_bytes_ > 0) sizes += " / " + FormatBytes(total);
  char pct[8];
  std::snprintf(pct, sizeof pct, "%3u%%", percent);
  return std::string(pct) + "  " + sizes + "  " + FormatCount(rows()) + " rows";
}

void ImportProgress::Report() {
  reported_ = true;
  reported_bytes_ = bytes_;
  if (terminal_) {
    // "\r" returns to the start; "\x1b[K" clears what a longer line left.
    out_ << "\r" << FormatBar(bytes_, std::max(total_bytes_, bytes_), kProgressBarWidth) << " "
         << Line() << "\x1b[K";
    out_.flush();
    return;
  }
  out_ << "import: " << Line() << "\n";
}

}  // namespace campaignd::admin::cli
