#include "store/sql_session.h"

#include <charconv>

namespace campaignd::store {

std::string Placeholders(std::size_t first, std::size_t count) {
  std::string list;
  for (std::size_t i = 0; i < count; ++i) {
    list += (i == 0 ? "$" : ", $") + std::to_string(first + i);
  }
  return list;
}

std::string PlaceholderRows(std::size_t rows, std::size_t n, std::size_t first) {
  std::string out;
  for (std::size_t r = 0; r < rows; ++r) {
    out += (r == 0 ? "(" : ", (") + Placeholders(first + r * n, n) + ")";
  }
  return out;
}

Result<int64_t> CellInt(const SqlRow& row, int column) {
  const std::optional<std::string>& cell = row.at(static_cast<std::size_t>(column));
  if (!cell || cell->empty()) return int64_t{0};
  int64_t value = 0;
  const auto [end, ec] = std::from_chars(cell->data(), cell->data() + cell->size(), value);
  if (ec != std::errc() || end != cell->data() + cell->size()) {
    return Status::Corruption("stored value '" + *cell + "' is not an integer");
  }
  return value;
}

std::string CellText(const SqlRow& row, int column) {
  const std::optional<std::string>& cell = row.at(static_cast<std::size_t>(column));
  return cell ? *cell : std::string();
}

int64_t CellReader::Int(int column) {
  Result<int64_t> value = CellInt(row_, column);
  if (!value.ok()) Fail(value.status());
  return value.ok() ? *value : 0;
}

}  // namespace campaignd::store
