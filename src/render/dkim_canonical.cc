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

void RelaxedBodyStream::BeginContent() {
  // Empty lines followed by content stay, in pieces of up to 16.
  constexpr std::string_view kCrlfs =
      "\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n";
  while (held_lines_ > 0) {
    std::size_t n = std::min(held_lines_, kCrlfs.size() / kCrlf.size());
    sink_(kCrlfs.substr(0, n * kCrlf.size()));
    held_lines_ -= n;
  }
  if (pending_space_) sink_(" ");
  pending_space_ = false;
  line_has_content_ = true;
}

void RelaxedBodyStream::EndLine() {
  if (line_has_content_) {
    sink_(kCrlf);  // any WSP before it is dropped
  } else {
    ++held_lines_;
  }
  pending_space_ = false;
  line_has_content_ = false;
}

void RelaxedBodyStream::Update(std::string_view bytes) {
  const char* p = bytes.data();
  const char* const end = p + bytes.size();
  if (p == end) return;
  if (pending_cr_) {
    pending_cr_ = false;
    if (*p == '\n') {
      EndLine();
      ++p;
    } else {
      BeginContent();
      sink_("\r");  // a bare CR is content
    }
  }
  // [run, p) is canonical already and is passed on as it is; nullptr: no run.
  const char* run = nullptr;
  auto flush = [&] {
    if (run != nullptr && run < p) sink_(std::string_view(run, static_cast<std::size_t>(p - run)));
    run = nullptr;
  };
  auto is_special = [](char c) { return c == ' ' || c == '\t' || c == '\r'; };
  while (p < end) {
    const char c = *p;
    const bool crlf = c == '\r' && p + 1 < end && p[1] == '\n';
    if (c == '\r' && p + 1 == end) {  // CR or CRLF: the next piece tells
      flush();
      pending_cr_ = true;
      ++p;
      break;
    }
    if (!is_special(c) || (c == '\r' && !crlf)) {  // content
      if (run == nullptr) {
        BeginContent();
        run = p;
      }
      line_has_content_ = true;
      ++p;
      continue;
    }
    if (crlf) {
      if (run != nullptr && line_has_content_) {
        p += kCrlf.size();  // ends a line with content and no WSP: the run goes on
        line_has_content_ = false;
        continue;
      }
      flush();
      EndLine();
      p += kCrlf.size();
      continue;
    }
    // One space between content on a line (inside a run) stays as it is.
    if (c == ' ' && run != nullptr && p + 1 < end && !is_special(p[1])) {
      p += 2;
      line_has_content_ = true;
      continue;
    }
    flush();  // a WSP run: one space if content follows on this line
    pending_space_ = true;
    ++p;
  }
  flush();
}

void RelaxedBodyStream::Finish() {
  if (pending_cr_) {
    pending_cr_ = false;
    BeginContent();
    sink_("\r");
  }
  if (line_has_content_) sink_(kCrlf);
  held_lines_ = 0;
  pending_space_ = false;
  line_has_content_ = false;
}

std::string RelaxedBody(std::string_view body) {
  std::string out;
  out.reserve(body.size() + kCrlf.size());
  RelaxedBodyStream stream([&out](std::string_view piece) { out += piece; });
  stream.Update(body);
  stream.Finish();
  return out;
}

}  // namespace campaignd::render
