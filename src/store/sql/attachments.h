// SqlAttachments: store/attachments.h on either engine, over sql_session.h
// (schema: migrations/<engine>/*_attachments.sql, the same tables and
// columns); attachments.cc also holds store/mailing_lookup.h's reads.
// StoreUpload is one write transaction; every read is one statement.
// Threads: any. Errors: as store.h.
#ifndef CAMPAIGND_STORE_SQL_ATTACHMENTS_H_
#define CAMPAIGND_STORE_SQL_ATTACHMENTS_H_

#include "store/attachments.h"
#include "store/mailing_lookup.h"
#include "store/sql_session.h"
#include "store/store.h"

namespace campaignd::store {

class SqlAttachments final : public Attachments {
 public:
  // REQUIRES: `runner` outlives this.
  explicit SqlAttachments(SqlRunner& runner) : runner_(runner) {}

  Status StoreUpload(const NewUpload& upload) override;
  Result<bool> UploadUsable(int64_t client_id, std::string_view key, TimePoint now) override;
  Result<std::optional<std::vector<AttachmentFile>>> FindUpload(int64_t client_id,
                                                                std::string_view key,
                                                                TimePoint now) override;

 private:
  SqlRunner& runner_;
};

}  // namespace campaignd::store

#endif  // CAMPAIGND_STORE_SQL_ATTACHMENTS_H_
