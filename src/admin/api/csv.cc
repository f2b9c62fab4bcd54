#include "admin/api/csv.h"

#include <algorithm>
#include <utility>

namespace campaignd::admin::api {

void CsvReader::EndField() {
  row_.push_back(std::move(field_));
  field_.clear();
}

void CsvReader::EndRow() {
  EndField();
  if (row_.size() == 1 && row_[0].empty()) {
    row_.clear();  // a blank line
    return;
  }
  ++rows_;
  ready_.push_back(std::move(row_));
  row_.clear();
}

void CsvReader::Feed(std::string_view chunk) {
  if (!bom_checked_) {
    // The BOM may arrive split over chunks: hold the first bytes back.
    head_.append(chunk);
    constexpr std::string_view kBom = "\xEF\xBB\xBF";
    if (head_.size() < kBom.size() && kBom.starts_with(head_)) return;
    bom_checked_ = true;
    std::string head = std::move(head_);
    std::string_view rest = head;
    if (rest.starts_with(kBom)) rest.remove_prefix(kBom.size());
    return Parse(rest);
  }
  Parse(chunk);
}

void CsvReader::Parse(std::string_view chunk) {
  for (char c : chunk) {
    if (error_) return;
    switch (state_) {
      case State::kAfterCr:
        state_ = State::kFieldStart;
        if (c == '\n') continue;
        [[fallthrough]];
      case State::kFieldStart:
        if (c == '"') {
          state_ = State::kQuoted;
          continue;
        }
        state_ = State::kUnquoted;
        [[fallthrough]];
      case State::kUnquoted:
        if (c == ',') {
          EndField();
          state_ = State::kFieldStart;
        } else if (c == '\n' || c == '\r') {
          EndRow();
          state_ = c == '\r' ? State::kAfterCr : State::kFieldStart;
        } else if (c == '"') {
          error_ = "row " + std::to_string(rows_ + 1) + ": a quote inside an unquoted field";
        } else {
          field_ += c;
        }
        break;
      case State::kQuoted:
        if (c == '"') {
          state_ = State::kQuoteInQuoted;
        } else {
          field_ += c;
        }
        break;
      case State::kQuoteInQuoted:
        if (c == '"') {
          field_ += '"';
          state_ = State::kQuoted;
        } else if (c == ',') {
          EndField();
          state_ = State::kFieldStart;
        } else if (c == '\n' || c == '\r') {
          EndRow();
          state_ = c == '\r' ? State::kAfterCr : State::kFieldStart;
        } else {
          error_ = "row " + std::to_string(rows_ + 1) + ": text after a closing quote";
        }
        break;
    }
    if (field_.size() > kMaxCsvFieldBytes) {
      error_ = "row " + std::to_string(rows_ + 1) + ": a field is longer than " +
               std::to_string(kMaxCsvFieldBytes) + " bytes";
    }
  }
}

void CsvReader::Finish() {
  if (!bom_checked_) {
    bom_checked_ = true;
    Parse(std::exchange(head_, std::string()));
  }
  if (error_) return;
  if (state_ == State::kQuoted) {
    error_ = "row " + std::to_string(rows_ + 1) + ": a quoted field is not closed";
    return;
  }
  if (state_ == State::kUnquoted || state_ == State::kQuoteInQuoted || !row_.empty()) EndRow();
  state_ = State::kFieldStart;
}

std::optional<std::vector<std::string>> CsvReader::Next() {
  if (ready_.empty()) return std::nullopt;
  std::vector<std::string> row = std::move(ready_.front());
  ready_.pop_front();
  return row;
}

namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// [+-]digits[.digits]: a number a spreadsheet shows as a number.
bool IsPlainNumber(std::string_view v) {
  if (!v.empty() && (v[0] == '+' || v[0] == '-')) v.remove_prefix(1);
  const auto digits = [](std::string_view d) {
    return !d.empty() && std::all_of(d.begin(), d.end(), IsDigit);
  };
  const std::size_t dot = v.find('.');
  if (dot == std::string_view::npos) return digits(v);
  return digits(v.substr(0, dot)) && digits(v.substr(dot + 1));
}

// Whether `value`, after any leading ', starts like a formula.
bool StartsLikeFormula(std::string_view value) {
  const std::size_t start = value.find_first_not_of('\'');
  if (start == std::string_view::npos) return false;
  const std::string_view rest = value.substr(start);
  return std::string_view("=+-@\t\r").find(rest[0]) != std::string_view::npos &&
         !IsPlainNumber(rest);
}

}  // namespace

std::string CsvLine(const std::vector<std::string>& fields) {
  std::string line;
  for (std::size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) line += ',';
    const std::string& f = fields[i];
    const bool formula = StartsLikeFormula(f);
    if (!formula && f.find_first_of(",\"\r\n") == std::string::npos) {
      line += f;
      continue;
    }
    line += formula ? "\"'" : "\"";
    for (char c : f) {
      if (c == '"') line += '"';
      line += c;
    }
    line += '"';
  }
  line += "\r\n";
  return line;
}

std::string CsvCellValue(std::string cell) {
  if (cell.starts_with('\'') && StartsLikeFormula(cell)) cell.erase(0, 1);
  return cell;
}

}  // namespace campaignd::admin::api
