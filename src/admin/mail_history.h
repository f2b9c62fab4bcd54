// The text `campaignd mail MAILID` prints: one mail (client, list, mailing,
// recipient, status, attempts, last reply), its status history as a
// table and then its events (events.md §1: bounces, opens, clicks...) with
// their time, type and data as an indented table ("events     none"
// without), times in ISO-8601 UTC with milliseconds. Pure formatting; the
// command that gathers the records is admin/commands.cc (RunMailHistory).
// Input: replies and event data come from remote servers and recipients: control characters are
// replaced by spaces so they cannot play tricks on a terminal.
#ifndef CAMPAIGND_ADMIN_MAIL_HISTORY_H_
#define CAMPAIGND_ADMIN_MAIL_HISTORY_H_

#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/iso_time.h"
#include "core/mail_id.h"
#include "store/model.h"
#include "store/sql/events.h"

namespace campaignd::admin {

struct MailHistory {
  MailId mail_id;
  store::Client client;
  std::optional<store::RecipientList> list;  // absent when deleted since
  std::optional<store::Mailing> mailing;     // absent when deleted since
  store::Mail mail;
  std::vector<store::MailEvent> events;  // oldest first
  std::vector<store::events::StoredEvent> mail_events;  // events.md §1, oldest first
};

// The report, ending in a newline.
std::string FormatMailHistory(const MailHistory& history);

}  // namespace campaignd::admin

#endif  // CAMPAIGND_ADMIN_MAIL_HISTORY_H_
