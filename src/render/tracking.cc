// Tracked links and the open pixel: a small HTML tag scanner (enough to
// find <a href> in any spelling HTML allows; not a parser, and it need not
// be: the template is the operator's), the rewriting and the pixel.
#include "render/tracking.h"

#include <cstdio>

#include "core/fields.h"
#include "render/field_functions.h"

namespace campaignd::render {
namespace {

// `prefix` is lower case.
bool StartsWithNoCase(std::string_view text, std::string_view prefix) {
  return text.size() >= prefix.size() && LowerAscii(text.substr(0, prefix.size())) == prefix;
}

// `needle` is lower case.
bool ContainsNoCase(std::string_view text, std::string_view needle) {
  return LowerAscii(text).find(needle) != std::string::npos;
}

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; }

std::string_view Trim(std::string_view s) {
  while (!s.empty() && IsSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsSpace(s.back())) s.remove_suffix(1);
  return s;
}

bool IsHttpUrl(std::string_view url) {
  url = Trim(url);
  return StartsWithNoCase(url, "http://") || StartsWithNoCase(url, "https://");
}

// The "scheme://authority" of an http(s) URL (entity-decoded, trimmed),
// lower-cased: everything before the first '/', '?' or '#' after "://".
// The authority is kept whole (userinfo, port), so two URLs have the same
// origin here only when a browser sends both to the same host and port.
std::string LinkOrigin(std::string_view url) {
  const std::size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return LowerAscii(url);
  const std::size_t end = url.find_first_of("/?#", scheme_end + 3);
  return LowerAscii(url.substr(0, end));
}

// The system links that must keep working as they are (events.md §3).
bool IsSystemLink(std::string_view value) {
  return ContainsNoCase(value, "{bmunsubscribeurl") ||
         ContainsNoCase(value, "{bmonlineversionurl") || ContainsNoCase(value, "{bmoptinurl");
}

struct Attribute {
  std::string_view name;
  std::size_t value_begin = 0, value_end = 0;
  bool has_value = false;
};

// Reads the attributes of the tag whose name ends at `pos`, up to its '>'.
// False when the tag does not end (an unterminated quote or no '>'):
// then it is not touched. `end` is the position after '>'.
bool ReadAttributes(std::string_view html, std::size_t pos, std::vector<Attribute>& out,
                    std::size_t& end) {
  const std::size_t n = html.size();
  while (true) {
    while (pos < n && (IsSpace(html[pos]) || html[pos] == '/')) ++pos;
    if (pos >= n) return false;
    if (html[pos] == '>') {
      end = pos + 1;
      return true;
    }
    Attribute a;
    const std::size_t name_begin = pos;
    while (pos < n && !IsSpace(html[pos]) && html[pos] != '=' && html[pos] != '>' &&
           html[pos] != '/') {
      ++pos;
    }
    a.name = html.substr(name_begin, pos - name_begin);
    std::size_t look = pos;
    while (look < n && IsSpace(html[look])) ++look;
    if (look < n && html[look] == '=') {
      pos = look + 1;
      while (pos < n && IsSpace(html[pos])) ++pos;
      if (pos >= n) return false;
      a.has_value = true;
      if (html[pos] == '"' || html[pos] == '\'') {
        const char quote = html[pos];
        const std::size_t close = html.find(quote, pos + 1);
        if (close == std::string_view::npos) return false;
        a.value_begin = pos + 1;
        a.value_end = close;
        pos = close + 1;
      } else {
        a.value_begin = pos;
        while (pos < n && !IsSpace(html[pos]) && html[pos] != '>') ++pos;
        a.value_end = pos;
      }
    }
    out.push_back(a);
  }
}

bool NameIs(std::string_view name, std::string_view lower) {
  return name.size() == lower.size() && StartsWithNoCase(name, lower);
}

void AppendCodePoint(uint32_t cp, std::string& out) {
  if (cp == 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) cp = 0xfffd;
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xc0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xe0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
  } else {
    out.push_back(static_cast<char>(0xf0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3f)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
  }
}

// The token's redirect URL, HTML-escaped for an attribute and with its
// braces doubled (it goes back into a template).
std::string RedirectHref(const TrackingInput& tracking, int index, std::string url) {
  const TrackingToken token{tracking.client_id, tracking.mail_seq, tracking.mailing_id, index,
                            std::move(url)};
  const std::string href = EscapeHtml(tracking.public_url) + std::string(kRedirectPath) +
                           EncodeTrackingToken(token, tracking.key);
  std::string out;
  for (char c : href) {
    out.push_back(c);
    if (c == '{' || c == '}') out.push_back(c);
  }
  return out;
}

}  // namespace

std::string DecodeHtmlEntities(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '&') {
      out.push_back(text[i]);
      continue;
    }
    const std::size_t semi = text.find(';', i);
    if (semi == std::string_view::npos || semi - i > 10) {
      out.push_back('&');
      continue;
    }
    const std::string_view name = text.substr(i + 1, semi - i - 1);
    static constexpr std::pair<std::string_view, char> kNamed[] = {
        {"amp", '&'}, {"lt", '<'}, {"gt", '>'}, {"quot", '"'}, {"apos", '\''}};
    bool done = false;
    for (const auto& [entity, c] : kNamed) {
      if (NameIs(name, entity)) {
        out.push_back(c);
        done = true;
      }
    }
    if (!done && name.size() >= 2 && name[0] == '#') {
      const bool hex = name[1] == 'x' || name[1] == 'X';
      const std::string digits = LowerAscii(name.substr(hex ? 2 : 1));
      uint32_t cp = 0;
      bool ok = !digits.empty();
      for (char c : digits) {
        int d = (c >= '0' && c <= '9') ? c - '0' : hex && c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
        if (d < 0 || cp > 0x10ffff) ok = false;
        if (!ok) break;
        cp = cp * (hex ? 16 : 10) + static_cast<uint32_t>(d);
      }
      if (ok) {
        AppendCodePoint(cp, out);
        done = true;
      }
    }
    if (!done) {
      out.push_back('&');
      continue;
    }
    i = semi;
  }
  return out;
}

std::vector<TrackedLink> FindTrackedLinks(std::string_view html) {
  std::vector<TrackedLink> links;
  std::size_t pos = 0;
  while ((pos = html.find('<', pos)) != std::string_view::npos) {
    if (html.substr(pos).starts_with("<!--")) {
      const std::size_t close = html.find("-->", pos + 4);
      if (close == std::string_view::npos) break;
      pos = close + 3;
      continue;
    }
    const bool anchor = pos + 2 <= html.size() && (html[pos + 1] == 'a' || html[pos + 1] == 'A') &&
                        (pos + 2 == html.size() || IsSpace(html[pos + 2]) || html[pos + 2] == '>' ||
                         html[pos + 2] == '/');
    if (!anchor) {
      ++pos;
      continue;
    }
    std::vector<Attribute> attributes;
    std::size_t end = 0;
    if (!ReadAttributes(html, pos + 2, attributes, end)) {
      ++pos;
      continue;
    }
    pos = end;
    const Attribute* href = nullptr;
    bool notrack = false;
    for (const Attribute& a : attributes) {
      if (NameIs(a.name, "href") && a.has_value && href == nullptr) href = &a;
      if (NameIs(a.name, "data-notrack")) notrack = true;
    }
    if (href == nullptr || notrack) continue;
    const std::string_view value =
        html.substr(href->value_begin, href->value_end - href->value_begin);
    const std::string url(Trim(DecodeHtmlEntities(value)));
    if (!IsHttpUrl(url) || IsSystemLink(value)) continue;
    // A field in the scheme or host would let a recipient's value choose
    // where the redirect goes: such a link is not tracked (decision 0021).
    if (LinkOrigin(url).find('{') != std::string::npos) continue;
    links.push_back({href->value_begin, href->value_end, std::string(value),
                     value.find('{') != std::string_view::npos});
  }
  return links;
}

std::string RewriteTrackedLinks(
    std::string_view html, const TrackingInput& tracking,
    const std::function<std::optional<std::string>(std::string_view)>& render_url) {
  const std::vector<TrackedLink> links = FindTrackedLinks(html);
  std::string out;
  out.reserve(html.size() + links.size() * 64);
  std::size_t copied = 0;
  for (std::size_t i = 0; i < links.size(); ++i) {
    const TrackedLink& link = links[i];
    std::string url;
    if (link.personalised) {
      std::optional<std::string> rendered = render_url(link.value);
      if (!rendered) continue;
      url = std::string(Trim(DecodeHtmlEntities(*rendered)));
      if (!IsHttpUrl(url)) continue;  // the values made it something else: left alone
      // Its redirect would refuse another origin (ResolveTrackedLink): left alone.
      if (LinkOrigin(url) != LinkOrigin(Trim(DecodeHtmlEntities(link.value)))) continue;
    }
    out.append(html.substr(copied, link.begin - copied));
    out += RedirectHref(tracking, static_cast<int>(i), std::move(url));
    copied = link.end;
  }
  out.append(html.substr(copied));
  return out;
}

std::string InsertOpenPixel(std::string_view html, const TrackingInput& tracking) {
  const TrackingToken token{tracking.client_id, tracking.mail_seq, tracking.mailing_id,
                            TrackingToken::kOpen, ""};
  const std::string pixel = "<img src=\"" + EscapeHtml(tracking.public_url) +
                            std::string(kPixelPath) + EncodeTrackingToken(token, tracking.key) +
                            std::string(kPixelSuffix) +
                            "\" width=\"1\" height=\"1\" alt=\"\" style=\"display:block;border:0;"
                            "width:1px;height:1px\">";
  std::size_t at = html.size();
  for (std::size_t i = html.size(); i-- > 0;) {
    if (html[i] == '<' && StartsWithNoCase(html.substr(i), "</body")) {
      at = i;
      break;
    }
  }
  std::string out;
  out.reserve(html.size() + pixel.size());
  out.append(html.substr(0, at));
  out += pixel;
  out.append(html.substr(at));
  return out;
}

std::optional<std::string> ResolveTrackedLink(const std::vector<TrackedLink>& links,
                                              const TrackingToken& token) {
  if (token.link_index < 0 || static_cast<std::size_t>(token.link_index) >= links.size()) {
    return std::nullopt;
  }
  const TrackedLink& link = links[static_cast<std::size_t>(token.link_index)];
  std::string url =
      link.personalised ? token.url : std::string(Trim(DecodeHtmlEntities(link.value)));
  if (!link.personalised && !token.url.empty()) return std::nullopt;
  if (!IsHttpUrl(url)) return std::nullopt;
  // A personalised link's URL goes only to the template link's own origin.
  if (link.personalised && LinkOrigin(url) != LinkOrigin(Trim(DecodeHtmlEntities(link.value)))) {
    return std::nullopt;
  }
  return url;
}

}  // namespace campaignd::render
