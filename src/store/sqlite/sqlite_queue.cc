#include "store/sqlite/sqlite_queue.h"

#include <algorithm>

#include "store/json_text.h"
#include "store/sql/records.h"

namespace campaignd::store::sqlite {
namespace {

Status InsertEvent(SqlSession& db, int64_t mail_id, TimePoint at, MailStatus status,
                   std::string_view reply) {
  const SqlValue params[] = {mail_id, ToUnixMillis(at), std::string(MailStatusName(status)),
                             std::string(reply)};
  return db
      .Execute("INSERT INTO mail_events (mail_id, at, status, reply) VALUES ($1, $2, $3, $4)",
               params, "record mail event")
      .status();
}

// Appends up to `limit` due, unleased mails of one kind, none of a client in
// `excluded` (a JSON array of client IDs), to `out`.
Status SelectDue(SqlSession& db, bool retries, std::size_t limit, int64_t now,
                 const std::string& excluded, std::vector<Mail>& out) {
  if (limit == 0) return Status::Ok();
  const SqlValue params[] = {now, static_cast<int64_t>(limit), excluded};
  Result<std::vector<SqlRow>> rows = db.Query(DueMailsSql(retries), params, 12, "find due mails");
  if (!rows.ok()) return rows.status();
  for (const SqlRow& row : *rows) {
    Result<Mail> mail = MailFromRow(row);
    if (!mail.ok()) return mail.status();
    out.push_back(std::move(*mail));
  }
  return Status::Ok();
}

// "[1,2,3]": the client IDs a claim leaves out, for json_each().
std::string JsonIdArray(const std::vector<int64_t>& ids) {
  std::string out = "[";
  for (int64_t id : ids) {
    if (out.size() > 1) out += ',';
    out += std::to_string(id);
  }
  return out + "]";
}

// One outcome inside the batch's unit. NotFound (nothing written) when the
// worker no longer holds the claim: both writes below check the lease.
Status RecordOne(SqlSession& db, const Outcome& outcome) {
  if (outcome.attempted) {
    // The first attempt is when a mail starts `sending` (behaviour.md §4.1).
    const SqlValue params[] = {outcome.mail_id, outcome.worker,
                               ToUnixMillis(outcome.attempt_started_at)};
    CAMPAIGND_RETURN_IF_ERROR(db.Execute("INSERT INTO mail_events (mail_id, at, status, reply) "
                                         "SELECT id, $3, 'sending', '' FROM mails "
                                         "WHERE id = $1 AND lease_owner = $2 "
                                         "AND status = 'enqueued'",
                                         params, "record first attempt")
                                  .status());
  }
  const SqlValue params[] = {
      outcome.mail_id,
      outcome.worker,
      std::string(MailStatusName(outcome.status)),
      outcome.reply,
      int64_t{outcome.attempted ? 1 : 0},
      outcome.status == MailStatus::kSending ? SqlValue(ToUnixMillis(outcome.retry_at))
                                             : SqlValue(),
      ToUnixMillis(outcome.at)};
  Result<int64_t> changed = db.Execute(
      "UPDATE mails SET status = $3, last_reply = $4, attempts = attempts + $5, "
      "next_attempt_at = coalesce($6, next_attempt_at), updated_at = $7, "
      "lease_owner = NULL, lease_until = NULL WHERE id = $1 AND lease_owner = $2",
      params, "record outcome");
  if (!changed.ok()) return changed.status();
  if (*changed == 0) {
    return Status::NotFound("mail " + std::to_string(outcome.mail_id) +
                            " is not claimed by worker " + outcome.worker);
  }
  CAMPAIGND_RETURN_IF_ERROR(
      InsertEvent(db, outcome.mail_id, outcome.at, outcome.status, outcome.reply));
  if (!outcome.hard_bounce) return Status::Ok();
  const SqlValue mail[] = {outcome.mail_id};
  return db
      .Execute("INSERT INTO bounces (client_id, address, hard_bounces) "
               "SELECT client_id, lower(recipient_id), 1 FROM mails WHERE id = $1 "
               "ON CONFLICT (client_id, address) DO UPDATE SET hard_bounces = hard_bounces + 1",
               mail, "count hard bounce")
      .status();
}

}  // namespace

// The WHERE terms repeat the partial indexes' (schema 0001) so SQLite uses
// them; ordered by the index key, the LIMIT stops the scan early.
const std::string& DueMailsSql(bool retries) {
  static const std::string kFresh =
      "SELECT " + MailColumns() + " FROM mails "
      "WHERE status IN ('enqueued', 'sending') AND attempts = 0 AND next_attempt_at <= $1 "
      "AND (lease_until IS NULL OR lease_until <= $1) "
      "AND client_id NOT IN (SELECT value FROM json_each($3)) "
      "ORDER BY next_attempt_at, id LIMIT $2";
  static const std::string kRetry =
      "SELECT " + MailColumns() + " FROM mails "
      "WHERE status IN ('enqueued', 'sending') AND attempts > 0 AND next_attempt_at <= $1 "
      "AND (lease_until IS NULL OR lease_until <= $1) "
      "AND client_id NOT IN (SELECT value FROM json_each($3)) "
      "ORDER BY next_attempt_at, id LIMIT $2";
  return retries ? kRetry : kFresh;
}

Result<int64_t> SqliteQueue::Enqueue(const NewMail& mail) {
  Result<std::string> fields = FieldsToJson(mail.fields);
  if (!fields.ok()) return fields.status();
  int64_t id = 0;
  CAMPAIGND_RETURN_IF_ERROR(runner_.Write([&](SqlSession& session) -> Status {
    Result<int64_t> inserted = records::InsertMail(session, mail, std::move(*fields));
    if (!inserted.ok()) return inserted.status();
    id = *inserted;
    return Status::Ok();
  }));
  return id;
}

bool SqliteQueue::EnqueueAsync(const NewMail& mail, EnqueueDone done) {
  Result<std::string> fields = FieldsToJson(mail.fields);
  if (!fields.ok()) {
    done(fields.status());
    return true;
  }
  // The unit and its completion run one after the other on the writer
  // thread: `id` needs no lock.
  auto id = std::make_shared<int64_t>(0);
  writer_.WriteAsync(
      [mail, fields = std::move(*fields), id](SqlSession& session) mutable -> Status {
        Result<int64_t> inserted = records::InsertMail(session, mail, std::move(fields));
        if (!inserted.ok()) return inserted.status();
        *id = *inserted;
        return Status::Ok();
      },
      [done = std::move(done), id](const Status& status) {
        done(status.ok() ? Result<int64_t>(*id) : Result<int64_t>(status));
      });
  return true;
}

Result<std::vector<Mail>> SqliteQueue::Claim(const ClaimRequest& req) {
  if (req.worker.empty()) return Status::InvalidArgument("claim: worker name is empty");
  std::vector<Mail> claimed;
  CAMPAIGND_RETURN_IF_ERROR(runner_.Write([&](SqlSession& db) -> Status {
    const int64_t now = ToUnixMillis(req.now);
    const std::string excluded = JsonIdArray(req.exclude_clients);
    CAMPAIGND_RETURN_IF_ERROR(
        SelectDue(db, /*retries=*/false, req.max_fresh, now, excluded, claimed));
    CAMPAIGND_RETURN_IF_ERROR(
        SelectDue(db, /*retries=*/true, req.max_retry, now, excluded, claimed));
    // Leased to req.worker; the status stays as it is: a mail is `sending`
    // only once an attempt was made (RecordBatch writes that transition).
    for (const Mail& mail : claimed) {
      const SqlValue params[] = {mail.id, req.worker, ToUnixMillis(req.now + req.lease)};
      CAMPAIGND_RETURN_IF_ERROR(
          db.Execute("UPDATE mails SET lease_owner = $2, lease_until = $3 WHERE id = $1", params,
                     "claim mail")
              .status());
    }
    return Status::Ok();
  }));
  std::stable_sort(claimed.begin(), claimed.end(), [](const Mail& a, const Mail& b) {
    return a.next_attempt_at < b.next_attempt_at;
  });
  return claimed;
}

std::vector<Status> SqliteQueue::RecordBatch(std::span<const Outcome> outcomes) {
  std::vector<Status> results(outcomes.size(), Status::Ok());
  std::vector<bool> valid(outcomes.size(), true);
  for (std::size_t i = 0; i < outcomes.size(); ++i) {
    if (outcomes[i].status != MailStatus::kEnqueued) continue;
    valid[i] = false;
    results[i] = Status::InvalidArgument("record: a mail cannot go back to enqueued");
  }
  if (std::find(valid.begin(), valid.end(), true) == valid.end()) return results;
  // One unit: the batch commits with whatever else the writer groups with it.
  Status unit = runner_.Write([&](SqlSession& db) -> Status {
    for (std::size_t i = 0; i < outcomes.size(); ++i) {
      if (!valid[i]) continue;
      Status s = RecordOne(db, outcomes[i]);
      if (s.IsNotFound()) {
        results[i] = std::move(s);
      } else if (!s.ok()) {
        return s;
      }
    }
    return Status::Ok();
  });
  if (!unit.ok()) {
    for (std::size_t i = 0; i < outcomes.size(); ++i) {
      if (valid[i]) results[i] = unit;
    }
  }
  return results;
}

Status SqliteQueue::ReleaseAllClaims() {
  return runner_
      .Execute("UPDATE mails SET lease_owner = NULL, lease_until = NULL "
               "WHERE lease_owner IS NOT NULL",
               {}, "release all claims")
      .status();
}

}  // namespace campaignd::store::sqlite
