// The body of a webhook request (events.md §1, §4): a JSON array of
// events, each in the one JSON form of an event (store/sql/event_json.h,
// which the admin API answers too).
// Threads: pure functions.
#ifndef CAMPAIGND_WEBHOOK_PAYLOAD_H_
#define CAMPAIGND_WEBHOOK_PAYLOAD_H_

#include <cstdint>
#include <functional>
#include <span>
#include <string>

#include "store/sql/events.h"

namespace campaignd::webhook {

// (client, mails row) -> the public mail ID, "" when unknown.
using MailIdText = std::function<std::string(int64_t client_id, int64_t mail_seq)>;

std::string PayloadJson(std::span<const store::events::StoredEvent> events,
                        const MailIdText& mail_id);

}  // namespace campaignd::webhook

#endif  // CAMPAIGND_WEBHOOK_PAYLOAD_H_
