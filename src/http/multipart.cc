#include "http/multipart.h"

#include <optional>
#include <string>

#include "http/header_value.h"

namespace campaignd::http {
namespace {

// RFC 2046 §5.1.1: a boundary is 1 to 70 characters.
constexpr std::size_t kMaxBoundaryBytes = 70;
constexpr std::string_view kCrlf = "\r\n";

struct PartHeaders {
  std::string disposition;
  std::string content_type;
};

// Parses the header lines of one part; false when a line is not a header.
bool ParsePartHeaders(std::string_view block, PartHeaders* out) {
  std::string* last = nullptr;
  while (!block.empty()) {
    const std::size_t end = block.find(kCrlf);
    const std::string_view line = block.substr(0, end);
    block = end == std::string_view::npos ? std::string_view() : block.substr(end + 2);
    if (line.empty()) continue;
    if (line.front() == ' ' || line.front() == '\t') {  // obsolete folding
      if (last != nullptr) last->append(line);
      continue;
    }
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) return false;
    const std::string_view name = line.substr(0, colon);
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t'))
      value.remove_prefix(1);
    last = nullptr;
    if (EqualsIgnoreCase(name, "Content-Disposition")) last = &out->disposition;
    if (EqualsIgnoreCase(name, "Content-Type")) last = &out->content_type;
    if (last != nullptr) *last = std::string(value);
  }
  return true;
}

// Turns one part into a parameter or a file. False when it is not a
// form-data part with a name.
bool AddPart(const PartHeaders& headers, std::string_view content, RawParams* out) {
  if (MediaType(headers.disposition) != "form-data") return false;
  std::optional<std::string> name = HeaderParam(headers.disposition, "name");
  if (!name || name->empty()) return false;
  std::optional<std::string> file_name = HeaderParam(headers.disposition, "filename");
  if (file_name) {
    if (file_name->empty() && content.empty()) return true;  // empty file input
    out->files.push_back(RawFile{std::move(*name), std::move(*file_name), headers.content_type,
                                 std::string(content)});
    return true;
  }
  std::optional<Charset> charset;
  if (auto label = HeaderParam(headers.content_type, "charset")) charset = ParseCharsetName(*label);
  out->params.push_back(RawParam{std::move(*name), std::string(content), charset});
  return true;
}

}  // namespace

MultipartResult ParseMultipart(std::string_view content_type, std::string_view body,
                               std::size_t max_count, RawParams* out) {
  const std::optional<std::string> boundary = HeaderParam(content_type, "boundary");
  if (!boundary || boundary->empty() || boundary->size() > kMaxBoundaryBytes) {
    return MultipartResult::kMalformed;
  }
  const std::string delimiter = "--" + *boundary;
  const std::string next_delimiter = "\r\n" + delimiter;

  // The first delimiter opens the body or follows a preamble line.
  std::size_t pos = 0;
  if (body.substr(0, delimiter.size()) != delimiter) {
    pos = body.find(next_delimiter);
    if (pos == std::string_view::npos) return MultipartResult::kMalformed;
    pos += kCrlf.size();
  }
  for (;;) {
    pos += delimiter.size();
    if (body.substr(pos, 2) == "--") return MultipartResult::kOk;  // close delimiter
    while (pos < body.size() && (body[pos] == ' ' || body[pos] == '\t')) ++pos;
    if (body.substr(pos, 2) != kCrlf) return MultipartResult::kMalformed;
    pos += kCrlf.size();

    std::size_t content_start = 0;
    std::string_view header_block;
    if (body.substr(pos, 2) == kCrlf) {  // a part without headers
      content_start = pos + 2;
    } else {
      const std::size_t header_end = body.find("\r\n\r\n", pos);
      if (header_end == std::string_view::npos) return MultipartResult::kMalformed;
      header_block = body.substr(pos, header_end - pos);
      content_start = header_end + 4;
    }
    const std::size_t content_end = body.find(next_delimiter, content_start);
    if (content_end == std::string_view::npos) return MultipartResult::kMalformed;

    PartHeaders headers;
    if (!ParsePartHeaders(header_block, &headers)) return MultipartResult::kMalformed;
    if (out->count() + 1 > max_count) return MultipartResult::kTooMany;
    if (!AddPart(headers, body.substr(content_start, content_end - content_start), out)) {
      return MultipartResult::kMalformed;
    }
    pos = content_end + kCrlf.size();
  }
}

}  // namespace campaignd::http
