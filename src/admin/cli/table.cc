#include "admin/cli/table.h"

#include <algorithm>
#include <cassert>

namespace campaignd::admin::cli {
namespace {

// Control characters (C0, DEL) as spaces; UTF-8 bytes pass unchanged.
std::string Printable(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7f) c = ' ';
  }
  return out;
}

bool IsScalar(const Json& v) { return !v.is_array() && !v.is_object(); }

bool IsArrayOfObjects(const Json& v) {
  return v.is_array() && !v.empty() &&
         std::all_of(v.begin(), v.end(), [](const Json& e) { return e.is_object(); });
}

// Member names of `items` in first-seen order: the columns of a nested table.
std::vector<std::string> MemberNames(const Json& items) {
  std::vector<std::string> names;
  for (const auto& item : items) {
    for (const auto& [key, value] : item.items()) {
      if (std::find(names.begin(), names.end(), key) == names.end()) names.push_back(key);
    }
  }
  return names;
}

std::string NestedTable(const Json& items) {
  const std::vector<std::string> names = MemberNames(items);
  Table table(names);
  for (const auto& item : items) {
    std::vector<std::string> cells;
    for (const auto& name : names) cells.push_back(CellText(item.value(name, Json())));
    table.AddRow(std::move(cells));
  }
  return table.Render("  ");
}

}  // namespace

Table::Table(std::vector<std::string> headers) { rows_.push_back(std::move(headers)); }

void Table::AddRow(std::vector<std::string> cells) {
  assert(cells.size() == rows_.front().size());
  rows_.push_back(std::move(cells));
}

std::string Table::Render(std::string_view indent) const {
  const std::size_t columns = rows_.front().size();
  std::vector<std::size_t> widths(columns, 0);
  for (const auto& row : rows_) {
    for (std::size_t i = 0; i < columns; ++i) {
      widths[i] = std::max(widths[i], DisplayWidth(Printable(row[i])));
    }
  }
  std::string out;
  for (const auto& row : rows_) {
    std::string line(indent);
    for (std::size_t i = 0; i < columns; ++i) {
      const std::string cell = Printable(row[i]);
      line += cell;
      if (i + 1 < columns) line.append(widths[i] - DisplayWidth(cell) + 2, ' ');
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + "\n";
  }
  return out;
}

std::string CellText(const Json& value) {
  if (value.is_null()) return "-";
  if (value.is_string()) return Printable(value.get<std::string>());
  if (value.is_array() && std::all_of(value.begin(), value.end(), IsScalar)) {
    std::string joined;
    for (const auto& element : value) {
      if (!joined.empty()) joined += ",";
      joined += CellText(element);
    }
    return joined;
  }
  return Printable(value.dump(-1, ' ', false, Json::error_handler_t::replace));
}

std::string RenderPage(const Json& page, std::span<const Column> columns) {
  const Json items = page.is_object() ? page.value("items", Json::array())
                                                : Json::array();
  if (items.empty()) return "(none)\n";
  std::vector<std::string> headers;
  for (const Column& c : columns) headers.push_back(c.header);
  Table table(std::move(headers));
  for (const auto& item : items) {
    std::vector<std::string> cells;
    for (const Column& c : columns) {
      cells.push_back(CellText(item.is_object() ? item.value(c.key, Json())
                                                : Json()));
    }
    table.AddRow(std::move(cells));
  }
  return table.Render();
}

std::string RenderRecord(const Json& object) {
  if (!object.is_object()) return CellText(object) + "\n";
  Table table({"", ""});
  std::string nested;
  for (const auto& [key, value] : object.items()) {
    if (IsArrayOfObjects(value)) {
      nested += Printable(key) + ":\n" + NestedTable(value);
      continue;
    }
    table.AddRow({key, CellText(value)});
  }
  // The header row of the key/value table is empty: drop its line.
  std::string text = table.Render();
  text.erase(0, text.find('\n') + 1);
  return text + nested;
}

std::size_t DisplayWidth(std::string_view text) {
  return static_cast<std::size_t>(std::count_if(text.begin(), text.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  }));
}

}  // namespace campaignd::admin::cli
