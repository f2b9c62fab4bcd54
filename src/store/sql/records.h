// Records: the one function that writes each record - client, API key,
// DKIM key, list (with its fields), recipients, mailing (with its lists),
// code, blocklist entry, bounce count, opt-in process, unsubscribe, mail -
// over sql_session.h, so provisioning (provisioner.cc), the admin API
// (catalog_*.cc) and the recipient operations (recipients.cc) write the
// same columns with the same SQL on both engines. Each takes the caller's
// session and runs inside the caller's transaction: what must happen
// together (all of an apply, an operation, a check and its write) is the
// caller's to decide. Keys, normalisation and refusals are the callers'
// rules; these functions only store.
// Threads: the session's. Errors: the engine's Status (a constraint
// violation is InvalidArgument: sqlite_error.h, pg_error.h).
#ifndef CAMPAIGND_STORE_SQL_RECORDS_H_
#define CAMPAIGND_STORE_SQL_RECORDS_H_

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "store/catalog.h"
#include "store/model.h"
#include "store/recipients.h"
#include "store/sql_session.h"

namespace campaignd::store::records {

// Rows per multi-row INSERT (UpsertRecipients: 5 values each; below
// SQLite's and PostgreSQL's parameter limits).
inline constexpr std::size_t kRowsPerInsert = 200;

// How a write meets a stored record with the same key. The functions
// returning Result<int64_t> answer the rows written: 0 for kInsertNew on a
// key that exists, and for kUpdate on one that does not.
enum class Write {
  kInsert,     // a new record; an existing key is a constraint violation
  kInsertNew,  // a new record; nothing when the key exists
  kUpsert,     // a new record, or every column of the stored one replaced
  kUpdate,     // the stored record's columns replaced; nothing without one
};

// Clients, by id. kInsert writes mail_id_secret; kUpdate never does, and
// with kSettings keeps `attachments` too (the admin API's columns).
enum class ClientColumns { kAll, kSettings };
Result<int64_t> WriteClient(SqlSession& session, const Client& client, Write how,
                            ClientColumns columns = ClientColumns::kAll);
// "SELECT <every column> FROM clients " (kClientSelectColumns cells) and
// the one reader of its rows.
std::string ClientSelect();
inline constexpr int kClientSelectColumns = 11;
Result<Client> ClientFromRow(const SqlRow& row);
Status InsertApiKey(SqlSession& session, const ApiKey& key);
// Upserts by (client, domain, selector).
Status UpsertDkimKey(SqlSession& session, int64_t client_id, const DkimKey& key);

// Lists, by (client, id); a written list's field schema is replaced by
// list.fields (list.client_id is not read).
Result<int64_t> WriteList(SqlSession& session, int64_t client_id, const RecipientList& list,
                          Write how);

// Upserts `recipients` into `list_id` (their own list_id is not read):
// fields and state replaced, what the recipient operations set (opt-in,
// tracking) kept; new ones get the defaults. An address named twice: the
// last wins. Multi-row INSERTs of kRowsPerInsert.
Status UpsertRecipients(SqlSession& session, int64_t client_id, int64_t list_id,
                        std::span<const Recipient> recipients);
// Inserts or replaces (recipient.list_id, recipient.id) with every column.
Status PutRecipient(SqlSession& session, int64_t client_id, const Recipient& recipient);
// Rows deleted (0 or 1).
Result<int64_t> DeleteRecipient(SqlSession& session, int64_t client_id, int64_t list_id,
                                std::string_view recipient_id);
// The recipient with every column; nullopt when there is none.
Result<std::optional<Recipient>> FindRecipient(SqlSession& session, int64_t client_id,
                                               int64_t list_id, std::string_view recipient_id);

// The mailing in cells first..first+kMailingCells-1 of `row`, in the order
// of MailingColumns, its key given; list_ids left empty.
Result<Mailing> MailingFromRow(const SqlRow& row, int first, int64_t client_id, int64_t id);
// The columns MailingFromRow reads, comma-separated, each after `prefix`
// ("m." for a join): name, type, status, target_group, ..., tracking.
std::string MailingColumns(std::string_view prefix = "");
inline constexpr int kMailingCells = 10;

// Mailings, by (client, id); a written mailing's list assignments are
// replaced by mailing.list_ids. kUpdate never changes the status: it
// writes only while the stored status is still mailing.status.
Result<int64_t> WriteMailing(SqlSession& session, int64_t client_id, const Mailing& mailing,
                             Write how);

// Codes, by (client, name). kUpdate never changes the hash (the
// permissions only); kInsert and kUpsert write code.code_hash.
Result<int64_t> WriteCode(SqlSession& session, int64_t client_id, const AuthCode& code,
                          Write how);
// "SELECT <every column> FROM codes " and the one reader of its rows.
std::string CodeSelect();
Result<AuthCode> CodeFromRow(const SqlRow& row);

// Blocklist entries, by (client, lower-case pattern): kUpsert replaces the
// reason, kInsertNew keeps the stored one. A pattern new to the list is
// written with its `blocklist` event (events.h), at the write's time.
Result<int64_t> WriteBlockEntry(SqlSession& session, int64_t client_id, const BlockEntry& entry,
                                Write how);
Result<int64_t> DeleteBlockEntry(SqlSession& session, int64_t client_id, std::string_view pattern);

// Sets the hard-bounce count of (client, lower-case address).
Status SetBounces(SqlSession& session, int64_t client_id, std::string_view address, int count);

// Counts one hard bounce for the recipient of mail `mail_seq` (its client,
// lower-case address): an SMTP-time 5xx (SQLite's queue; PostgreSQL's
// batch sums them per address in its one statement) and an inbound hard
// bounce (events/inbound.h).
Status AddHardBounce(SqlSession& session, int64_t mail_seq);

// The clients whose complaint address (store::ComplaintAddressOf) is
// `address` (lower-case), by id.
Result<std::vector<Client>> ClientsByComplaintAddress(SqlSession& session,
                                                      std::string_view address);

// Opt-in processes, by (client, id).
Result<int64_t> WriteOptIn(SqlSession& session, int64_t client_id, const OptInProcess& process,
                           Write how);
Result<std::optional<OptInProcess>> FindOptIn(SqlSession& session, int64_t client_id,
                                              int64_t id);
// What kOptInSelect's 5 columns say about a process of `client_id`.
inline constexpr std::string_view kOptInSelect =
    "SELECT id, name, kind, mailing_id, confirmation_url FROM optin_processes ";
Result<OptInProcess> OptInFromRow(int64_t client_id, const SqlRow& row);

// Blocklist (exact and wildcard), unsubscribe state (client-wide or this
// list's recipient state) and hard-bounce count of `address`, in one
// statement. REQUIRES: `address` lower-case (as every key it meets).
Result<Suppression> CheckSuppression(SqlSession& session, int64_t client_id, int64_t list_id,
                                     std::string_view address);

// The client-wide unsubscribe of unsubscribe.address, attribution replaced,
// with its `unsubscribe` event (events.h).
Status PutUnsubscribe(SqlSession& session, int64_t client_id, const Unsubscribe& unsubscribe);

// A new mail (status enqueued) and its enqueued event; its sequence. The
// caller announces it (SqlSession::AnnounceMail) in the same transaction.
// `fields` is mail.fields as FieldsToJson's text (the queue encodes it on
// the caller's thread, not on SQLite's one writer thread).
Result<int64_t> InsertMail(SqlSession& session, const NewMail& mail, std::string fields);

}  // namespace campaignd::store::records

#endif  // CAMPAIGND_STORE_SQL_RECORDS_H_
