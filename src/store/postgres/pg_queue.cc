#include "store/postgres/pg_queue.h"

#include "store/json_text.h"

namespace campaignd::store::postgres {
namespace {

// Columns 0..11 of a mails row, in ReadMail's order, each after `prefix`.
std::string MailColumns(std::string_view prefix) {
  std::string columns;
  for (std::string_view name : {"id", "client_id", "list_id", "mailing_id", "recipient_id",
                                "fields", "status", "attempts", "created_at", "updated_at",
                                "next_attempt_at", "last_reply"}) {
    if (!columns.empty()) columns += ", ";
    columns += std::string(prefix) + std::string(name);
  }
  return columns;
}

Result<Mail> ReadMail(const PgResult& rows, int row) {
  Mail mail;
  mail.id = rows.Int(row, 0);
  mail.client_id = rows.Int(row, 1);
  mail.list_id = rows.Int(row, 2);
  mail.mailing_id = rows.Int(row, 3);
  mail.recipient_id = rows.Text(row, 4);
  const std::string what = "mail " + std::to_string(mail.id);
  Result<FieldValues> fields = FieldsFromJson(rows.Text(row, 5), what + " fields");
  if (!fields.ok()) return fields.status();
  mail.fields = std::move(*fields);
  const std::string status = rows.Text(row, 6);
  std::optional<MailStatus> parsed = ParseMailStatus(status);
  if (!parsed) return Status::Corruption(what + ": unknown status '" + status + "'");
  mail.status = *parsed;
  mail.attempts = static_cast<int>(rows.Int(row, 7));
  mail.created_at = FromUnixMillis(rows.Int(row, 8));
  mail.updated_at = FromUnixMillis(rows.Int(row, 9));
  mail.next_attempt_at = FromUnixMillis(rows.Int(row, 10));
  mail.last_reply = rows.Text(row, 11);
  return mail;
}

// $1 now, $2 max fresh, $3 max retry, $4 worker, $5 lease end, $6 the
// excluded client IDs ('{1,2}'). The WHERE terms repeat the partial
// indexes' (schema 0001); the order is SQLite's (due time, never-attempted
// first, id). The status is left as it is (store.h).
const std::string& ClaimSql() {
  static const std::string kSql =
    "WITH fresh AS ("
    "  SELECT id FROM mails"
    "  WHERE status IN ('enqueued', 'sending') AND attempts = 0 AND next_attempt_at <= $1"
    "    AND (lease_until IS NULL OR lease_until <= $1)"
    "    AND NOT (client_id = ANY($6::bigint[]))"
    "  ORDER BY next_attempt_at, id LIMIT $2 FOR UPDATE SKIP LOCKED"
    "), retry AS ("
    "  SELECT id FROM mails"
    "  WHERE status IN ('enqueued', 'sending') AND attempts > 0 AND next_attempt_at <= $1"
    "    AND (lease_until IS NULL OR lease_until <= $1)"
    "    AND NOT (client_id = ANY($6::bigint[]))"
    "  ORDER BY next_attempt_at, id LIMIT $3 FOR UPDATE SKIP LOCKED"
    "), due AS (SELECT * FROM fresh UNION ALL SELECT * FROM retry"
    "), claimed AS ("
    "  UPDATE mails m SET lease_owner = $4, lease_until = $5"
    "  FROM due WHERE m.id = due.id"
    "  RETURNING " + MailColumns("m.") +
    ") "
    "SELECT " + MailColumns("") + " FROM claimed"
    " ORDER BY next_attempt_at, attempts > 0, id";
  return kSql;
}

// $1 mail, $2 worker, $3 status, $4 reply, $5 attempt (0/1), $6 retry at or
// NULL, $7 at, $8 hard bounce (0/1), $9 attempt start. `old` is the row
// before the update (the join reads the statement's snapshot); a first
// attempt of a mail still `enqueued` adds its `sending` row first (one
// INSERT, rows in `ord` order, so the history's ids keep that order).
// Addresses are counted lower-case (ASCII only, as SQLite's lower()).
constexpr std::string_view kRecordSql =
    "WITH updated AS ("
    "  UPDATE mails m SET status = $3, last_reply = $4, attempts = m.attempts + $5,"
    "    next_attempt_at = coalesce($6, m.next_attempt_at), updated_at = $7,"
    "    lease_owner = NULL, lease_until = NULL"
    "  FROM mails old WHERE m.id = $1 AND m.lease_owner = $2 AND old.id = m.id"
    "  RETURNING m.id, m.client_id, m.recipient_id, old.status AS old_status"
    "), event AS ("
    "  INSERT INTO mail_events (mail_id, at, status, reply)"
    "  SELECT u.id, v.at, v.status, v.reply FROM updated u"
    "  CROSS JOIN (VALUES (1, $9::bigint, 'sending'::text, ''::text),"
    "                     (2, $7::bigint, $3::text, $4::text)) AS v(ord, at, status, reply)"
    "  WHERE v.ord = 2 OR (u.old_status = 'enqueued' AND $5::integer = 1)"
    "  ORDER BY v.ord"
    "), bounce AS ("
    "  INSERT INTO bounces (client_id, address, hard_bounces)"
    "  SELECT client_id, translate(recipient_id, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ',"
    "                              'abcdefghijklmnopqrstuvwxyz'), 1"
    "  FROM updated WHERE $8::integer = 1"
    "  ON CONFLICT (client_id, address) DO UPDATE SET hard_bounces = bounces.hard_bounces + 1"
    ") "
    "SELECT count(*) FROM updated";

// '{1,2,3}': a bigint[] literal of `ids`.
std::string PgIdArray(const std::vector<int64_t>& ids) {
  std::string out = "{";
  for (int64_t id : ids) {
    if (out.size() > 1) out += ',';
    out += std::to_string(id);
  }
  return out + "}";
}

}  // namespace

Result<PgResult> PgQueue::Run(std::string_view sql, const Params& params,
                              std::string_view purpose) {
  Result<Pool::Lease> conn = pool_.Checkout();
  if (!conn.ok()) return conn.status().WithContext(purpose);
  return (*conn)->Query(sql, params, purpose);
}

Result<int64_t> PgQueue::Enqueue(const NewMail& mail) {
  Result<std::string> fields = FieldsToJson(mail.fields);
  if (!fields.ok()) return fields.status();
  return batcher_.Enqueue(mail, *fields);
}

bool PgQueue::EnqueueAsync(const NewMail& mail, EnqueueDone done) {
  Result<std::string> fields = FieldsToJson(mail.fields);
  if (!fields.ok()) {
    done(fields.status());
    return true;
  }
  batcher_.EnqueueAsync(mail, std::move(*fields), std::move(done));
  return true;
}

Result<std::vector<Mail>> PgQueue::Claim(const ClaimRequest& req) {
  if (req.worker.empty()) return Status::InvalidArgument("claim: worker name is empty");
  Result<PgResult> rows = Run(ClaimSql(),
                              Params()
                                  .Int(ToUnixMillis(req.now))
                                  .Int(static_cast<int64_t>(req.max_fresh))
                                  .Int(static_cast<int64_t>(req.max_retry))
                                  .Text(req.worker)
                                  .Int(ToUnixMillis(req.now + req.lease))
                                  .Text(PgIdArray(req.exclude_clients)),
                              "claim mails");
  if (!rows.ok()) return rows.status();
  std::vector<Mail> claimed;
  for (int i = 0; i < rows->rows(); ++i) {
    Result<Mail> mail = ReadMail(*rows, i);
    if (!mail.ok()) return mail.status();
    claimed.push_back(std::move(*mail));
  }
  return claimed;
}

Status PgQueue::Record(const Outcome& outcome) {
  if (outcome.status == MailStatus::kEnqueued) {
    return Status::InvalidArgument("record: a mail cannot go back to enqueued");
  }
  Params params;
  params.Int(outcome.mail_id)
      .Text(outcome.worker)
      .Text(MailStatusName(outcome.status))
      .Text(outcome.reply)
      .Int(outcome.attempted ? 1 : 0);
  if (outcome.status == MailStatus::kSending) {
    params.Int(ToUnixMillis(outcome.retry_at));
  } else {
    params.Null();
  }
  params.Int(ToUnixMillis(outcome.at))
      .Int(outcome.hard_bounce ? 1 : 0)
      .Int(ToUnixMillis(outcome.attempt_started_at));
  Result<PgResult> rows = Run(kRecordSql, params, "record outcome");
  if (!rows.ok()) return rows.status();
  if (rows->Int(0, 0) == 0) {
    return Status::NotFound("mail " + std::to_string(outcome.mail_id) +
                            " is not claimed by worker " + outcome.worker);
  }
  return Status::Ok();
}

Status PgQueue::ReleaseClaims(std::string_view worker) {
  return Run("UPDATE mails SET lease_owner = NULL, lease_until = NULL WHERE lease_owner = $1",
             Params().Text(worker), "release claims")
      .status();
}

Status PgQueue::ReleaseClaim(std::string_view worker, int64_t mail_id) {
  return Run("UPDATE mails SET lease_owner = NULL, lease_until = NULL "
             "WHERE id = $1 AND lease_owner = $2",
             Params().Int(mail_id).Text(worker), "release claim")
      .status();
}

Status PgQueue::ReleaseAllClaims() {
  // Deliberately nothing (see the header): other processes' claims are
  // theirs until their lease ends. Still fails once the engine is closed.
  Result<Pool::Lease> conn = pool_.Checkout();
  return conn.status();
}

Result<std::optional<Mail>> PgQueue::FindMail(int64_t client_id, int64_t mail_id) {
  static const std::string kFind =
      "SELECT " + MailColumns("") + " FROM mails WHERE id = $1 AND client_id = $2";
  Result<PgResult> rows = Run(kFind, Params().Int(mail_id).Int(client_id), "find mail");
  if (!rows.ok()) return rows.status();
  if (rows->rows() == 0) return std::optional<Mail>();
  Result<Mail> mail = ReadMail(*rows, 0);
  if (!mail.ok()) return mail.status();
  return std::optional<Mail>(std::move(*mail));
}

Result<std::vector<MailEvent>> PgQueue::History(int64_t client_id, int64_t mail_id) {
  Result<PgResult> rows = Run(
      "SELECT e.at, e.status, e.reply FROM mail_events e JOIN mails m ON m.id = e.mail_id "
      "WHERE e.mail_id = $1 AND m.client_id = $2 ORDER BY e.id",
      Params().Int(mail_id).Int(client_id), "read mail history");
  if (!rows.ok()) return rows.status();
  std::vector<MailEvent> events;
  for (int i = 0; i < rows->rows(); ++i) {
    std::optional<MailStatus> status = ParseMailStatus(rows->Text(i, 1));
    if (!status) {
      return Status::Corruption("mail " + std::to_string(mail_id) + ": unknown event status");
    }
    events.push_back({FromUnixMillis(rows->Int(i, 0)), *status, rows->Text(i, 2)});
  }
  return events;
}

}  // namespace campaignd::store::postgres
