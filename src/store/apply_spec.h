// The rules of Provisioner::Apply (store.h), engine-neutral: which records a
// ClientSpec writes in which order, what is normalised (lower-cased domains,
// patterns, field names, addresses), what is refused, and how a failure
// names its record. Each engine supplies the writes as a SpecWriter
// (sqlite/apply_client.h, postgres/pg_apply_client.h) running inside its
// transaction, so a failure anywhere changes nothing.
// Threads: the caller's (the engine's writer). Errors: InvalidArgument for a
// spec that breaks a rule or a constraint, "client N: <record>: why".
#ifndef CAMPAIGND_STORE_APPLY_SPEC_H_
#define CAMPAIGND_STORE_APPLY_SPEC_H_

#include <cstdint>
#include <string_view>

#include "core/status.h"
#include "store/store.h"

namespace campaignd::store {

// One engine's writes. Records arrive normalised; upserts are keyed as
// apply_spec.cc's rules say.
class SpecWriter {
 public:
  virtual ~SpecWriter() = default;
  virtual Result<bool> ClientExists(int64_t client_id) = 0;
  // Inserts a new client with its secret, or updates an existing one's
  // settings (never its secret).
  virtual Status WriteClient(const Client& client, bool exists) = 0;
  virtual Status UpsertDkimKey(int64_t client_id, const DkimKey& key) = 0;
  // Upserts the list and replaces its field schema.
  virtual Status UpsertList(int64_t client_id, const RecipientList& list) = 0;
  virtual Status UpsertRecipient(int64_t client_id, const Recipient& recipient) = 0;
  // Upserts the mailing and replaces its list assignments.
  virtual Status UpsertMailing(int64_t client_id, const Mailing& mailing) = 0;
  // With a code_hash: upserts by (client, name), hash included. Without:
  // updates the permissions of an existing code only. Whether a code was
  // written.
  virtual Result<bool> WriteCode(int64_t client_id, const AuthCode& code) = 0;
  virtual Status UpsertBlockEntry(int64_t client_id, const BlockEntry& entry) = 0;
  virtual Status SetBounces(int64_t client_id, std::string_view address, int count) = 0;
  virtual Status UpsertOptIn(int64_t client_id, const OptInProcess& process) = 0;
};

// Writes `spec` through `writer`.
// REQUIRES: inside a transaction (a failure leaves partial writes to undo).
Status ApplySpec(SpecWriter& writer, const ClientSpec& spec);

// Whether a (lower-cased) blocklist pattern has wildcards ('*', '?').
bool IsWildcardPattern(std::string_view pattern);

}  // namespace campaignd::store

#endif  // CAMPAIGND_STORE_APPLY_SPEC_H_
