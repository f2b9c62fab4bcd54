// PgAttachments and PgMailingLookup: store/attachments.h and
// store/mailing_lookup.h on PostgreSQL (schema 0003). StoreUpload is one
// transaction on a pooled connection; every read is one statement.
// Threads: any. Errors: as store.h.
#ifndef CAMPAIGND_STORE_POSTGRES_PG_ATTACHMENTS_H_
#define CAMPAIGND_STORE_POSTGRES_PG_ATTACHMENTS_H_

#include "store/attachments.h"
#include "store/mailing_lookup.h"
#include "store/postgres/pool.h"
#include "store/store.h"

namespace campaignd::store::postgres {

class PgAttachments final : public Attachments {
 public:
  // REQUIRES: `pool` outlives this.
  explicit PgAttachments(Pool& pool) : pool_(pool) {}

  Status StoreUpload(const NewUpload& upload) override;
  Result<bool> UploadUsable(int64_t client_id, std::string_view key, TimePoint now) override;
  Result<std::optional<std::vector<AttachmentFile>>> FindUpload(int64_t client_id,
                                                                std::string_view key,
                                                                TimePoint now) override;

 private:
  Pool& pool_;
};

class PgMailingLookup final : public MailingLookup {
 public:
  // REQUIRES: `pool` and `queue` outlive this; the mail itself is read
  // through queue.FindMail (one row reader for mails).
  PgMailingLookup(Pool& pool, MailQueue& queue) : pool_(pool), queue_(queue) {}

  Result<std::vector<MailingName>> ListMailings(int64_t client_id, int64_t list_id) override;
  Result<std::optional<Mail>> LatestMail(int64_t client_id, int64_t list_id,
                                         std::string_view recipient_id,
                                         std::optional<MailStatus> status) override;

 private:
  Pool& pool_;
  MailQueue& queue_;
};

}  // namespace campaignd::store::postgres

#endif  // CAMPAIGND_STORE_POSTGRES_PG_ATTACHMENTS_H_
