// Readers for the sections of one [[client]] of the provisioning file
// ([[client.list]], [[client.recipient]], ...). Each reads one table,
// reports problems to the scope's Diagnostics and, when the table is valid,
// adds its record to the scope's ClientSpec.
// Callers: admin/provisioning_file.cc; admin/api reuses the checks at the end.
// Errors: a failed database lookup is kept in ClientScope::failure.
#ifndef CAMPAIGND_ADMIN_PROVISIONING_SECTIONS_H_
#define CAMPAIGND_ADMIN_PROVISIONING_SECTIONS_H_

#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "admin/provisioning_file.h"
#include "config/toml_reader.h"

namespace campaignd::admin {

// The operator-TOML reader the provisioning file shares with the server
// configuration (config/toml_reader.h).
using config::ClosestWord;
using config::Diagnostics;
using config::LineOf;
using config::ParseTomlText;
using config::ReadTextFile;
using config::TableReader;

// A [[client.code]] before its name is checked against the database.
struct CodeEntry {
  store::AuthCode code;              // code_hash set when `code` was given
  std::optional<std::string> clear;  // the code as written, if given
  int line = 0;
};

// Counts new diagnostics, so a reader adds its record only when clean.
class ErrorCount {
 public:
  explicit ErrorCount(const Diagnostics& d) : d_(d), before_(d.size()) {}
  bool Clean() const { return d_.size() == before_; }

 private:
  const Diagnostics& d_;
  std::size_t before_;
};

// What the section readers of one client share.
struct ClientScope {
  ClientScope(int64_t id, Diagnostics& d, const ExistingRecords& e, std::filesystem::path base)
      : client_id(id), diagnostics(d), existing(e), base_dir(std::move(base)) {}

  int64_t client_id = 0;
  Diagnostics& diagnostics;
  const ExistingRecords& existing;
  std::filesystem::path base_dir;
  store::ClientSpec spec;
  std::vector<CodeEntry> codes;
  std::vector<store::events::Webhook> webhooks;  // [[client.webhook]]
  std::map<int64_t, int> codes_per_list;  // for default code names
  std::set<int64_t> invalid_lists;        // defined in the file, with errors
  Status failure;                         // set when a database lookup failed
  AddressLiterals address_literals = AddressLiterals::kRefuse;  // for recipient IDs
  std::pair<int, int> bounce_lines;  // lines of bounce_domain, complaint_address

  // The list `list_id` of this client, defined in the file (read lists
  // first) or stored; null when neither (or the lookup failed).
  const store::RecipientList* FindList(int64_t list_id);

  // True the first time `identity` is seen; otherwise reports `key`:
  // "duplicate <what> (first at line N)".
  bool FirstDefinition(const std::string& identity, TableReader& reader, std::string_view key,
                       std::string_view what);

 private:
  std::map<int64_t, std::optional<store::RecipientList>> stored_lists_;
  std::map<std::string, int> first_lines_;
};

void ReadList(const toml::table& table, ClientScope& scope);
void ReadRecipient(const toml::table& table, ClientScope& scope);
void ReadMailing(const toml::table& table, ClientScope& scope);
void ReadCode(const toml::table& table, ClientScope& scope);
void ReadDkimKey(const toml::table& table, ClientScope& scope);
void ReadBlockEntry(const toml::table& table, ClientScope& scope);
// REQUIRES: the client's mailings and settings read first.
void ReadOptIn(const toml::table& table, ClientScope& scope);
// [[client.webhook]] (provisioning_webhook.cc): the rules of webhook/subscription.h.
void ReadWebhook(const toml::table& table, ClientScope& scope);

// Problems with a client's `transport` value, or nullopt when it is usable:
// "file:DIR", "file://DIR", "smtp://[user:pass@]host[:port][?...]", "smtps://...",
// by the one grammar of deliver/transport_url.h (the operator's rules; a
// client key's choice is judged further by deliver::ClientRelayProblem).
std::optional<std::string> TransportProblem(std::string_view transport);

// Problems with a host name (redirect_hosts, DKIM domain), or nullopt.
std::optional<std::string> HostProblem(std::string_view host);

// The one check of a client's bounce settings (events.md §2, decision 0020;
// the provisioning file and the admin API): lower-cases bounce_domain,
// bounce_local and complaint_address, then the first rule they break as
// {member, why}, or nullopt. bounce_domain "" (none) or a host name that
// core/verp.h CheckBounceSettings accepts with bounce_local; complaint_address
// "" (fbl@<bounce_domain>) or one ASCII address. A bounce_domain or
// complaint_address that a client of `others` (another id) already has is a
// problem too: the inbound listener must find exactly one client per domain.
struct BounceProblem {
  std::string member;
  std::string message;
};
std::optional<BounceProblem> NormaliseBounceSettings(store::Client& client,
                                                     const std::vector<store::Client>& others = {});

// A rule an opt-in process breaks: the member it concerns and why.
struct OptInProblem {
  enum Member { kMailing, kConfirmationUrl } member;
  std::string message;
};

// The rules `process` breaks ([[client.optin]] and the admin API,
// docs/decisions/0010-recipient-operations.md): confirmed and double need a
// confirmation mailing; `mailing` - the client's mailing process.mailing_id
// names, null when there is none - must be of type confirmation; a
// confirmation URL must be absolute http(s) with its host on the client's
// redirect_hosts. Empty when it breaks none.
std::vector<OptInProblem> OptInProblems(const store::OptInProcess& process,
                                        const store::Client& client,
                                        const store::Mailing* mailing);

// Problems with a "Name <addr>" or "addr" value (from, reply_to), or nullopt.
std::optional<std::string> MailboxProblem(std::string_view mailbox);

}  // namespace campaignd::admin

#endif  // CAMPAIGND_ADMIN_PROVISIONING_SECTIONS_H_
