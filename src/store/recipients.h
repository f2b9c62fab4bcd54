// Recipients: the writes of the recipient operations (subscribe,
// unsubscribe, remove, copy/move, updatefields, blacklist/unblacklist,
// tracking opt-out; behaviour.md §3) and the opt-in processes they start.
// The rules live once in ops/; an engine supplies RecipientWrites, the
// primitive reads and writes of one transaction of one client, and runs the
// operation's work inside it, so an operation either fully happens or not
// at all (a confirmation mail included) and two requests for the same
// recipient never interleave.
// Threads: as store.h (blocking; any thread). Errors: Unavailable when the
// database cannot take work now; other failures IOError/Internal.
#ifndef CAMPAIGND_STORE_RECIPIENTS_H_
#define CAMPAIGND_STORE_RECIPIENTS_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "store/model.h"

namespace campaignd::store {

// One client-wide unsubscribe and what it is attributed to.
struct Unsubscribe {
  std::string address;     // lower-case (the normalised recipient ID)
  int64_t mail_id = 0;     // the mail's sequence (core/mail_id.h); 0: none
  int64_t mailing_id = 0;  // 0: none
  TimePoint at;
  // For its `unsubscribe` event only (events.md §1; not stored): the list
  // it was asked for (0: none) and where it came from ("http", "oneclick",
  // "admin", "complaint").
  int64_t list_id = 0;
  std::string source;
};

// The reads and writes of one transaction of one client. Recipient IDs and
// patterns are normalised by the caller (Address::str(), lower-case).
class RecipientWrites {
 public:
  virtual ~RecipientWrites() = default;
  virtual Result<std::optional<Recipient>> Find(int64_t list_id, std::string_view id) = 0;
  // The lists of this client holding `id`, ascending; with
  // `ordinary_only`, only lists that are neither test nor transaction lists.
  virtual Result<std::vector<int64_t>> ListsOf(std::string_view id, bool ordinary_only) = 0;
  // Inserts or replaces (list_id, id) with every field of `recipient`.
  virtual Status Put(const Recipient& recipient) = 0;
  // Whether a row was deleted.
  virtual Result<bool> Delete(int64_t list_id, std::string_view id) = 0;
  // As Directory::CheckSuppression, inside this transaction.
  virtual Result<Suppression> CheckSuppression(int64_t list_id, std::string_view id) = 0;
  // Client-wide unsubscribe list: add (replacing the attribution; with its
  // `unsubscribe` event) / remove.
  virtual Status AddUnsubscribe(const Unsubscribe& unsubscribe) = 0;
  virtual Result<bool> RemoveUnsubscribe(std::string_view address) = 0;
  // Blocklist: whether the entry was added (false: the pattern existed; an
  // added one with its `blocklist` event) / removed (false: there was none).
  virtual Result<bool> AddBlock(const BlockEntry& entry) = 0;
  virtual Result<bool> RemoveBlock(std::string_view pattern) = 0;
  // Renames `from` to `to` in every list, in the client-wide unsubscribe
  // list and in the client's mails (their history follows the recipient).
  // REQUIRES: `to` is in no list of the client.
  virtual Status Rename(std::string_view from, std::string_view to) = 0;
  // The event of `recipient`'s opt-in through its process (optin_id,
  // optin_source) of `kind` at `at` (events.md §1): singleoptin and
  // confirmedoptin when a subscribe starts one, doubleoptin when the
  // recipient confirms.
  virtual Status RecordOptIn(const Recipient& recipient, OptInKind kind, TimePoint at) = 0;
  // Enqueues a mail in this transaction (MailQueue::Enqueue's record and
  // event); its sequence. Workers are woken after the commit.
  virtual Result<int64_t> Enqueue(const NewMail& mail) = 0;
};

class Recipients {
 public:
  virtual ~Recipients() = default;
  virtual Result<std::optional<OptInProcess>> FindOptIn(int64_t client_id, int64_t id) = 0;
  // The recipient with every column (Directory::FindRecipient reads only
  // what delivery needs).
  virtual Result<std::optional<Recipient>> FindRecipient(int64_t client_id, int64_t list_id,
                                                         std::string_view id) = 0;
  // The client-wide unsubscribe of `address` (lower-case), if any.
  virtual Result<std::optional<Unsubscribe>> FindUnsubscribe(int64_t client_id,
                                                             std::string_view address) = 0;
  // Runs `work` in one transaction of `client_id`, holding a lock on each
  // of `keys` (recipient IDs or patterns) against other Write calls; its
  // writes commit when it returns Ok, else none of them happen.
  using Work = std::function<Status(RecipientWrites&)>;
  virtual Status Write(int64_t client_id, const std::vector<std::string>& keys,
                       const Work& work) = 0;
};

}  // namespace campaignd::store

#endif  // CAMPAIGND_STORE_RECIPIENTS_H_
