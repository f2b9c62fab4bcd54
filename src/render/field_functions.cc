// Field function expansion; the rules are docs/decisions/0005-field-functions.md.
#include "render/field_functions.h"

#include <algorithm>
#include <optional>

namespace campaignd::render {
namespace {

bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsNameStart(char c) { return IsAlpha(c) || c == '_'; }
bool IsNameChar(char c) { return IsNameStart(c) || IsDigit(c) || c == '.' || c == '-'; }

// One parsed "{name[:FORMAT][|fallback]}".
struct FieldCall {
  std::string_view name;
  std::optional<std::string_view> format;
  std::optional<std::string_view> fallback;
  std::size_t length = 0;  // bytes of the whole call, both braces included
};

// Parses the field function starting at tmpl[0] == '{'; nullopt when the
// text does not follow the grammar (it is then copied literally).
std::optional<FieldCall> ParseFieldCall(std::string_view tmpl) {
  std::size_t i = 1;
  if (i >= tmpl.size() || !IsNameStart(tmpl[i])) return std::nullopt;
  while (i < tmpl.size() && IsNameChar(tmpl[i])) ++i;
  FieldCall call;
  call.name = tmpl.substr(1, i - 1);
  if (i < tmpl.size() && tmpl[i] == ':') {
    std::size_t start = ++i;
    while (i < tmpl.size() && std::string_view("{}|\r\n").find(tmpl[i]) == std::string_view::npos) {
      ++i;
    }
    if (i == start) return std::nullopt;
    call.format = tmpl.substr(start, i - start);
  }
  if (i < tmpl.size() && tmpl[i] == '|') {
    std::size_t start = ++i;
    while (i < tmpl.size() && tmpl[i] != '{' && tmpl[i] != '}') ++i;
    call.fallback = tmpl.substr(start, i - start);
  }
  if (i >= tmpl.size() || tmpl[i] != '}') return std::nullopt;
  call.length = i + 1;
  return call;
}

struct DateTime {
  int year, month, day, hour = 0, minute = 0, second = 0;
};

// Reads `count` digits at s[pos]; -1 when they are not all digits.
int ReadNumber(std::string_view s, std::size_t pos, std::size_t count) {
  int v = 0;
  for (std::size_t i = pos; i < pos + count; ++i) {
    if (!IsDigit(s[i])) return -1;
    v = v * 10 + (s[i] - '0');
  }
  return v;
}

constexpr std::size_t kDateChars = 10;      // YYYY-MM-DD
constexpr std::size_t kDateTimeChars = 19;  // YYYY-MM-DD HH:MM:SS

// Parses the stored forms YYYY-MM-DD, YYYY-MM-DD HH:MM:SS and
// YYYY-MM-DDTHH:MM:SS; nullopt for anything else.
std::optional<DateTime> ParseDateTime(std::string_view s) {
  if (s.size() != kDateChars && s.size() != kDateTimeChars) return std::nullopt;
  if (s[4] != '-' || s[7] != '-') return std::nullopt;
  DateTime t{ReadNumber(s, 0, 4), ReadNumber(s, 5, 2), ReadNumber(s, 8, 2)};
  if (t.year < 0 || t.month < 1 || t.month > 12 || t.day < 1 || t.day > 31) return std::nullopt;
  if (s.size() == kDateChars) return t;
  if ((s[10] != ' ' && s[10] != 'T') || s[13] != ':' || s[16] != ':') return std::nullopt;
  t.hour = ReadNumber(s, 11, 2);
  t.minute = ReadNumber(s, 14, 2);
  t.second = ReadNumber(s, 17, 2);
  if (t.hour < 0 || t.hour > 23 || t.minute < 0 || t.minute > 59 || t.second < 0 || t.second > 59) {
    return std::nullopt;
  }
  return t;
}

void AppendPadded(std::string* out, int value, int width) {
  std::string digits = std::to_string(value);
  if (digits.size() < static_cast<std::size_t>(width)) out->append(width - digits.size(), '0');
  *out += digits;
}

// FORMAT tokens yyyy MM dd HH mm ss; every other character is literal.
std::string FormatDateTime(const DateTime& t, std::string_view format) {
  struct TokenSpec {
    std::string_view token;
    int DateTime::*member;
  };
  static constexpr TokenSpec kTokens[] = {
      {"yyyy", &DateTime::year}, {"MM", &DateTime::month},  {"dd", &DateTime::day},
      {"HH", &DateTime::hour},   {"mm", &DateTime::minute}, {"ss", &DateTime::second},
  };
  std::string out;
  std::size_t i = 0;
  while (i < format.size()) {
    bool matched = false;
    for (const TokenSpec& spec : kTokens) {
      if (format.substr(i).starts_with(spec.token)) {
        AppendPadded(&out, t.*spec.member, static_cast<int>(spec.token.size()));
        i += spec.token.size();
        matched = true;
        break;
      }
    }
    if (!matched) out.push_back(format[i++]);
  }
  return out;
}

bool IsDateType(const FieldContext& context, const std::string& key) {
  auto it = context.types.find(key);
  return it != context.types.end() && (it->second == "date" || it->second == "datetime");
}

std::string Escape(std::string_view value, EscapeMode mode) {
  switch (mode) {
    case EscapeMode::kHtml:
      return EscapeHtml(value);
    case EscapeMode::kHeader:
      return SanitizeHeaderText(value);
    case EscapeMode::kText:
      break;
  }
  return std::string(value);
}

// The text a well-formed call renders to; nullopt when it must stay literal
// (a FORMAT on a field that is not a date or datetime: CSS like p{color:red}).
std::optional<std::string> RenderCall(const FieldCall& call, const FieldContext& context,
                                      EscapeMode mode) {
  std::string key = LowerAscii(call.name);
  bool is_date = IsDateType(context, key);
  if (call.format && !is_date) return std::nullopt;
  auto it = context.values.find(key);
  std::string_view value = it == context.values.end() ? std::string_view() : it->second;
  if (value.empty()) return std::string(call.fallback.value_or(""));
  if (is_date) {
    if (auto t = ParseDateTime(value))
      return FormatDateTime(*t, call.format.value_or("yyyy-MM-dd"));
  }
  return Escape(value, mode);
}

}  // namespace

Result<std::string> ApplyFieldFunctions(std::string_view tmpl, const FieldContext& context,
                                        EscapeMode mode, std::size_t max_bytes) {
  std::string out;
  out.reserve(std::min(tmpl.size(), max_bytes));
  const auto fits = [&](std::size_t more) { return more <= max_bytes - out.size(); };
  const auto too_large = [&] {
    return Status::InvalidArgument("rendered text larger than " + std::to_string(max_bytes) +
                                   " bytes");
  };
  int open_escapes = 0;  // "{{" seen whose "}}" is still to come
  std::size_t i = 0;
  while (i < tmpl.size()) {
    std::string_view rest = tmpl.substr(i);
    if (rest.starts_with("{{")) {
      if (!fits(1)) return too_large();
      out.push_back('{');
      ++open_escapes;
      i += 2;
    } else if (rest.starts_with("}}") && open_escapes > 0) {
      if (!fits(1)) return too_large();
      out.push_back('}');
      --open_escapes;
      i += 2;
    } else if (rest[0] == '{') {
      std::optional<FieldCall> call = ParseFieldCall(rest);
      std::optional<std::string> rendered;
      if (call) rendered = RenderCall(*call, context, mode);
      if (rendered) {
        if (!fits(rendered->size())) return too_large();
        out += *rendered;
        i += call->length;
      } else {
        if (!fits(1)) return too_large();
        out.push_back('{');
        ++i;
      }
    } else {  // plain text up to the next brace
      std::size_t next = i + 1;  // (find_first_of would call memchr per byte)
      while (next < tmpl.size() && tmpl[next] != '{' && tmpl[next] != '}') ++next;
      if (!fits(next - i)) return too_large();
      out.append(tmpl.substr(i, next - i));
      i = next;
    }
  }
  return out;
}

Result<RenderedTexts> RenderTexts(const Templates& templates, const FieldContext& context,
                                  std::size_t max_bytes) {
  struct Part {
    std::string_view name;
    std::string_view tmpl;
    EscapeMode mode;
    std::string RenderedTexts::*out;
  };
  const Part parts[] = {
      {"From", templates.from, EscapeMode::kHeader, &RenderedTexts::from},
      {"Reply-To", templates.reply_to, EscapeMode::kHeader, &RenderedTexts::reply_to},
      {"Subject", templates.subject, EscapeMode::kHeader, &RenderedTexts::subject},
      {"text", templates.text, EscapeMode::kText, &RenderedTexts::text},
      {"html", templates.html, EscapeMode::kHtml, &RenderedTexts::html},
  };
  RenderedTexts texts;
  std::size_t left = max_bytes;
  for (const Part& part : parts) {
    Result<std::string> rendered = ApplyFieldFunctions(part.tmpl, context, part.mode, left);
    if (!rendered.ok()) {
      return Status::InvalidArgument(std::string(part.name) + ": rendered message larger than " +
                                     std::to_string(max_bytes) + " bytes");
    }
    left -= rendered->size();
    texts.*part.out = std::move(*rendered);
  }
  return texts;
}

namespace {

// Appends `c` to `out` (which holds no C1 control and no U+2028/U+2029) and
// drops such a character if `c` completes one. Checking what was written, not
// the input, also catches one that removing a control character has joined
// together ("\xE2\x01\x80\xA8" would otherwise become U+2028).
void AppendHeaderByte(unsigned char c, std::string& out) {
  out.push_back(static_cast<char>(c));
  const std::size_t n = out.size();
  auto back = [&](std::size_t k) { return static_cast<unsigned char>(out[n - k]); };
  if (n >= 2 && back(2) == 0xC2 && back(1) >= 0x80 && back(1) <= 0x9F) {
    out.resize(n - 2);  // C1 control U+0080..U+009F
  } else if (n >= 3 && back(3) == 0xE2 && back(2) == 0x80 && (back(1) == 0xA8 || back(1) == 0xA9)) {
    out.resize(n - 3);  // U+2028 LINE SEPARATOR, U+2029 PARAGRAPH SEPARATOR
  }
}

}  // namespace

std::string SanitizeHeaderText(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char ch : value) {
    auto c = static_cast<unsigned char>(ch);
    if (c == '\t') {
      out.push_back(' ');
    } else if (c >= 0x20 && c != 0x7F) {
      AppendHeaderByte(c, out);
    }  // other C0 controls and DEL are dropped
  }
  return out;
}

std::string EscapeHtml(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out.push_back(c);
    }
  }
  return out;
}

}  // namespace campaignd::render
