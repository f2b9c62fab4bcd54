#include "store/postgres/pg_attachments.h"

namespace campaignd::store::postgres {
namespace {

Result<PgResult> Run(Pool& pool, std::string_view sql, const Params& params,
                     std::string_view purpose) {
  Result<Pool::Lease> conn = pool.Checkout();
  if (!conn.ok()) return conn.status();
  return (*conn)->Query(sql, params, purpose);
}

Status InsertUpload(Connection& conn, const NewUpload& upload) {
  const int64_t now = ToUnixMillis(upload.created_at);
  for (std::string_view sql :
       {"DELETE FROM upload_files f USING uploads u WHERE u.expires_at <= $1 "
        "AND f.client_id = u.client_id AND f.token_hash = u.token_hash",
        "DELETE FROM uploads WHERE expires_at <= $1"}) {
    Result<PgResult> purged = conn.Query(sql, Params().Int(now), "purge expired uploads");
    if (!purged.ok()) return purged.status();
  }
  Result<PgResult> inserted = conn.Query(
      "INSERT INTO uploads (client_id, token_hash, created_at, expires_at) VALUES ($1, $2, $3, $4)",
      Params().Int(upload.client_id).Text(upload.key).Int(now).Int(
          ToUnixMillis(upload.expires_at)),
      "store upload");
  if (!inserted.ok()) return inserted.status();
  for (std::size_t i = 0; i < upload.files.size(); ++i) {
    const AttachmentFile& f = upload.files[i];
    Result<PgResult> file = conn.Query(
        "INSERT INTO upload_files (client_id, token_hash, position, file_name, content_type, "
        "data) VALUES ($1, $2, $3, $4, $5, $6)",
        Params()
            .Int(upload.client_id)
            .Text(upload.key)
            .Int(static_cast<int64_t>(i))
            .Text(f.file_name)
            .Text(f.content_type)
            .Bytes(f.data),
        "store upload file");
    if (!file.ok()) return file.status();
  }
  return Status::Ok();
}

}  // namespace

Status PgAttachments::StoreUpload(const NewUpload& upload) {
  if (upload.files.empty()) return Status::InvalidArgument("an upload needs at least one file");
  Result<Pool::Lease> conn = pool_.Checkout();
  if (!conn.ok()) return conn.status();
  Transaction tx(**conn, "store upload");
  CAMPAIGND_RETURN_IF_ERROR(tx.status());
  CAMPAIGND_RETURN_IF_ERROR(InsertUpload(**conn, upload));
  return tx.Commit();
}

Result<bool> PgAttachments::UploadUsable(int64_t client_id, std::string_view key,
                                         TimePoint now) {
  Result<PgResult> rows = Run(
      pool_, "SELECT 1 FROM uploads WHERE client_id = $1 AND token_hash = $2 AND expires_at > $3",
      Params().Int(client_id).Text(key).Int(ToUnixMillis(now)), "check upload");
  if (!rows.ok()) return rows.status();
  return rows->rows() > 0;
}

Result<std::optional<std::vector<AttachmentFile>>> PgAttachments::FindUpload(
    int64_t client_id, std::string_view key, TimePoint now) {
  using Found = std::optional<std::vector<AttachmentFile>>;
  // One statement: the upload's existence and its files in one snapshot.
  Result<PgResult> rows = Run(
      pool_,
      "SELECT f.file_name, f.content_type, f.data FROM uploads u "
      "LEFT JOIN upload_files f ON f.client_id = u.client_id AND f.token_hash = u.token_hash "
      "WHERE u.client_id = $1 AND u.token_hash = $2 AND u.expires_at > $3 ORDER BY f.position",
      Params().Int(client_id).Text(key).Int(ToUnixMillis(now)), "read upload files");
  if (!rows.ok()) return rows.status();
  if (rows->rows() == 0) return Found();
  std::vector<AttachmentFile> out;
  for (int i = 0; i < rows->rows(); ++i) {
    if (rows->IsNull(i, 0)) continue;  // an upload row without files
    out.push_back({rows->Text(i, 0), rows->Text(i, 1), rows->Bytes(i, 2)});
  }
  return Found(std::move(out));
}

Result<std::vector<MailingName>> PgMailingLookup::ListMailings(int64_t client_id,
                                                               int64_t list_id) {
  Result<PgResult> rows = Run(
      pool_,
      "SELECT m.id, m.name FROM mailings m JOIN mailing_lists l "
      "ON l.client_id = m.client_id AND l.mailing_id = m.id "
      "WHERE m.client_id = $1 AND l.list_id = $2 ORDER BY m.id",
      Params().Int(client_id).Int(list_id), "list mailings");
  if (!rows.ok()) return rows.status();
  std::vector<MailingName> out;
  for (int i = 0; i < rows->rows(); ++i) out.push_back({rows->Int(i, 0), rows->Text(i, 1)});
  return out;
}

Result<std::optional<Mail>> PgMailingLookup::LatestMail(int64_t client_id, int64_t list_id,
                                                        std::string_view recipient_id,
                                                        std::optional<MailStatus> status) {
  Result<PgResult> rows = Run(
      pool_,
      "SELECT id FROM mails WHERE client_id = $1 AND recipient_id = $2 AND list_id = $3 "
      "AND ($4 = '' OR status = $4) ORDER BY id DESC LIMIT 1",
      Params().Int(client_id).Text(recipient_id).Int(list_id).Text(
          status ? MailStatusName(*status) : std::string_view()),
      "find latest mail");
  if (!rows.ok()) return rows.status();
  if (rows->rows() == 0) return std::optional<Mail>();
  return queue_.FindMail(client_id, rows->Int(0, 0));
}

}  // namespace campaignd::store::postgres
