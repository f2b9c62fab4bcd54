// MailingLookup: the reads onlineversion needs beyond Directory - which
// mailings a list has (to match bmPattern over their internal names) and
// which mail a recipient got last (the "latest mailing sent to the
// recipient", and a transaction recipient's personalisation, which lives in
// its mails: docs/decisions/0011-transaction-mail-and-attachments.md).
// One statement per read, the same SQL on both engines (sql/attachments.cc).
// Callers: ops/online_version.cc. Threads: safe from any thread; blocks.
// Errors: as store.h.
#ifndef CAMPAIGND_STORE_MAILING_LOOKUP_H_
#define CAMPAIGND_STORE_MAILING_LOOKUP_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/mail_status.h"
#include "core/status.h"
#include "store/model.h"
#include "store/sql_session.h"

namespace campaignd::store {

struct MailingName {
  int64_t id = 0;
  std::string name;  // internal name
};

class MailingLookup {
 public:
  // REQUIRES: `runner` outlives this.
  explicit MailingLookup(SqlRunner& runner) : runner_(runner) {}
  // The mailings of `client_id` assigned to `list_id`, ascending by ID.
  Result<std::vector<MailingName>> ListMailings(int64_t client_id, int64_t list_id);
  // The newest mail (highest ID) of the client to `recipient_id` in
  // `list_id`, only among mails in `status` when given; nullopt if none.
  // REQUIRES: recipient_id normalised as core/address.h Address::str().
  Result<std::optional<Mail>> LatestMail(int64_t client_id, int64_t list_id,
                                         std::string_view recipient_id,
                                         std::optional<MailStatus> status);

 private:
  SqlRunner& runner_;
};

}  // namespace campaignd::store

#endif  // CAMPAIGND_STORE_MAILING_LOOKUP_H_
