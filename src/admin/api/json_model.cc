#include "admin/api/json_model.h"

#include <algorithm>
#include <cstdio>
#include <ctime>

#include "admin/provisioning_sections.h"
#include "auth/authorize.h"
#include "core/address.h"
#include "core/field_value.h"
#include "core/target_group.h"
#include "store/store.h"
#include "webhook/subscription.h"

namespace campaignd::admin::api {
namespace {

// Reads body[key] as a string into out when present.
Problem Text(const Json& body, const char* key, std::string& out) {
  auto it = body.find(key);
  if (it == body.end()) return std::nullopt;
  if (!it->is_string()) return std::string(key) + ": expected a string";
  out = it->get<std::string>();
  return std::nullopt;
}

template <typename Int>
Problem Integer(const Json& body, const char* key, Int& out, int64_t min) {
  auto it = body.find(key);
  if (it == body.end()) return std::nullopt;
  if (!it->is_number_integer() || it->get<int64_t>() < min) {
    return std::string(key) + ": expected an integer >= " + std::to_string(min);
  }
  out = static_cast<Int>(it->get<int64_t>());
  return std::nullopt;
}

Problem Bool(const Json& body, const char* key, bool& out) {
  auto it = body.find(key);
  if (it == body.end()) return std::nullopt;
  if (!it->is_boolean()) return std::string(key) + ": expected true or false";
  out = it->get<bool>();
  return std::nullopt;
}

Problem Strings(const Json& body, const char* key, std::vector<std::string>& out) {
  auto it = body.find(key);
  if (it == body.end()) return std::nullopt;
  if (!it->is_array()) return std::string(key) + ": expected an array of strings";
  std::vector<std::string> values;
  for (const Json& v : *it) {
    if (!v.is_string()) return std::string(key) + ": expected an array of strings";
    values.push_back(v.get<std::string>());
  }
  out = std::move(values);
  return std::nullopt;
}

// The first problem of several readers.
Problem First(std::initializer_list<Problem> problems) {
  for (const Problem& p : problems) {
    if (p) return p;
  }
  return std::nullopt;
}

bool IsOneOf(std::string_view v, std::initializer_list<std::string_view> choices) {
  return std::find(choices.begin(), choices.end(), v) != choices.end();
}

}  // namespace

Json ClientJson(const store::Client& c) {
  return Json{{"id", c.id},
              {"name", c.name},
              {"transport", store::RedactUrl(c.transport)},
              {"redirect_hosts", c.redirect_hosts},
              {"bounce_limit", c.bounce_limit},
              {"rate_limit", c.rate_limit},
              {"bounce_domain", c.bounce_domain},
              {"bounce_local", c.bounce_local},
              {"complaint_address", c.complaint_address}};
}

Json ListJson(const store::RecipientList& l) {
  Json fields = Json::array();
  for (const auto& f : l.fields) fields.push_back({{"name", f.name}, {"type", f.type}});
  return Json{{"id", l.id},           {"name", l.name}, {"kind", store::Name(l.kind)},
              {"test", l.test},       {"fields", fields}};
}

Json RecipientJson(const store::Recipient& r) {
  return Json{{"recipient_id", r.id}, {"state", store::Name(r.state)}, {"fields", r.fields}};
}

Json MailingJson(const store::Mailing& m) {
  return Json{{"id", m.id},
              {"name", m.name},
              {"type", store::Name(m.type)},
              {"status", store::Name(m.status)},
              {"list_ids", m.list_ids},
              {"target_group", m.target_group},
              {"from", m.from},
              {"reply_to", m.reply_to},
              {"subject", m.subject},
              {"text", m.text},
              {"html", m.html},
              {"tracking", store::Name(m.tracking)}};
}

Json CodeJson(const store::AuthCode& c) {
  return Json{{"name", c.name},           {"list_id", c.list_id},
              {"operations", c.operations}, {"ips", c.ips},
              {"methods", c.methods},       {"protocols", c.protocols},
              {"redirect_hosts", c.redirect_hosts}, {"enabled", c.enabled}};
}

Json OptInJson(const store::OptInProcess& p) {
  return Json{{"id", p.id},
              {"name", p.name},
              {"kind", store::Name(p.kind)},
              {"mailing_id", p.mailing_id},
              {"confirmation_url", p.confirmation_url}};
}

Json MailJson(const store::Mail& m, const std::string& mail_id,
              const std::vector<store::MailEvent>& history) {
  Json events = Json::array();
  for (const auto& e : history) {
    events.push_back(
        {{"at", FormatIsoTime(e.at)}, {"status", MailStatusName(e.status)}, {"reply", e.reply}});
  }
  return Json{{"id", m.id},
              {"mail_id", mail_id},
              {"list_id", m.list_id},
              {"mailing_id", m.mailing_id},
              {"recipient_id", m.recipient_id},
              {"status", MailStatusName(m.status)},
              {"attempts", m.attempts},
              {"created_at", FormatIsoTime(m.created_at)},
              {"updated_at", FormatIsoTime(m.updated_at)},
              {"last_reply", m.last_reply},
              {"history", events}};
}

Json CountersJson(const store::events::Counters& c) {
  using namespace store::events;
  return Json{{"enqueued", c[kEnqueued]},
              {"sent", c[kSent]},
              {"failed", c[kFailed]},
              {"bounced_hard", c[kBouncedHard]},
              {"bounced_soft", c[kBouncedSoft]},
              {"complaints", c[kComplaints]},
              {"unsubscribes", c[kUnsubscribes]},
              {"opens", c[kOpens]},
              {"opens_unique", c[kOpensUnique]},
              {"opens_human", c[kOpens] - c[kOpensMachine]},
              {"opens_machine", c[kOpensMachine]},
              {"clicks", c[kClicks]},
              {"clicks_unique", c[kClicksUnique]},
              {"clicks_human", c[kClicks] - c[kClicksMachine]},
              {"clicks_machine", c[kClicksMachine]}};
}

Problem ReadClient(const Json& body, store::Client& out, const std::vector<store::Client>& others) {
  if (Problem p = First({Integer(body, "id", out.id, 1), Text(body, "name", out.name),
                         Text(body, "transport", out.transport),
                         Strings(body, "redirect_hosts", out.redirect_hosts),
                         Integer(body, "bounce_limit", out.bounce_limit, 1),
                         Integer(body, "rate_limit", out.rate_limit, 0),
                         Text(body, "bounce_domain", out.bounce_domain),
                         Text(body, "bounce_local", out.bounce_local),
                         Text(body, "complaint_address", out.complaint_address)})) {
    return p;
  }
  if (auto p = NormaliseBounceSettings(out, others)) return p->member + ": " + p->message;
  if (out.name.empty()) return "name: must not be empty";
  if (auto p = TransportProblem(out.transport)) return "transport: " + *p;
  for (const auto& host : out.redirect_hosts) {
    if (auto p = HostProblem(host)) return "redirect_hosts: " + *p;
  }
  return std::nullopt;
}

Problem ReadField(const Json& body, store::FieldDef& out) {
  if (Problem p = First({Text(body, "name", out.name), Text(body, "type", out.type)})) return p;
  std::transform(out.name.begin(), out.name.end(), out.name.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  if (out.name.empty()) return "field name: must not be empty";
  if (!IsFieldType(out.type)) return "field type: expected text, int, decimal, bool, date or datetime";
  return std::nullopt;
}

Problem ReadList(const Json& body, store::RecipientList& out) {
  std::string kind(store::Name(out.kind));
  if (Problem p = First({Integer(body, "id", out.id, 1), Text(body, "name", out.name),
                         Text(body, "kind", kind), Bool(body, "test", out.test)})) {
    return p;
  }
  if (out.name.empty()) return "name: must not be empty";
  auto parsed = store::ParseListKind(kind);
  if (!parsed) return "kind: expected standard, optin or transaction";
  out.kind = *parsed;
  if (auto it = body.find("fields"); it != body.end()) {
    if (!it->is_array()) return "fields: expected an array of {name, type}";
    out.fields.clear();
    for (const Json& f : *it) {
      store::FieldDef field;
      if (!f.is_object()) return "fields: expected an array of {name, type}";
      if (Problem p = ReadField(f, field)) return p;
      for (const auto& seen : out.fields) {
        if (seen.name == field.name) return "fields: '" + field.name + "' twice";
      }
      out.fields.push_back(std::move(field));
    }
  }
  return std::nullopt;
}

Result<std::string> NormaliseAddress(std::string_view text, AddressLiterals literals) {
  Result<Address> address = Address::Parse(text, literals);
  if (!address.ok()) return address.status();
  return address->str();
}

Problem CheckFieldValues(const store::RecipientList& list, FieldValues& values) {
  FieldValues checked;
  for (auto& [name, value] : values) {
    std::string key = name;
    std::transform(key.begin(), key.end(), key.begin(),
                   [](unsigned char c) { return std::tolower(c); });
    auto def = std::find_if(list.fields.begin(), list.fields.end(),
                            [&](const store::FieldDef& f) { return f.name == key; });
    if (def == list.fields.end()) return "field '" + name + "' is not defined in the list";
    Result<std::string> text = FieldValueText(value, def->type);
    if (!text.ok()) return "field '" + name + "': " + text.status().message();
    checked[key] = std::move(*text);
  }
  values = std::move(checked);
  return std::nullopt;
}

Problem ReadRecipient(const Json& body, const store::RecipientList& list, AddressLiterals literals,
                      store::Recipient& out) {
  std::string state(store::Name(out.state));
  std::string id = out.id;
  if (Problem p = First({Text(body, "recipient_id", id), Text(body, "state", state)})) return p;
  Result<std::string> address = NormaliseAddress(id, literals);
  if (!address.ok()) return "recipient_id: " + address.status().message();
  out.id = *address;
  auto parsed = store::ParseRecipientState(state);
  if (!parsed) return "state: expected active, unsubscribed or pending";
  out.state = *parsed;
  if (auto it = body.find("fields"); it != body.end()) {
    if (!it->is_object()) return "fields: expected an object of strings";
    out.fields.clear();
    for (const auto& [name, value] : it->items()) {
      if (!value.is_string()) return "fields: '" + name + "' must be a string";
      out.fields[name] = value.get<std::string>();
    }
  }
  out.list_id = list.id;
  return CheckFieldValues(list, out.fields);
}

Problem ReadMailing(const Json& body, store::Mailing& out) {
  std::string type(store::Name(out.type));
  std::string tracking(store::Name(out.tracking));
  if (Problem p = First({Integer(body, "id", out.id, 1), Text(body, "name", out.name),
                         Text(body, "type", type), Text(body, "target_group", out.target_group),
                         Text(body, "from", out.from), Text(body, "reply_to", out.reply_to),
                         Text(body, "subject", out.subject), Text(body, "text", out.text),
                         Text(body, "html", out.html), Text(body, "tracking", tracking)})) {
    return p;
  }
  if (body.contains("status")) return "status: change it with POST .../status";
  auto parsed_tracking = store::ParseTracking(tracking);
  if (!parsed_tracking) return "tracking: " + std::string(store::kTrackingExpected);
  out.tracking = *parsed_tracking;
  if (auto it = body.find("list_ids"); it != body.end()) {
    if (!it->is_array()) return "list_ids: expected an array of integers";
    out.list_ids.clear();
    for (const Json& id : *it) {
      if (!id.is_number_integer()) return "list_ids: expected an array of integers";
      out.list_ids.push_back(id.get<int64_t>());
    }
  }
  auto parsed = store::ParseMailingType(type);
  if (!parsed) return "type: expected regular, event, confirmation or template";
  out.type = *parsed;
  if (out.name.empty()) return "name: must not be empty";
  if (!out.target_group.empty()) {
    if (auto group = TargetGroup::Parse(out.target_group); !group.ok()) {
      return "target_group: " + group.status().message();
    }
  }
  return std::nullopt;
}

Problem ReadCode(const Json& body, store::AuthCode& out) {
  if (Problem p = First({Integer(body, "list_id", out.list_id, 1),
                         Strings(body, "operations", out.operations),
                         Strings(body, "ips", out.ips), Strings(body, "methods", out.methods),
                         Strings(body, "protocols", out.protocols),
                         Strings(body, "redirect_hosts", out.redirect_hosts),
                         Bool(body, "enabled", out.enabled)})) {
    return p;
  }
  if (out.list_id == 0) return "list_id: required";
  for (const auto& ip : out.ips) {
    if (!auth::IsValidCidr(ip)) return "ips: '" + ip + "' is not a CIDR range";
  }
  for (const auto& m : out.methods) {
    if (!IsOneOf(m, {"GET", "POST"})) return "methods: expected GET or POST";
  }
  for (const auto& p : out.protocols) {
    if (!IsOneOf(p, {"http", "https"})) return "protocols: expected http or https";
  }
  for (const auto& op : out.operations) {
    if (op.empty() || !std::all_of(op.begin(), op.end(), [](char c) { return c >= 'a' && c <= 'z'; })) {
      return "operations: '" + op + "' is not an operation name";
    }
  }
  for (const auto& host : out.redirect_hosts) {
    if (auto p = HostProblem(host)) return "redirect_hosts: " + *p;
  }
  return std::nullopt;
}

Problem ReadOptIn(const Json& body, store::OptInProcess& out) {
  std::string kind(store::Name(out.kind));
  if (Problem p = First({Integer(body, "id", out.id, 1), Text(body, "name", out.name),
                         Text(body, "kind", kind), Integer(body, "mailing_id", out.mailing_id, 0),
                         Text(body, "confirmation_url", out.confirmation_url)})) {
    return p;
  }
  if (out.name.empty()) return "name: must not be empty";
  auto parsed = store::ParseOptInKind(kind);
  if (!parsed) return "kind: expected single, confirmed or double";
  out.kind = *parsed;
  return std::nullopt;
}

Json WebhookJson(const store::events::Webhook& w) {
  Json types = Json::array();
  for (store::events::EventType t : w.types) types.push_back(store::events::Name(t));
  Json json{{"id", w.id},
            {"url", w.url},
            {"types", std::move(types)},
            {"auth", store::events::Name(w.auth)},
            {"auth_name", w.auth_name},
            {"state", store::events::Name(w.state)},
            {"created_at", FormatIsoTime(w.created_at)},
            {"failing_since", nullptr},
            {"failed_attempts", w.attempts},
            {"next_attempt_at", FormatIsoTime(w.next_attempt_at)}};
  if (w.failing_since && ToUnixMillis(*w.failing_since) != 0) {
    json["failing_since"] = FormatIsoTime(*w.failing_since);
  }
  return json;
}

Json AttemptJson(const store::events::Attempt& a) {
  return Json{{"at", FormatIsoTime(a.at)},    {"first_event_id", std::to_string(a.first_event_id)},
              {"events", a.events},     {"http_status", a.http_status},
              {"error", a.error},       {"duration_ms", a.duration.count()},
              {"response", a.response}, {"final", a.final}};
}

Problem ReadWebhook(const Json& body, store::events::Webhook& out, bool with_id) {
  for (const auto& [key, value] : body.items()) {
    if (!IsOneOf(key, {"id", "url", "types", "auth", "auth_name", "auth_secret"})) {
      return key + ": unknown member (url, types, auth, auth_name, auth_secret)";
    }
  }
  if (!with_id && body.contains("id")) return "id: cannot be changed";
  std::string auth(store::events::Name(out.auth));
  std::vector<std::string> types;
  for (store::events::EventType t : out.types) types.emplace_back(store::events::Name(t));
  if (Problem p = First({with_id ? Integer(body, "id", out.id, 1) : std::nullopt,
                         Text(body, "url", out.url), Strings(body, "types", types),
                         Text(body, "auth", auth), Text(body, "auth_name", out.auth_name),
                         Text(body, "auth_secret", out.auth_secret)})) {
    return p;
  }
  auto parsed = store::events::ParseWebhookAuth(auth);
  if (!parsed) return "auth: expected none, basicAuth or keyAuth";
  out.auth = *parsed;
  out.types.clear();
  for (const std::string& name : types) {
    auto type = store::events::ParseEventType(name);
    if (!type) {
      std::string known;
      for (std::string_view n : store::events::EventTypeNames()) {
        known.append(known.empty() ? "" : ", ").append(n);
      }
      return "types: unknown event type '" + name + "' (" + known + ")";
    }
    out.types.push_back(*type);
  }
  return std::nullopt;
}

}  // namespace campaignd::admin::api
