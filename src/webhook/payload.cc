#include "webhook/payload.h"

#include <nlohmann/json.hpp>

#include "store/sql/event_json.h"

namespace campaignd::webhook {

std::string PayloadJson(std::span<const store::events::StoredEvent> events,
                        const MailIdText& mail_id) {
  using nlohmann::json;
  json array = json::array();
  for (const store::events::StoredEvent& stored : events) {
    const std::string id = stored.event.mail_seq && mail_id
                               ? mail_id(stored.event.client_id, *stored.event.mail_seq)
                               : "";
    array.push_back(store::events::EventJson(stored, id));
  }
  return array.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace campaignd::webhook
