#include "webhook/payload.h"

#include <nlohmann/json.hpp>

#include "core/iso_time.h"

namespace campaignd::webhook {

std::string PayloadJson(std::span<const store::events::StoredEvent> events,
                        const MailIdText& mail_id) {
  using nlohmann::json;
  json array = json::array();
  for (const store::events::StoredEvent& stored : events) {
    const store::events::Event& e = stored.event;
    json item = json::object();
    item["id"] = std::to_string(stored.id);
    item["type"] = std::string(store::events::Name(e.type));
    item["time"] = FormatIsoTime(e.at);
    item["client"] = e.client_id;
    if (e.mail_seq) {
      std::string id = mail_id ? mail_id(e.client_id, *e.mail_seq) : "";
      if (!id.empty()) item["mailId"] = std::move(id);
    }
    if (e.mailing_id != 0) item["mailing"] = e.mailing_id;
    if (e.list_id != 0) item["list"] = e.list_id;
    if (!e.recipient_id.empty()) {
      item["recipient"] = e.recipient_id;
    } else if (!e.address.empty()) {
      item["recipient"] = e.address;
    }
    if (!e.data.empty()) {
      json data = json::parse(e.data, nullptr, false);
      if (data.is_object()) {
        for (auto& [key, value] : data.items()) {
          if (!item.contains(key)) item[key] = value;
        }
      }
    }
    array.push_back(std::move(item));
  }
  return array.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace campaignd::webhook
