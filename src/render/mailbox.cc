#include "render/mailbox.h"

#include "render/field_functions.h"
#include "render/header_field.h"

namespace campaignd::render {
namespace {

// RFC 5322 §3.2.3 specials: a display name holding one must be quoted.
bool HasSpecials(std::string_view s) {
  return s.find_first_of("()<>[]:;@\\,.\"") != std::string_view::npos;
}

std::string Quote(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

// The content of a display name written as one quoted-string, else `s`.
std::string Unquote(std::string_view s) {
  if (s.size() < 2 || s.front() != '"' || s.back() != '"') return std::string(s);
  std::string out;
  for (std::size_t i = 1; i + 1 < s.size(); ++i) {
    if (s[i] == '\\' && i + 2 < s.size()) ++i;
    out.push_back(s[i]);
  }
  return out;
}

}  // namespace

Result<Mailbox> ParseMailbox(std::string_view text) {
  std::string clean = SanitizeHeaderText(text);
  std::string_view rest = TrimSpace(clean);
  std::string_view addr = rest;
  std::string display;
  std::size_t open = rest.rfind('<');
  if (!rest.empty() && rest.back() == '>' && open != std::string_view::npos) {
    addr = TrimSpace(rest.substr(open + 1, rest.size() - open - 2));
    display = Unquote(TrimSpace(rest.substr(0, open)));
  }
  Result<Address> address = Address::Parse(addr, AddressLiterals::kAllow);
  if (!address.ok()) return address.status();
  return Mailbox{std::string(TrimSpace(display)), std::move(address).value()};
}

Result<std::string> MailboxField(std::string_view name, const Mailbox& mailbox) {
  std::string addr = mailbox.address.ToAscii();
  const std::string& display = mailbox.display_name;
  if (display.empty()) return FoldField(name, addr);
  if (IsPlainHeaderText(display)) {
    std::string phrase = HasSpecials(display) ? Quote(display) : display;
    Result<std::string> plain = FoldField(name, phrase + " <" + addr + ">");
    if (plain.ok()) return plain;
  }
  return FoldField(name, EncodeWords(display, FirstLineRoom(name)) + " <" + addr + ">");
}

}  // namespace campaignd::render
