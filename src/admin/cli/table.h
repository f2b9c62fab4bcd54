// Text tables for the admin CLI (`campaignd <noun> <verb>` without --json):
// a page of the admin API ({"items": [...]}) as aligned columns, one object
// as aligned "key  value" lines with nested arrays of objects as indented
// tables. Pure formatting; callers: admin/cli/run.cc.
// Input: values come from the database and from remote SMTP servers: every
// control character is shown as a space so nothing can play tricks on a
// terminal. Widths count UTF-8 code points, not bytes.
#ifndef CAMPAIGND_ADMIN_CLI_TABLE_H_
#define CAMPAIGND_ADMIN_CLI_TABLE_H_

#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace campaignd::admin::cli {

// JSON as the API wrote it: members keep their order.
using Json = nlohmann::ordered_json;

// Columns padded to their widest cell and separated by two spaces; the last
// column is not padded (no trailing blanks). The header row comes first.
class Table {
 public:
  explicit Table(std::vector<std::string> headers);

  // REQUIRES: cells.size() == number of headers.
  void AddRow(std::vector<std::string> cells);
  std::size_t rows() const { return rows_.size() - 1; }

  // Every row ending in '\n', each prefixed by `indent`.
  std::string Render(std::string_view indent = "") const;

 private:
  std::vector<std::vector<std::string>> rows_;  // [0]: the headers
};

// One column of a page table: the header and the item's member shown.
struct Column {
  std::string header;  // "ID"
  std::string key;     // "id"
};

// A JSON value as one cell: strings as they are, numbers, true/false,
// null or absent as "-", arrays of scalars joined by ",", anything else as
// compact JSON. Control characters become spaces.
std::string CellText(const Json& value);

// page["items"] as a table of `columns`; an empty page is "(none)\n".
std::string RenderPage(const Json& page, std::span<const Column> columns);

// An object as "key  value" lines in its member order; a member that is an
// array of objects follows as "key:" and an indented table of their members.
std::string RenderRecord(const Json& object);

// Display width of `text` in code points (UTF-8 continuation bytes skipped).
std::size_t DisplayWidth(std::string_view text);

}  // namespace campaignd::admin::cli

#endif  // CAMPAIGND_ADMIN_CLI_TABLE_H_
