// The records campaignd stores: clients, lists, recipients, mailings,
// authorization codes, blocklist entries, mails and their history
// (behaviour.md §1). Plain values; the interfaces in store.h move them.
#ifndef CAMPAIGND_STORE_MODEL_H_
#define CAMPAIGND_STORE_MODEL_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/fields.h"
#include "core/mail_status.h"

namespace campaignd::store {

enum class ListKind { kStandard, kOptIn, kTransaction };
enum class MailingType { kRegular, kEvent, kConfirmation, kTemplate };
enum class MailingStatus { kNew, kSending, kPaused, kDone, kCanceled };
enum class RecipientState { kActive, kUnsubscribed, kPending };
enum class OptInKind { kSingle, kConfirmed, kDouble };
// What a mailing tracks (events.md §3): nothing (the default: tracking
// needs a legal basis, the operator turns it on), opens (the pixel),
// clicks (rewritten links) or both.
enum class Tracking { kNone, kOpens, kClicks, kAll };

// Spellings as in the provisioning file and the database: "standard",
// "event", "SENDING", "active"... Parse* return nullopt for anything else.
std::string_view Name(ListKind v);
std::string_view Name(MailingType v);
std::string_view Name(MailingStatus v);
std::string_view Name(RecipientState v);
std::string_view Name(OptInKind v);
std::string_view Name(Tracking v);  // "none", "opens", "clicks", "all"
std::optional<ListKind> ParseListKind(std::string_view s);
std::optional<MailingType> ParseMailingType(std::string_view s);
std::optional<MailingStatus> ParseMailingStatus(std::string_view s);
std::optional<RecipientState> ParseRecipientState(std::string_view s);
std::optional<OptInKind> ParseOptInKind(std::string_view s);
std::optional<Tracking> ParseTracking(std::string_view s);
// What every reader of a mailing's tracking setting answers when ParseTracking refuses it.
inline constexpr std::string_view kTrackingExpected = "expected none, opens, clicks or all";
inline bool TracksOpens(Tracking t) { return t == Tracking::kOpens || t == Tracking::kAll; }
inline bool TracksClicks(Tracking t) { return t == Tracking::kClicks || t == Tracking::kAll; }

struct Client {
  int64_t id = 0;
  std::string name;
  std::string transport;                    // "file:outbox", "smtp://...", "smtps://..."
  std::vector<std::string> redirect_hosts;  // mail-service redirect allowlist
  int bounce_limit = 3;
  int rate_limit = 0;  // messages per second across all workers; 0 = unlimited
  bool attachments = false;  // uploadpersonalizedattachments enabled (decisions/0011)
  std::string mail_id_secret;  // raw bytes; created once, never changed by apply
  // Bounces and complaints (events.md §2, docs/decisions/0020): with a
  // bounce domain every mail's envelope sender is the VERP return path
  // `<bounce_local>+<mail ID>@<bounce_domain>` (core/verp.h); "" = none (the
  // From address, as before). complaint_address: where ARF feedback loops
  // report, "" = fbl@<bounce_domain> (ComplaintAddressOf). Lower-case.
  std::string bounce_domain;
  std::string bounce_local = "bounces";
  std::string complaint_address;
};

// The address the inbound listener takes complaints for: complaint_address,
// else fbl@<bounce_domain>, else "" (none).
std::string ComplaintAddressOf(const Client& client);

struct DkimKey {
  std::string domain;
  std::string selector;
  std::string algorithm;        // "rsa-sha256" | "ed25519-sha256"
  std::string private_key_pem;  // never logged, never returned by an API
};

struct FieldDef {
  std::string name;  // lower-case
  std::string type;  // text | int | decimal | bool | date | datetime
};

struct RecipientList {
  int64_t client_id = 0;
  int64_t id = 0;
  std::string name;
  ListKind kind = ListKind::kStandard;
  bool test = false;
  std::vector<FieldDef> fields;
};

struct Recipient {
  int64_t list_id = 0;
  std::string id;  // the address (docs/decisions/0003-recipient-ids.md)
  FieldValues fields;
  RecipientState state = RecipientState::kActive;
  // Set by the recipient operations (store/recipients.h); apply keeps them.
  bool tracking_opt_out = false;
  int64_t optin_id = 0;    // the opt-in process last started for it; 0: none
  TimePoint optin_at{};    // when that process started (bmOptinFrequencyLimit)
  std::string optin_source = {};  // bmOptinSource
};

// An opt-in process (behaviour.md §1): started by `subscribe` with
// bmOptInId. double: the recipient stays pending until the link of the
// confirmation mailing is followed; confirmed: active at once, the
// confirmation mailing is a notice; single: active, no mail.
struct OptInProcess {
  int64_t client_id = 0;
  int64_t id = 0;
  std::string name;
  OptInKind kind = OptInKind::kSingle;
  int64_t mailing_id = 0;         // the confirmation mailing; 0: none (single)
  std::string confirmation_url;   // where the confirm link leads; may be empty
};

struct Mailing {
  int64_t client_id = 0;
  int64_t id = 0;
  std::string name;
  MailingType type = MailingType::kEvent;
  MailingStatus status = MailingStatus::kNew;
  std::vector<int64_t> list_ids;
  std::string target_group;  // TargetGroup expression, validated when saved
  std::string from;          // "Name <addr>" or "addr"
  std::string reply_to;      // optional
  std::string subject;       // templates with field functions
  std::string text;
  std::string html;
  Tracking tracking = Tracking::kNone;
};

struct AuthCode {
  std::string code_hash;  // auth/code_hash.h; the code itself is never stored
  std::string name;       // identifies a generated code across re-applies
  int64_t client_id = 0;
  int64_t list_id = 0;
  std::vector<std::string> operations;      // empty: all
  std::vector<std::string> ips;             // CIDR; empty: any
  std::vector<std::string> methods;         // "GET", "POST"; empty: both
  std::vector<std::string> protocols;       // "http", "https"; empty: both
  std::vector<std::string> redirect_hosts;  // empty: the client's
  bool enabled = true;
};

struct BlockEntry {
  std::string pattern;  // address or wildcard pattern ('*', '?')
  std::string reason;
};

// What a recipient's suppression state is when a mail is processed.
struct Suppression {
  bool blocked = false;       // blocklist entry or pattern matches
  std::string blocked_by;     // when blocked: the (first) entry that matches
  bool unsubscribed = false;  // client-wide or in this list
  int hard_bounces = 0;       // per client and address
};

struct NewMail {
  int64_t client_id = 0;
  int64_t list_id = 0;
  int64_t mailing_id = 0;
  std::string recipient_id;
  FieldValues fields;  // snapshot for personalisation (transaction mails); may be empty
  TimePoint created_at;
};

struct Mail {
  int64_t client_id = 0;
  int64_t id = 0;  // the sequence in the MailId; unique across the store
  int64_t list_id = 0;
  int64_t mailing_id = 0;
  std::string recipient_id;
  FieldValues fields;
  MailStatus status = MailStatus::kEnqueued;
  int attempts = 0;  // SMTP attempts made
  TimePoint created_at;
  TimePoint updated_at;
  TimePoint next_attempt_at;
  std::string last_reply;  // the SMTP reply (or error) of the last attempt
};

struct MailEvent {
  TimePoint at;
  MailStatus status = MailStatus::kEnqueued;
  std::string reply;  // SMTP reply or reason; may be empty
};

}  // namespace campaignd::store

#endif  // CAMPAIGND_STORE_MODEL_H_
