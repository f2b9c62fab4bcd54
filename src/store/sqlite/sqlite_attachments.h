// SqliteAttachments and SqliteMailingLookup: store/attachments.h and
// store/mailing_lookup.h on SQLite (schema 0004). Writes go through the
// writer (one savepoint each, group-committed); reads use the read pool.
// Threads: any. Errors: as store.h.
#ifndef CAMPAIGND_STORE_SQLITE_SQLITE_ATTACHMENTS_H_
#define CAMPAIGND_STORE_SQLITE_SQLITE_ATTACHMENTS_H_

#include "store/attachments.h"
#include "store/mailing_lookup.h"
#include "store/sqlite/read_pool.h"
#include "store/sqlite/writer.h"

namespace campaignd::store::sqlite {

class SqliteAttachments final : public Attachments {
 public:
  // REQUIRES: `writer` and `readers` outlive this.
  SqliteAttachments(Writer& writer, ReadPool& readers) : writer_(writer), readers_(readers) {}

  Status StoreUpload(const NewUpload& upload) override;
  Result<bool> UploadUsable(int64_t client_id, std::string_view key, TimePoint now) override;
  Result<std::optional<std::vector<AttachmentFile>>> FindUpload(int64_t client_id,
                                                                std::string_view key,
                                                                TimePoint now) override;

 private:
  Writer& writer_;
  ReadPool& readers_;
};

class SqliteMailingLookup final : public MailingLookup {
 public:
  // REQUIRES: `readers` outlives this.
  explicit SqliteMailingLookup(ReadPool& readers) : readers_(readers) {}

  Result<std::vector<MailingName>> ListMailings(int64_t client_id, int64_t list_id) override;
  Result<std::optional<Mail>> LatestMail(int64_t client_id, int64_t list_id,
                                         std::string_view recipient_id,
                                         std::optional<MailStatus> status) override;

 private:
  ReadPool& readers_;
};

}  // namespace campaignd::store::sqlite

#endif  // CAMPAIGND_STORE_SQLITE_SQLITE_ATTACHMENTS_H_
