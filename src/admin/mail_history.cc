#include "admin/mail_history.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <chrono>

#include "core/mail_status.h"

namespace campaignd::admin {
namespace {

// One line of text: control characters (CR, LF, ESC...) become spaces.
std::string Printable(std::string_view text) {
  std::string out(text);
  std::replace_if(
      out.begin(), out.end(), [](char c) { return std::iscntrl(static_cast<unsigned char>(c)); },
      ' ');
  return out;
}

std::string Named(int64_t id, const std::string* name) {
  if (name == nullptr) return std::to_string(id) + " (deleted)";
  return std::to_string(id) + " (" + Printable(*name) + ")";
}

}  // namespace

std::string FormatMailHistory(const MailHistory& h) {
  const store::Mail& m = h.mail;
  std::string out;
  const auto row = [&out](std::string_view label, std::string_view value) {
    out += fmt::format("{:<11}{}\n", label, value);
  };
  row("mail", h.mail_id.ToString());
  row("client", Named(h.client.id, &h.client.name));
  row("list", Named(m.list_id, h.list ? &h.list->name : nullptr));
  row("mailing", Named(m.mailing_id, h.mailing ? &h.mailing->name : nullptr));
  row("recipient", Printable(m.recipient_id));
  row("status", MailStatusName(m.status));
  row("attempts", std::to_string(m.attempts));
  row("created", FormatIsoTime(m.created_at));
  row("updated", FormatIsoTime(m.updated_at));
  if (!IsFinal(m.status)) row("next try", FormatIsoTime(m.next_attempt_at));
  row("last reply", m.last_reply.empty() ? "-" : Printable(m.last_reply));

  constexpr std::size_t kTimeWidth = 24;  // "2024-05-01T10:00:00.123Z"
  std::size_t status_width = std::string_view("status").size();
  for (const auto& e : h.events)
    status_width = std::max(status_width, MailStatusName(e.status).size());
  out += fmt::format("\n{:<{}}  {:<{}}  {}\n", "time", kTimeWidth, "status", status_width, "reply");
  for (const auto& e : h.events) {
    std::string line = fmt::format("{:<{}}  {:<{}}  {}", FormatIsoTime(e.at), kTimeWidth,
                                   MailStatusName(e.status), status_width, Printable(e.reply));
    while (line.ends_with(' ')) line.pop_back();
    out += line + "\n";
  }

  // The events, indented: a reader of the history table's rows (they start
  // with their time) never takes an event for a status.
  if (h.mail_events.empty()) {
    out += "\nevents     none\n";
    return out;
  }
  std::size_t type_width = std::string_view("type").size();
  for (const auto& e : h.mail_events)
    type_width = std::max(type_width, store::events::Name(e.event.type).size());
  out += fmt::format("\nevents\n  {:<{}}  {:<{}}  {}\n", "time", kTimeWidth, "type", type_width,
                     "data");
  for (const auto& e : h.mail_events) {
    const std::string& data = e.event.data;
    out += fmt::format("  {:<{}}  {:<{}}  {}\n", FormatIsoTime(e.event.at), kTimeWidth,
                       store::events::Name(e.event.type), type_width,
                       Printable(data.empty() ? "{}" : data));
  }
  return out;
}

}  // namespace campaignd::admin
