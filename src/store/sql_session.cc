#include "store/sql_session.h"

#include <charconv>

namespace campaignd::store {

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
