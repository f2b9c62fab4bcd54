#include "config/toml_reader.h"

#include <algorithm>
#include <fstream>
#include <system_error>

#include "core/limits.h"

namespace campaignd::config {

void Diagnostics::Add(int line, std::string_view message) {
  std::string text = file_;
  if (line > 0) text += ":" + std::to_string(line);
  text += ": ";
  text += message;
  const auto after = std::upper_bound(messages_.begin(), messages_.end(), line,
                                      [](int l, const auto& entry) { return l < entry.first; });
  messages_.emplace(after, line, std::move(text));
}

std::vector<std::string> Diagnostics::messages() const {
  std::vector<std::string> out;
  for (const auto& entry : messages_) out.push_back(entry.second);
  return out;
}

Status Diagnostics::ToStatus() const {
  std::string text;
  const std::size_t shown = std::min(messages_.size(), kMaxReported);
  for (std::size_t i = 0; i < shown; ++i) {
    if (i > 0) text += '\n';
    text += messages_[i].second;
  }
  if (messages_.size() > shown) {
    text += "\n... and " + std::to_string(messages_.size() - shown) + " more";
  }
  return Status::InvalidArgument(text);
}

Result<toml::table> ParseTomlText(std::string_view text, std::string_view file_name) {
  try {
    return toml::parse(text, file_name);
  } catch (const toml::parse_error& e) {
    const auto& begin = e.source().begin;
    return Status::InvalidArgument(std::string(file_name) + ":" + std::to_string(begin.line) + ":" +
                                   std::to_string(begin.column) + ": " +
                                   std::string(e.description()));
  }
}

namespace {

Status CannotRead(const std::filesystem::path& path, std::string_view why) {
  return Status::InvalidArgument("cannot read " + path.string() + ": " + std::string(why));
}

}  // namespace

Result<std::uintmax_t> RegularFileSize(const std::filesystem::path& path) {
  std::error_code ec;
  const std::filesystem::file_status status = std::filesystem::status(path, ec);
  if (ec) return CannotRead(path, ec.message());
  if (!std::filesystem::is_regular_file(status)) return CannotRead(path, "not a regular file");
  const std::uintmax_t size = std::filesystem::file_size(path, ec);
  if (ec) return CannotRead(path, ec.message());
  return size;
}

Result<std::string> ReadTextFile(const std::filesystem::path& path, std::size_t max_bytes) {
  // The type is checked before opening: opening a FIFO would wait for a
  // writer, and a device (/dev/zero) would never end.
  if (auto size = RegularFileSize(path); !size.ok()) return size.status();
  std::ifstream in(path, std::ios::binary);
  if (!in) return CannotRead(path, std::error_code(errno, std::generic_category()).message());
  std::string text;
  char buffer[kReadChunkBytes];
  // At most max_bytes + 1 bytes are read: one more than allowed proves the
  // file too large, even when it grew after the type check.
  while (text.size() <= max_bytes) {
    const std::size_t want = std::min(sizeof buffer, max_bytes + 1 - text.size());
    in.read(buffer, static_cast<std::streamsize>(want));
    if (in.gcount() <= 0) break;
    text.append(buffer, static_cast<std::size_t>(in.gcount()));
  }
  if (in.bad()) return CannotRead(path, "read error");
  if (text.size() > max_bytes) {
    return CannotRead(path, "larger than " + std::to_string(max_bytes) + " bytes");
  }
  return text;
}

Result<toml::table> ParseTomlFile(const std::filesystem::path& path) {
  auto text = ReadTextFile(path, limits::kMaxTomlFileBytes);
  if (!text.ok()) return text.status();
  return ParseTomlText(*text, path.string());
}

int LineOf(const toml::node& node) { return static_cast<int>(node.source().begin.line); }

namespace {

std::size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

}  // namespace

std::string ClosestWord(std::string_view word, const std::set<std::string, std::less<>>& known) {
  constexpr std::size_t kMaxDistance = 2;
  std::string best;
  std::size_t best_distance = kMaxDistance + 1;
  for (const auto& candidate : known) {
    const std::size_t d = EditDistance(word, candidate);
    if (d < best_distance) {
      best = candidate;
      best_distance = d;
    }
  }
  return best;
}

TableReader::TableReader(const toml::table& table, Diagnostics& diagnostics, std::string what)
    : table_(table), diagnostics_(diagnostics), what_(std::move(what)) {}

const toml::node* TableReader::Node(std::string_view key) {
  known_.emplace(key);
  return table_.get(key);
}

int TableReader::Line(std::string_view key) const {
  const toml::node* node = table_.get(key);
  const int line = node != nullptr ? LineOf(*node) : 0;
  return line > 0 ? line : LineOf(table_);
}

void TableReader::Error(std::string_view key, std::string_view message) {
  diagnostics_.Add(Line(key), std::string(key) + ": " + std::string(message));
}

std::optional<std::string> TableReader::Text(std::string_view key, bool required) {
  const toml::node* node = Node(key);
  if (node == nullptr) {
    if (required) Error(key, "missing (a string is required)");
    return std::nullopt;
  }
  if (!node->is_string()) {
    Error(key, "expected a string");
    return std::nullopt;
  }
  return node->as_string()->get();
}

std::optional<int64_t> TableReader::Integer(std::string_view key, bool required) {
  const toml::node* node = Node(key);
  if (node == nullptr) {
    if (required) Error(key, "missing (an integer is required)");
    return std::nullopt;
  }
  if (!node->is_integer()) {
    Error(key, "expected an integer");
    return std::nullopt;
  }
  return node->as_integer()->get();
}

std::optional<int64_t> TableReader::Id(std::string_view key) {
  const toml::node* node = Node(key);
  if (node == nullptr) {
    Error(key, "missing (a positive integer ID is required)");
    return std::nullopt;
  }
  if (!node->is_integer() || node->as_integer()->get() <= 0) {
    Error(key, "expected a positive integer ID");
    return std::nullopt;
  }
  return node->as_integer()->get();
}

std::optional<bool> TableReader::Bool(std::string_view key) {
  const toml::node* node = Node(key);
  if (node == nullptr) return std::nullopt;
  if (!node->is_boolean()) {
    Error(key, "expected true or false");
    return std::nullopt;
  }
  return node->as_boolean()->get();
}

std::optional<std::vector<std::string>> TableReader::TextArray(std::string_view key) {
  const toml::node* node = Node(key);
  if (node == nullptr) return std::nullopt;
  const toml::array* array = node->as_array();
  if (array == nullptr || (!array->empty() && !array->is_homogeneous(toml::node_type::string))) {
    Error(key, "expected an array of strings");
    return std::nullopt;
  }
  std::vector<std::string> values;
  for (const toml::node& element : *array) values.push_back(element.as_string()->get());
  return values;
}

std::optional<std::vector<int64_t>> TableReader::IdArray(std::string_view key) {
  const toml::node* node = Node(key);
  if (node == nullptr) return std::nullopt;
  const toml::array* array = node->as_array();
  bool ok = array != nullptr && (array->empty() || array->is_homogeneous(toml::node_type::integer));
  std::vector<int64_t> values;
  if (ok) {
    for (const toml::node& element : *array) {
      const int64_t v = element.as_integer()->get();
      ok = ok && v > 0;
      values.push_back(v);
    }
  }
  if (!ok) {
    Error(key, "expected an array of positive integer IDs");
    return std::nullopt;
  }
  return values;
}

void TableReader::RejectUnknownKeys() {
  for (const auto& [key, node] : table_) {
    if (known_.contains(key.str())) continue;
    std::string message = "unknown key '" + std::string(key.str()) + "' in " + what_;
    const std::string hint = ClosestWord(key.str(), known_);
    if (!hint.empty()) message += " (did you mean '" + hint + "'?)";
    int line = static_cast<int>(key.source().begin.line);
    if (line == 0) line = LineOf(node);
    diagnostics_.Add(line, message);
  }
}

}  // namespace campaignd::config
