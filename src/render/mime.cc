#include "render/mime.h"

#include <openssl/rand.h>
#include <openssl/sha.h>

#include <algorithm>
#include <cstdio>

#include "core/fields.h"
#include "render/body_encoding.h"
#include "render/field_functions.h"
#include "render/header_field.h"

namespace campaignd::render {
namespace {

constexpr std::size_t kBoundaryBytes = 16;  // 128 bits: no collision with content
constexpr std::string_view kBoundaryPrefix = "=_";
constexpr std::string_view kOctetStream = "application/octet-stream";
constexpr std::string_view kDefaultFileName = "attachment";
// File names up to this length that are printable ASCII are written as a
// quoted-string; others use RFC 2231 segments of at most this many chars.
constexpr std::size_t kMaxQuotedFileNameChars = 60;
constexpr std::size_t kRfc2231SegmentChars = 60;
// RFC 2231 §7 attribute-char other than letters and digits; every other
// byte of a file name is %XX.
constexpr std::string_view kAttributeChars = "!#$&+-.^_`|~";

bool IsAlnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

// RFC 6838 §4.2 restricted-name: a type or subtype.
bool IsRestrictedName(std::string_view s) {
  if (s.empty() || !IsAlnum(s.front())) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return IsAlnum(c) || std::string_view("!#$&-^_.+").find(c) != std::string_view::npos;
  });
}

std::string SanitizeContentType(std::string_view raw) {
  std::string type = LowerAscii(TrimSpace(raw.substr(0, raw.find(';'))));
  std::size_t slash = type.find('/');
  if (slash == std::string::npos) return std::string(kOctetStream);
  std::string_view major = std::string_view(type).substr(0, slash);
  std::string_view minor = std::string_view(type).substr(slash + 1);
  // A multipart or message type would need 7bit framing, not base64.
  if (!IsRestrictedName(major) || !IsRestrictedName(minor) || major == "multipart" ||
      major == "message") {
    return std::string(kOctetStream);
  }
  return type;
}

std::string SanitizeFileName(std::string_view raw) {
  std::string clean = SanitizeHeaderText(raw);
  std::string_view name = clean;
  std::size_t dir = name.find_last_of("/\\");
  if (dir != std::string_view::npos) name.remove_prefix(dir + 1);
  name = TrimSpace(name);
  return std::string(name.empty() ? kDefaultFileName : name);
}

// The %-encoded segments of `name`, each at most kRfc2231SegmentChars
// long, cut only between UTF-8 sequences.
std::vector<std::string> Rfc2231Segments(std::string_view name) {
  std::vector<std::string> segments(1);
  for (std::size_t i = 0; i < name.size();) {
    std::size_t n = Utf8SequenceBytes(name, i);
    std::string piece = PercentEncode(name.substr(i, n), kAttributeChars);
    if (segments.back().size() + piece.size() > kRfc2231SegmentChars) segments.emplace_back();
    segments.back() += piece;
    i += n;
  }
  return segments;
}

std::string AttachmentDisposition(std::string_view file_name) {
  std::string name = SanitizeFileName(file_name);
  if (IsPlainHeaderText(name) && name.find('"') == std::string::npos &&
      name.size() <= kMaxQuotedFileNameChars) {
    return "attachment; filename=\"" + name + "\"";
  }
  std::vector<std::string> segments = Rfc2231Segments(name);
  if (segments.size() == 1) return "attachment; filename*=utf-8''" + segments[0];
  std::string out = "attachment";
  for (std::size_t i = 0; i < segments.size(); ++i) {
    out += "; filename*" + std::to_string(i) + "*=" + (i == 0 ? "utf-8''" : "") + segments[i];
  }
  return out;
}

// The message being written; what is appended once `in_body` is set also
// goes to the body sink (if any).
struct MessageWriter {
  std::string out;
  const std::function<void(std::string_view)>& body_sink;
  bool in_body = false;

  void Append(std::string_view piece) {
    out += piece;
    if (in_body && body_sink) body_sink(piece);
  }
  Status AppendField(std::string_view name, std::string_view value) {
    Result<std::string> field = FoldField(name, value);
    if (!field.ok()) return field.status();
    Append(*field);
    return Status::Ok();
  }
};

Status AppendPart(const MimePart& part, BoundaryMaker& boundaries, MessageWriter& w) {
  std::string content_type = part.content_type;
  std::string boundary;
  if (!part.children.empty()) {
    Result<std::string> next = boundaries.Next();
    if (!next.ok()) return next.status();
    boundary = std::move(next).value();
    content_type += "; boundary=\"" + boundary + "\"";
  }
  CAMPAIGND_RETURN_IF_ERROR(w.AppendField("Content-Type", content_type));
  if (!part.transfer_encoding.empty()) {
    CAMPAIGND_RETURN_IF_ERROR(w.AppendField("Content-Transfer-Encoding", part.transfer_encoding));
  }
  if (!part.disposition.empty()) {
    CAMPAIGND_RETURN_IF_ERROR(w.AppendField("Content-Disposition", part.disposition));
  }
  w.Append("\r\n");
  w.in_body = true;  // the end of the top-level header block, or already in the body
  if (part.children.empty()) {
    w.Append(part.encoded_body);
    return Status::Ok();
  }
  // Each delimiter is CRLF "--" boundary; the CRLF that ends every part
  // body is that CRLF, so an empty body needs one of its own.
  const std::string delimiter = "--" + boundary + "\r\n";
  for (const MimePart& child : part.children) {
    w.Append(delimiter);
    CAMPAIGND_RETURN_IF_ERROR(AppendPart(child, boundaries, w));
    if (child.children.empty() && child.encoded_body.empty()) w.Append("\r\n");
  }
  w.Append("--" + boundary + "--\r\n");
  return Status::Ok();
}

}  // namespace

MimePart TextPart(std::string_view subtype, std::string_view text) {
  MimePart part;
  part.content_type = "text/" + std::string(subtype) + "; charset=utf-8";
  std::string body = NormalizeLineEnds(text);
  if (Is7bit(body)) {
    part.transfer_encoding = "7bit";
    part.encoded_body = std::move(body);
  } else {
    part.transfer_encoding = "quoted-printable";
    part.encoded_body = EncodeQuotedPrintable(body);
  }
  return part;
}

MimePart AttachmentPart(const Attachment& attachment) {
  MimePart part;
  part.content_type = SanitizeContentType(attachment.content_type);
  part.transfer_encoding = "base64";
  part.disposition = AttachmentDisposition(attachment.file_name);
  part.encoded_body = EncodeBase64Lines(attachment.data);
  return part;
}

MimePart MultipartPart(std::string_view subtype, std::vector<MimePart> parts) {
  MimePart part;
  part.content_type = "multipart/" + std::string(subtype);
  part.children = std::move(parts);
  return part;
}

Result<std::string> BoundaryMaker::Next() {
  unsigned char bytes[kBoundaryBytes];
  if (seed_.empty()) {
    if (RAND_bytes(bytes, sizeof bytes) != 1) return Status::Internal("RAND_bytes failed");
  } else {
    std::string input = seed_ + ":" + std::to_string(count_);
    unsigned char digest[SHA256_DIGEST_LENGTH];
    SHA256(reinterpret_cast<const unsigned char*>(input.data()), input.size(), digest);
    std::copy(digest, digest + kBoundaryBytes, bytes);
  }
  ++count_;
  std::string boundary(kBoundaryPrefix);
  char hex[3];
  for (unsigned char b : bytes) {
    std::snprintf(hex, sizeof hex, "%02X", b);
    boundary += hex;
  }
  return boundary;
}

Result<std::string> SerializeMessage(std::string_view top_headers, const MimePart& root,
                                     BoundaryMaker& boundaries,
                                     const std::function<void(std::string_view)>& body_sink) {
  MessageWriter w{std::string(top_headers), body_sink};
  CAMPAIGND_RETURN_IF_ERROR(AppendPart(root, boundaries, w));
  return std::move(w.out);
}

}  // namespace campaignd::render
