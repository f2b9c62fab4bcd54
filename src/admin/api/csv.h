// CSV (RFC 4180) for the recipient import and export: CsvReader splits a
// stream fed in arbitrary chunks into rows (quoted fields may hold commas,
// quotes and line breaks; CRLF or LF line ends; a UTF-8 BOM is skipped);
// CsvLine writes one row, neutralising cells a spreadsheet would run as
// formulas, and CsvCellValue undoes that on import. Private to admin/api.
// Input: untrusted; a field longer than kMaxCsvFieldBytes is an error.
// Threads: a CsvReader belongs to one thread. Errors: CsvReader::error().
#ifndef CAMPAIGND_ADMIN_API_CSV_H_
#define CAMPAIGND_ADMIN_API_CSV_H_

#include <cstddef>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace campaignd::admin::api {

// Longest field (a field value is at most 64 KiB, core/limits.h, plus room).
inline constexpr std::size_t kMaxCsvFieldBytes = 128 * 1024;

class CsvReader {
 public:
  // Parses `chunk`; completed rows become available through Next().
  void Feed(std::string_view chunk);
  // The input ended: a last row without a line end is completed; an open
  // quote is an error.
  void Finish();
  // The next completed row, oldest first; nullopt when none is ready.
  std::optional<std::vector<std::string>> Next();
  // Set on the first error ("row N: ..."); later input is ignored.
  const std::optional<std::string>& error() const { return error_; }
  // Rows completed so far (blank lines not counted).
  std::size_t rows() const { return rows_; }

 private:
  void Parse(std::string_view chunk);
  void EndField();
  void EndRow();

  enum class State { kFieldStart, kUnquoted, kQuoted, kQuoteInQuoted, kAfterCr };
  State state_ = State::kFieldStart;
  bool bom_checked_ = false;
  std::string head_;  // the first bytes, until the BOM check is done
  std::string field_;
  std::vector<std::string> row_;
  std::deque<std::vector<std::string>> ready_;
  std::size_t rows_ = 0;
  std::optional<std::string> error_;
};

// `fields` as one CSV line ending in CRLF, quoting where needed. A value a
// spreadsheet would run as a formula (OWASP "CSV injection": it starts with
// = + - @ TAB or CR and is not a plain number like -5 or +1.5) is written
// with a ' in front, quoted ("'=HYPERLINK(...)"); so is one that already
// starts with ' characters before such a character, so that CsvCellValue
// can take exactly one away again.
std::string CsvLine(const std::vector<std::string>& fields);

// A cell as the import stores it: the value itself, without the ' that
// CsvLine (or a spreadsheet user) put before a formula character. Export
// then import gives back the stored values.
std::string CsvCellValue(std::string cell);

}  // namespace campaignd::admin::api

#endif  // CAMPAIGND_ADMIN_API_CSV_H_
