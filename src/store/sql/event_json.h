// The one JSON form of an event (events.md §1, §4): the items of a webhook
// request and the admin API's events (a mail's view, a client's event
// list). {"id": "<decimal>", "type", "time" (ISO 8601 UTC), "client",
// "mailId" (the public mail ID, when the event is about a mail and it is
// known), "mailing", "list" (when not 0), "recipient" (when any), and the
// type's data fields merged in (never replacing those).
// Threads: pure functions.
#ifndef CAMPAIGND_STORE_SQL_EVENT_JSON_H_
#define CAMPAIGND_STORE_SQL_EVENT_JSON_H_

#include <nlohmann/json.hpp>
#include <string_view>

#include "store/sql/events.h"

namespace campaignd::store::events {

// `mail_id`: the public ID of the event's mail ("" when unknown or none).
nlohmann::json EventJson(const StoredEvent& stored, std::string_view mail_id);

}  // namespace campaignd::store::events

#endif  // CAMPAIGND_STORE_SQL_EVENT_JSON_H_
