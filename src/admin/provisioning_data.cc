// Lists, recipients and mailings of the provisioning file (see
// provisioning_sections.h).
#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cmath>
#include <sstream>

#include "admin/provisioning_sections.h"
#include "core/address.h"
#include "core/field_value.h"
#include "core/fields.h"
#include "core/target_group.h"

namespace campaignd::admin {
namespace {

// Field names: a letter, then letters, digits or '_'; at most this long.
constexpr std::size_t kMaxFieldNameBytes = 64;

std::string Text(int64_t id) { return std::to_string(id); }

std::optional<std::string> FieldNameProblem(std::string_view name) {
  const auto ok_char = [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
  };
  if (name.empty() || name.size() > kMaxFieldNameBytes ||
      !std::isalpha(static_cast<unsigned char>(name.front())) ||
      !std::all_of(name.begin(), name.end(), ok_char)) {
    return "'" + std::string(name) + "' is not a field name (a letter, then letters, digits, _)";
  }
  if (LowerAscii(name).starts_with("bm")) {
    return "'" + std::string(name) + "': names starting with 'bm' are reserved for the API";
  }
  return std::nullopt;
}

template <typename T>
std::string Streamed(const T& v) {
  std::ostringstream out;
  out << v;
  return out.str();
}

// A TOML value as field-value text: a string as written, and TOML's own
// types for the field types they fit (an integer for int or decimal, a float
// for decimal, a boolean for bool, a date for date, a date-time for
// datetime; docs/decisions/0006). nullopt for any other kind.
std::optional<std::string> TomlFieldText(const toml::node& value, std::string_view type) {
  if (value.is_string()) return value.as_string()->get();
  if (value.is_integer() && (type == "int" || type == "decimal")) {
    return std::to_string(value.as_integer()->get());
  }
  if (value.is_floating_point() && type == "decimal") {
    const double d = value.as_floating_point()->get();
    std::array<char, 64> buffer{};
    const auto [end, ec] =
        std::to_chars(buffer.data(), buffer.data() + buffer.size(), d, std::chars_format::fixed);
    if (!std::isfinite(d) || ec != std::errc()) return std::nullopt;
    return std::string(buffer.data(), end);
  }
  if (value.is_boolean() && type == "bool") return value.as_boolean()->get() ? "true" : "false";
  if (value.is_date() && type == "date") return Streamed(value.as_date()->get());
  if (value.is_date_time() && type == "datetime") return Streamed(value.as_date_time()->get());
  return std::nullopt;
}

// The stored text of a TOML field value, by core/field_value.h's rules.
Result<std::string> TomlFieldValueText(const toml::node& value, std::string_view type) {
  std::optional<std::string> text = TomlFieldText(value, type);
  if (!text) return Status::InvalidArgument(FieldTypeExpectation(type));
  return FieldValueText(*text, type);
}

void ReadFieldDefs(const toml::node& node, TableReader& reader, ClientScope& scope,
                   std::vector<store::FieldDef>& out) {
  const toml::array* array = node.as_array();
  if (array == nullptr) {
    reader.Error("fields", "expected an array of { name = \"...\", type = \"...\" }");
    return;
  }
  for (const toml::node& element : *array) {
    const toml::table* def = element.as_table();
    if (def == nullptr) {
      scope.diagnostics.Add(LineOf(element), "fields: expected { name = \"...\", type = \"...\" }");
      continue;
    }
    TableReader field(*def, scope.diagnostics, "a list field");
    const auto name = field.Text("name", true);
    const auto type = field.Text("type").value_or("text");
    field.RejectUnknownKeys();
    if (!name) continue;
    if (auto problem = FieldNameProblem(*name)) {
      field.Error("name", *problem);
    } else if (!IsFieldType(type)) {
      field.Error("type", "expected text, int, decimal, bool, date or datetime");
    } else if (std::any_of(out.begin(), out.end(),
                           [&](const auto& f) { return f.name == LowerAscii(*name); })) {
      field.Error("name", "duplicate field '" + *name + "'");
    } else {
      out.push_back({LowerAscii(*name), type});
    }
  }
}

// The list `key` refers to, or null after reporting why there is none.
const store::RecipientList* ListRef(TableReader& reader, std::string_view key, int64_t list_id,
                                    ClientScope& scope) {
  const store::RecipientList* list = scope.FindList(list_id);
  if (list == nullptr && scope.failure.ok() && !scope.invalid_lists.contains(list_id)) {
    reader.Error(key, "no list " + Text(list_id) + " in client " + Text(scope.client_id) +
                          " (neither in this file nor in the database)");
  }
  return list;
}

void ReadFieldValues(const toml::node& node, TableReader& reader, const store::RecipientList& list,
                     ClientScope& scope, FieldValues& out) {
  const toml::table* table = node.as_table();
  if (table == nullptr) {
    reader.Error("fields", "expected a table like { firstname = \"John\" }");
    return;
  }
  for (const auto& [key, value] : *table) {
    const std::string name = LowerAscii(key.str());
    const auto def = std::find_if(list.fields.begin(), list.fields.end(),
                                  [&](const auto& f) { return f.name == name; });
    const int line = LineOf(value);
    if (def == list.fields.end()) {
      std::string known;
      for (const auto& f : list.fields) known += (known.empty() ? "" : ", ") + f.name;
      scope.diagnostics.Add(
          line, "fields." + std::string(key.str()) + ": list " + Text(list.id) +
                    " has no such field (fields: " + (known.empty() ? "none" : known) + ")");
      continue;
    }
    auto text = TomlFieldValueText(value, def->type);
    if (!text.ok()) {
      scope.diagnostics.Add(line,
                            "fields." + std::string(key.str()) + ": " + text.status().message());
      continue;
    }
    out[name] = std::move(*text);
  }
}

}  // namespace

void ReadList(const toml::table& table, ClientScope& scope) {
  ErrorCount errors(scope.diagnostics);
  TableReader r(table, scope.diagnostics, "[[client.list]]");
  store::RecipientList list;
  list.client_id = scope.client_id;
  const auto id = r.Id("id");
  list.name = r.Text("name", true).value_or("");
  const auto kind = r.Text("kind");
  list.test = r.Bool("test").value_or(false);
  if (const toml::node* fields = r.Node("fields")) ReadFieldDefs(*fields, r, scope, list.fields);
  r.RejectUnknownKeys();
  if (kind) {
    if (auto parsed = store::ParseListKind(*kind)) {
      list.kind = *parsed;
    } else {
      r.Error("kind", "expected standard, optin or transaction");
    }
  }
  if (!id) return;
  list.id = *id;
  if (!scope.FirstDefinition("list " + Text(list.id), r, "id", "list " + Text(list.id))) return;
  if (!errors.Clean()) {
    scope.invalid_lists.insert(list.id);
    return;
  }
  scope.spec.lists.push_back(std::move(list));
}

void ReadRecipient(const toml::table& table, ClientScope& scope) {
  ErrorCount errors(scope.diagnostics);
  TableReader r(table, scope.diagnostics, "[[client.recipient]]");
  store::Recipient recipient;
  const auto list_id = r.Id("list");
  const auto id = r.Text("id", true);
  const toml::node* fields = r.Node("fields");
  const auto state = r.Text("state");
  const auto bounces = r.Integer("bounces");
  r.RejectUnknownKeys();
  if (id) {
    if (auto address = Address::Parse(*id, scope.address_literals); address.ok()) {
      recipient.id = address->str();
    } else {
      r.Error("id", "'" + *id + "' is not a valid address: " + address.status().message());
    }
  }
  if (state) {
    const auto parsed = store::ParseRecipientState(*state);
    if (parsed == store::RecipientState::kActive ||
        parsed == store::RecipientState::kUnsubscribed) {
      recipient.state = *parsed;
    } else {
      r.Error("state", "expected active or unsubscribed");
    }
  }
  if (bounces && *bounces < 0) r.Error("bounces", "expected a count >= 0");
  if (!list_id) return;
  recipient.list_id = *list_id;
  const store::RecipientList* list = ListRef(r, "list", *list_id, scope);
  if (list != nullptr && fields != nullptr)
    ReadFieldValues(*fields, r, *list, scope, recipient.fields);
  if (list == nullptr || recipient.id.empty() || !errors.Clean()) return;
  if (!scope.FirstDefinition("recipient " + Text(*list_id) + " " + recipient.id, r, "id",
                             "recipient " + recipient.id + " in list " + Text(*list_id))) {
    return;
  }
  if (bounces) {
    if (!scope.FirstDefinition("bounces " + recipient.id, r, "bounces",
                               "bounce count of " + recipient.id + " (it is per client)")) {
      return;
    }
    scope.spec.bounces.emplace_back(recipient.id, static_cast<int>(*bounces));
  }
  scope.spec.recipients.push_back(std::move(recipient));
}

std::optional<std::string> MailboxProblem(std::string_view mailbox) {
  std::string_view address = mailbox;
  if (mailbox.ends_with('>')) {
    const auto open = mailbox.rfind('<');
    if (open == std::string_view::npos) return "expected \"Name <address>\" or \"address\"";
    address = mailbox.substr(open + 1, mailbox.size() - open - 2);
    const std::string_view name = mailbox.substr(0, open);
    if (std::any_of(name.begin(), name.end(),
                    [](char c) { return std::iscntrl(static_cast<unsigned char>(c)) != 0; })) {
      return "the display name must not contain control characters";
    }
  }
  auto parsed = Address::Parse(address, AddressLiterals::kAllow);  // a sender, not relayed to
  if (!parsed.ok()) {
    return "'" + std::string(address) + "' is not a valid address: " + parsed.status().message();
  }
  return std::nullopt;
}

namespace {

void CheckMailingContent(TableReader& r, const store::Mailing& m, bool has_from) {
  if (has_from) {
    if (auto problem = MailboxProblem(m.from)) r.Error("from", *problem);
  }
  if (!m.reply_to.empty()) {
    if (auto problem = MailboxProblem(m.reply_to)) r.Error("reply_to", *problem);
  }
  if (m.subject.find_first_of("\r\n") != std::string::npos) {
    r.Error("subject", "must be one line");
  }
  if (m.text.empty() && m.html.empty()) r.Error("text", "a mailing needs text or html (or both)");
  if (auto group = TargetGroup::Parse(m.target_group); !group.ok()) {
    r.Error("target_group", group.status().message());
  }
}

}  // namespace

void ReadMailing(const toml::table& table, ClientScope& scope) {
  ErrorCount errors(scope.diagnostics);
  TableReader r(table, scope.diagnostics, "[[client.mailing]]");
  store::Mailing m;
  m.client_id = scope.client_id;
  const auto id = r.Id("id");
  m.name = r.Text("name", true).value_or("");
  const auto type = r.Text("type", true);
  const auto status = r.Text("status");
  const auto lists = r.IdArray("lists");
  m.target_group = r.Text("target_group").value_or("");
  const auto from = r.Text("from", true);
  m.from = from.value_or("");
  m.reply_to = r.Text("reply_to").value_or("");
  m.subject = r.Text("subject", true).value_or("");
  m.text = r.Text("text").value_or("");
  m.html = r.Text("html").value_or("");
  const auto tracking = r.Text("tracking");
  r.RejectUnknownKeys();
  if (tracking) {
    if (auto parsed = store::ParseTracking(*tracking))
      m.tracking = *parsed;
    else
      r.Error("tracking", std::string(store::kTrackingExpected));
  }
  if (type) {
    if (auto parsed = store::ParseMailingType(*type))
      m.type = *parsed;
    else
      r.Error("type", "expected regular, event, confirmation or template");
  }
  if (status) {
    if (auto parsed = store::ParseMailingStatus(*status))
      m.status = *parsed;
    else
      r.Error("status", "expected NEW, SENDING, PAUSED, DONE or CANCELED");
  }
  CheckMailingContent(r, m, from.has_value());
  if (!lists || lists->empty()) {
    if (!lists && r.Node("lists") == nullptr)
      r.Error("lists", "missing (e.g. lists = [100])");
    else if (lists)
      r.Error("lists", "a mailing needs at least one list");
  } else {
    for (int64_t list_id : *lists) {
      if (ListRef(r, "lists", list_id, scope) != nullptr) m.list_ids.push_back(list_id);
    }
  }
  if (!id) return;
  m.id = *id;
  if (!scope.FirstDefinition("mailing " + Text(m.id), r, "id", "mailing " + Text(m.id))) return;
  if (errors.Clean()) scope.spec.mailings.push_back(std::move(m));
}

const store::RecipientList* ClientScope::FindList(int64_t list_id) {
  for (const auto& list : spec.lists) {
    if (list.id == list_id) return &list;
  }
  if (invalid_lists.contains(list_id)) return nullptr;
  auto it = stored_lists_.find(list_id);
  if (it == stored_lists_.end()) {
    auto found = existing.find_list(client_id, list_id);
    if (!found.ok()) {
      if (failure.ok()) failure = found.status();
      return nullptr;
    }
    it = stored_lists_.emplace(list_id, std::move(*found)).first;
  }
  return it->second ? &*it->second : nullptr;
}

bool ClientScope::FirstDefinition(const std::string& identity, TableReader& reader,
                                  std::string_view key, std::string_view what) {
  const auto [it, inserted] = first_lines_.emplace(identity, reader.Line(key));
  if (!inserted) {
    reader.Error(key, "duplicate " + std::string(what) + " (first at line " +
                          std::to_string(it->second) + ")");
  }
  return inserted;
}

}  // namespace campaignd::admin
