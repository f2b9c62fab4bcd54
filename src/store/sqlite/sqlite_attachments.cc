#include "store/sqlite/sqlite_attachments.h"

#include "store/sqlite/mail_rows.h"

namespace campaignd::store::sqlite {
namespace {

Status PurgeExpired(Database& db, int64_t now_ms) {
  for (std::string_view sql :
       {"DELETE FROM upload_files WHERE (client_id, token_hash) IN "
        "(SELECT client_id, token_hash FROM uploads WHERE expires_at <= ?1)",
        "DELETE FROM uploads WHERE expires_at <= ?1"}) {
    Result<Statement> purge = db.Prepare(sql, "purge expired uploads");
    if (!purge.ok()) return purge.status();
    CAMPAIGND_RETURN_IF_ERROR(purge->BindInt(1, now_ms).Run());
  }
  return Status::Ok();
}

Status InsertUpload(Database& db, const NewUpload& upload) {
  Result<Statement> insert = db.Prepare(
      "INSERT INTO uploads (client_id, token_hash, created_at, expires_at) VALUES (?1, ?2, ?3, ?4)",
      "store upload");
  if (!insert.ok()) return insert.status();
  CAMPAIGND_RETURN_IF_ERROR(insert->BindInt(1, upload.client_id)
                                .BindText(2, upload.key)
                                .BindInt(3, ToUnixMillis(upload.created_at))
                                .BindInt(4, ToUnixMillis(upload.expires_at))
                                .Run());
  for (std::size_t i = 0; i < upload.files.size(); ++i) {
    const AttachmentFile& f = upload.files[i];
    Result<Statement> file = db.Prepare(
        "INSERT INTO upload_files (client_id, token_hash, position, file_name, content_type, "
        "data) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        "store upload file");
    if (!file.ok()) return file.status();
    CAMPAIGND_RETURN_IF_ERROR(file->BindInt(1, upload.client_id)
                                  .BindText(2, upload.key)
                                  .BindInt(3, static_cast<int64_t>(i))
                                  .BindText(4, f.file_name)
                                  .BindText(5, f.content_type)
                                  .BindBlob(6, f.data)
                                  .Run());
  }
  return Status::Ok();
}

}  // namespace

Status SqliteAttachments::StoreUpload(const NewUpload& upload) {
  if (upload.files.empty()) return Status::InvalidArgument("an upload needs at least one file");
  return writer_.Submit([&](Database& db) -> Status {
    CAMPAIGND_RETURN_IF_ERROR(PurgeExpired(db, ToUnixMillis(upload.created_at)));
    return InsertUpload(db, upload);
  });
}

Result<bool> SqliteAttachments::UploadUsable(int64_t client_id, std::string_view key,
                                             TimePoint now) {
  Result<ReadPool::Lease> db = readers_.Checkout();
  if (!db.ok()) return db.status();
  Result<Statement> query = (*db)->Prepare(
      "SELECT 1 FROM uploads WHERE client_id = ?1 AND token_hash = ?2 AND expires_at > ?3",
      "check upload");
  if (!query.ok()) return query.status();
  return query->BindInt(1, client_id).BindText(2, key).BindInt(3, ToUnixMillis(now)).Step();
}

Result<std::optional<std::vector<AttachmentFile>>> SqliteAttachments::FindUpload(
    int64_t client_id, std::string_view key, TimePoint now) {
  using Found = std::optional<std::vector<AttachmentFile>>;
  Result<ReadPool::Lease> db = readers_.Checkout();
  if (!db.ok()) return db.status();
  ReadTransaction snapshot(**db);
  CAMPAIGND_RETURN_IF_ERROR(snapshot.status());
  {
    Result<Statement> query = (*db)->Prepare(
        "SELECT 1 FROM uploads WHERE client_id = ?1 AND token_hash = ?2 AND expires_at > ?3",
        "check upload");
    if (!query.ok()) return query.status();
    Result<bool> row =
        query->BindInt(1, client_id).BindText(2, key).BindInt(3, ToUnixMillis(now)).Step();
    if (!row.ok()) return row.status();
    if (!*row) return Found();
  }
  Result<Statement> files = (*db)->Prepare(
      "SELECT file_name, content_type, data FROM upload_files "
      "WHERE client_id = ?1 AND token_hash = ?2 ORDER BY position",
      "read upload files");
  if (!files.ok()) return files.status();
  std::vector<AttachmentFile> out;
  CAMPAIGND_RETURN_IF_ERROR(files->BindInt(1, client_id).BindText(2, key).ForEachRow([&] {
    out.push_back({files->ColumnText(0), files->ColumnText(1), files->ColumnBlob(2)});
    return Status::Ok();
  }));
  return Found(std::move(out));
}

Result<std::vector<MailingName>> SqliteMailingLookup::ListMailings(int64_t client_id,
                                                                   int64_t list_id) {
  Result<ReadPool::Lease> db = readers_.Checkout();
  if (!db.ok()) return db.status();
  Result<Statement> query = (*db)->Prepare(
      "SELECT m.id, m.name FROM mailings m JOIN mailing_lists l "
      "ON l.client_id = m.client_id AND l.mailing_id = m.id "
      "WHERE m.client_id = ?1 AND l.list_id = ?2 ORDER BY m.id",
      "list mailings");
  if (!query.ok()) return query.status();
  std::vector<MailingName> out;
  CAMPAIGND_RETURN_IF_ERROR(query->BindInt(1, client_id).BindInt(2, list_id).ForEachRow([&] {
    out.push_back({query->ColumnInt(0), query->ColumnText(1)});
    return Status::Ok();
  }));
  return out;
}

Result<std::optional<Mail>> SqliteMailingLookup::LatestMail(int64_t client_id, int64_t list_id,
                                                            std::string_view recipient_id,
                                                            std::optional<MailStatus> status) {
  static const std::string kLatest = SelectMails(
      "WHERE client_id = ?1 AND recipient_id = ?2 AND list_id = ?3 "
      "AND (?4 = '' OR status = ?4) ORDER BY id DESC LIMIT 1");
  Result<ReadPool::Lease> db = readers_.Checkout();
  if (!db.ok()) return db.status();
  Result<Statement> query = (*db)->Prepare(kLatest, "find latest mail");
  if (!query.ok()) return query.status();
  Result<bool> row = query->BindInt(1, client_id)
                         .BindText(2, recipient_id)
                         .BindInt(3, list_id)
                         .BindText(4, status ? MailStatusName(*status) : std::string_view())
                         .Step();
  if (!row.ok()) return row.status();
  if (!*row) return std::optional<Mail>();
  Result<Mail> mail = ReadMail(*query);
  if (!mail.ok()) return mail.status();
  return std::optional<Mail>(std::move(*mail));
}

}  // namespace campaignd::store::sqlite
