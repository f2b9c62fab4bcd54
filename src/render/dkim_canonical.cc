#include "render/dkim_canonical.h"

#include <algorithm>

#include "core/fields.h"

namespace campaignd::render {
namespace {

constexpr std::string_view kCrlf = "\r\n";

bool IsWsp(char c) { return c == ' ' || c == '\t'; }

// Appends `s` with runs of WSP reduced to one space and trailing WSP gone.
void AppendCompressed(std::string_view s, std::string* out) {
  bool pending_space = false;
  for (char c : s) {
    if (IsWsp(c)) {
      pending_space = true;
      continue;
    }
    if (pending_space) out->push_back(' ');
    pending_space = false;
    out->push_back(c);
  }
}

}  // namespace

Result<MessageParts> SplitMessage(std::string_view message) {
  MessageParts parts;
  std::size_t field_start = 0;  // offset of the last field's first line
  std::size_t pos = 0;
  while (pos < message.size()) {
    std::size_t end = std::min(message.find(kCrlf, pos), message.size());
    std::string_view line = message.substr(pos, end - pos);
    std::size_t next = std::min(end + kCrlf.size(), message.size());
    if (line.empty()) {
      parts.body = message.substr(next);
      return parts;
    }
    if (IsWsp(line.front())) {
      if (parts.fields.empty())
        return Status::InvalidArgument("message starts with a continuation");
      parts.fields.back().raw = message.substr(field_start, end - field_start);
    } else {
      std::size_t colon = line.find(':');
      if (colon == std::string_view::npos) {
        return Status::InvalidArgument("header line without a colon");
      }
      std::string_view name = line.substr(0, colon);
      while (!name.empty() && IsWsp(name.back())) name.remove_suffix(1);
      parts.fields.push_back({name, line});
      field_start = pos;
    }
    pos = next;
  }
  return parts;  // headers only: the body is empty
}

std::string RelaxedHeader(std::string_view raw) {
  std::size_t colon = raw.find(':');
  std::string_view name = raw.substr(0, colon);
  while (!name.empty() && IsWsp(name.back())) name.remove_suffix(1);
  std::string unfolded;
  for (char c : raw.substr(colon + 1)) {
    if (c != '\r' && c != '\n') unfolded.push_back(c);
  }
  std::string_view value = unfolded;
  while (!value.empty() && IsWsp(value.front())) value.remove_prefix(1);
  std::string out = LowerAscii(name);
  out.push_back(':');
  AppendCompressed(value, &out);
  out += kCrlf;
  return out;
}

std::string RelaxedBody(std::string_view body) {
  std::string out;
  out.reserve(body.size() + kCrlf.size());
  std::size_t empty_lines = 0;  // held back until a non-empty line follows
  std::size_t pos = 0;
  while (pos < body.size()) {
    std::size_t end = body.find(kCrlf, pos);
    if (end == std::string_view::npos) end = body.size();
    std::string_view line = body.substr(pos, end - pos);
    pos = end + kCrlf.size();
    if (line.find_first_not_of(" \t") == std::string_view::npos) {
      ++empty_lines;  // empty once compressed
      continue;
    }
    for (; empty_lines > 0; --empty_lines) out += kCrlf;
    // Most lines are canonical already (no tab, no double or trailing
    // space): copied whole rather than byte by byte.
    if (line.back() != ' ' && line.find('\t') == std::string_view::npos &&
        line.find("  ") == std::string_view::npos) {
      out += line;
    } else {
      AppendCompressed(line, &out);
    }
    out += kCrlf;
  }
  return out;
}

}  // namespace campaignd::render
