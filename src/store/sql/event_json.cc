#include "store/sql/event_json.h"

#include <string>

#include "core/iso_time.h"

namespace campaignd::store::events {

nlohmann::json EventJson(const StoredEvent& stored, std::string_view mail_id) {
  using nlohmann::json;
  const Event& e = stored.event;
  json item = json::object();
  item["id"] = std::to_string(stored.id);
  item["type"] = std::string(Name(e.type));
  item["time"] = FormatIsoTime(e.at);
  item["client"] = e.client_id;
  if (e.mail_seq && !mail_id.empty()) item["mailId"] = std::string(mail_id);
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
  return item;
}

}  // namespace campaignd::store::events
