#include "store/sql/attachments.h"

#include "store/sql/queue.h"

namespace campaignd::store {

Status SqlAttachments::StoreUpload(const NewUpload& upload) {
  if (upload.files.empty()) return Status::InvalidArgument("an upload needs at least one file");
  return runner_.Write([&](SqlSession& session) -> Status {
    const SqlValue now[] = {ToUnixMillis(upload.created_at)};
    for (std::string_view sql :
         {"DELETE FROM upload_files WHERE (client_id, token_hash) IN "
          "(SELECT client_id, token_hash FROM uploads WHERE expires_at <= $1)",
          "DELETE FROM uploads WHERE expires_at <= $1"}) {
      CAMPAIGND_RETURN_IF_ERROR(session.Execute(sql, now, "purge expired uploads").status());
    }
    const SqlValue row[] = {upload.client_id, upload.key, ToUnixMillis(upload.created_at),
                            ToUnixMillis(upload.expires_at)};
    Result<int64_t> inserted = session.Execute(
        "INSERT INTO uploads (client_id, token_hash, created_at, expires_at) "
        "VALUES ($1, $2, $3, $4)",
        row, "store upload");
    if (!inserted.ok()) return inserted.status();
    for (std::size_t i = 0; i < upload.files.size(); ++i) {
      const AttachmentFile& f = upload.files[i];
      const SqlValue file[] = {upload.client_id, upload.key,     static_cast<int64_t>(i),
                               f.file_name,      f.content_type, SqlBytes{f.data}};
      Result<int64_t> stored = session.Execute(
          "INSERT INTO upload_files (client_id, token_hash, position, file_name, content_type, "
          "data) VALUES ($1, $2, $3, $4, $5, $6)",
          file, "store upload file");
      if (!stored.ok()) return stored.status();
    }
    return Status::Ok();
  });
}

Result<bool> SqlAttachments::UploadUsable(int64_t client_id, std::string_view key, TimePoint now) {
  const SqlValue params[] = {client_id, std::string(key), ToUnixMillis(now)};
  Result<std::vector<SqlRow>> rows = runner_.Query(
      "SELECT 1 FROM uploads WHERE client_id = $1 AND token_hash = $2 AND expires_at > $3", params,
      1, "check upload");
  if (!rows.ok()) return rows.status();
  return !rows->empty();
}

Result<std::optional<std::vector<AttachmentFile>>> SqlAttachments::FindUpload(int64_t client_id,
                                                                              std::string_view key,
                                                                              TimePoint now) {
  using Found = std::optional<std::vector<AttachmentFile>>;
  // One statement: the upload's existence and its files in one snapshot.
  const SqlValue params[] = {client_id, std::string(key), ToUnixMillis(now)};
  Result<std::vector<SqlRow>> rows = runner_.Query(
      "SELECT f.file_name, f.content_type, f.data FROM uploads u "
      "LEFT JOIN upload_files f ON f.client_id = u.client_id AND f.token_hash = u.token_hash "
      "WHERE u.client_id = $1 AND u.token_hash = $2 AND u.expires_at > $3 ORDER BY f.position",
      params, 3, "read upload files");
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return Found();
  std::vector<AttachmentFile> out;
  for (SqlRow& row : *rows) {
    if (!row[0]) continue;  // an upload row without files
    out.push_back({std::move(*row[0]), CellText(row, 1), CellText(row, 2)});
  }
  return Found(std::move(out));
}

Result<std::vector<MailingName>> MailingLookup::ListMailings(int64_t client_id, int64_t list_id) {
  const SqlValue params[] = {client_id, list_id};
  return EachRow<MailingName>(runner_.Query("SELECT m.id, m.name FROM mailings m JOIN "
                                            "mailing_lists l ON l.client_id = m.client_id AND "
                                            "l.mailing_id = m.id WHERE m.client_id = $1 AND "
                                            "l.list_id = $2 ORDER BY m.id",
                                            params, 2, "list mailings"),
                              [](const SqlRow& row) {
                                CellReader cells(row);
                                return cells.Finish(MailingName{cells.Int(0), cells.Text(1)});
                              });
}

Result<std::optional<Mail>> MailingLookup::LatestMail(int64_t client_id, int64_t list_id,
                                                      std::string_view recipient_id,
                                                      std::optional<MailStatus> status) {
  const SqlValue params[] = {client_id, std::string(recipient_id), list_id,
                             std::string(status ? MailStatusName(*status) : std::string_view())};
  static const std::string kLatest =
      "SELECT " + MailColumns() + " FROM mails WHERE client_id = $1 AND recipient_id = $2 "
      "AND list_id = $3 AND ($4 = '' OR status = $4) ORDER BY id DESC LIMIT 1";
  return FirstRow<Mail>(runner_.Query(kLatest, params, 12, "find latest mail"), MailFromRow);
}

}  // namespace campaignd::store
