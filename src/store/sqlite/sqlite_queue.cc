#include "store/sqlite/sqlite_queue.h"

#include <algorithm>

#include "core/fields.h"
#include "store/json_text.h"
#include "store/sqlite/mail_rows.h"

namespace campaignd::store::sqlite {
namespace {

Status InsertEvent(Database& db, int64_t mail_id, TimePoint at, MailStatus status,
                   std::string_view reply) {
  Result<Statement> insert = db.Prepare(
      "INSERT INTO mail_events (mail_id, at, status, reply) VALUES (?1, ?2, ?3, ?4)",
      "record mail event");
  if (!insert.ok()) return insert.status();
  return insert->BindInt(1, mail_id)
      .BindInt(2, ToUnixMillis(at))
      .BindText(3, MailStatusName(status))
      .BindText(4, reply)
      .Run();
}

// Appends up to `limit` due, unleased mails of one kind, none of a client in
// `excluded` (a JSON array of client IDs), to `out`.
Status SelectDue(Database& db, bool retries, std::size_t limit, int64_t now,
                 const std::string& excluded, std::vector<Mail>& out) {
  if (limit == 0) return Status::Ok();
  Result<Statement> query = db.Prepare(DueMailsSql(retries), "find due mails");
  if (!query.ok()) return query.status();
  return query->BindInt(1, now)
      .BindInt(2, static_cast<int64_t>(limit))
      .BindText(3, excluded)
      .ForEachRow([&] {
        Result<Mail> mail = ReadMail(*query);
        if (!mail.ok()) return mail.status();
        out.push_back(std::move(*mail));
        return Status::Ok();
      });
}

// Leases `mail` to req.worker. The status stays as it is: a mail is
// `sending` only once an attempt was made (Record writes that transition).
Status Lease(Database& db, const ClaimRequest& req, const Mail& mail) {
  Result<Statement> update = db.Prepare(
      "UPDATE mails SET lease_owner = ?2, lease_until = ?3 WHERE id = ?1", "claim mail");
  if (!update.ok()) return update.status();
  return update->BindInt(1, mail.id)
      .BindText(2, req.worker)
      .BindInt(3, ToUnixMillis(req.now + req.lease))
      .Run();
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

Status AddHardBounce(Database& db, int64_t mail_id) {
  Result<Statement> upsert = db.Prepare(
      "INSERT INTO bounces (client_id, address, hard_bounces) "
      "SELECT client_id, lower(recipient_id), 1 FROM mails WHERE id = ?1 "
      "ON CONFLICT (client_id, address) DO UPDATE SET hard_bounces = hard_bounces + 1",
      "count hard bounce");
  if (!upsert.ok()) return upsert.status();
  return upsert->BindInt(1, mail_id).Run();
}

// One outcome inside the batch's unit. NotFound (nothing written) when the
// worker no longer holds the claim: both writes below check the lease.
Status RecordOne(Database& db, const Outcome& outcome) {
  if (outcome.attempted) {
    // The first attempt is when a mail starts `sending` (behaviour.md §4.1).
    Result<Statement> sending = db.Prepare(
        "INSERT INTO mail_events (mail_id, at, status, reply) "
        "SELECT id, ?3, 'sending', '' FROM mails "
        "WHERE id = ?1 AND lease_owner = ?2 AND status = 'enqueued'",
        "record first attempt");
    if (!sending.ok()) return sending.status();
    CAMPAIGND_RETURN_IF_ERROR(sending->BindInt(1, outcome.mail_id)
                                  .BindText(2, outcome.worker)
                                  .BindInt(3, ToUnixMillis(outcome.attempt_started_at))
                                  .Run());
  }
  Result<Statement> update = db.Prepare(
      "UPDATE mails SET status = ?3, last_reply = ?4, attempts = attempts + ?5, "
      "next_attempt_at = coalesce(?6, next_attempt_at), updated_at = ?7, "
      "lease_owner = NULL, lease_until = NULL WHERE id = ?1 AND lease_owner = ?2",
      "record outcome");
  if (!update.ok()) return update.status();
  update->BindInt(1, outcome.mail_id)
      .BindText(2, outcome.worker)
      .BindText(3, MailStatusName(outcome.status))
      .BindText(4, outcome.reply)
      .BindInt(5, outcome.attempted ? 1 : 0)
      .BindInt(7, ToUnixMillis(outcome.at));
  if (outcome.status == MailStatus::kSending) {
    update->BindInt(6, ToUnixMillis(outcome.retry_at));
  } else {
    update->BindNull(6);
  }
  CAMPAIGND_RETURN_IF_ERROR(update->Run());
  if (db.Changes() == 0) {
    return Status::NotFound("mail " + std::to_string(outcome.mail_id) +
                            " is not claimed by worker " + outcome.worker);
  }
  CAMPAIGND_RETURN_IF_ERROR(
      InsertEvent(db, outcome.mail_id, outcome.at, outcome.status, outcome.reply));
  return outcome.hard_bounce ? AddHardBounce(db, outcome.mail_id) : Status::Ok();
}

}  // namespace

// The WHERE terms repeat the partial indexes' (schema 0001) so SQLite uses
// them; ordered by the index key, the LIMIT stops the scan early.
const std::string& DueMailsSql(bool retries) {
  static const std::string kFresh = SelectMails(
      "WHERE status IN ('enqueued', 'sending') AND attempts = 0 AND next_attempt_at <= ?1 "
      "AND (lease_until IS NULL OR lease_until <= ?1) "
      "AND client_id NOT IN (SELECT value FROM json_each(?3)) "
      "ORDER BY next_attempt_at, id LIMIT ?2");
  static const std::string kRetry = SelectMails(
      "WHERE status IN ('enqueued', 'sending') AND attempts > 0 AND next_attempt_at <= ?1 "
      "AND (lease_until IS NULL OR lease_until <= ?1) "
      "AND client_id NOT IN (SELECT value FROM json_each(?3)) "
      "ORDER BY next_attempt_at, id LIMIT ?2");
  return retries ? kRetry : kFresh;
}

namespace {

// The rows of one enqueued mail (its `enqueued` event too); its id.
Result<int64_t> InsertMail(Database& db, const NewMail& mail, const std::string& fields) {
  Result<Statement> insert = db.Prepare(
      "INSERT INTO mails (client_id, list_id, mailing_id, recipient_id, fields, status, "
      "created_at, updated_at, next_attempt_at) "
      "VALUES (?1, ?2, ?3, ?4, ?5, 'enqueued', ?6, ?6, ?6) RETURNING id",
      "enqueue mail");
  if (!insert.ok()) return insert.status();
  Result<bool> row = insert->BindInt(1, mail.client_id)
                         .BindInt(2, mail.list_id)
                         .BindInt(3, mail.mailing_id)
                         .BindText(4, mail.recipient_id)
                         .BindText(5, fields)
                         .BindInt(6, ToUnixMillis(mail.created_at))
                         .Step();
  if (!row.ok()) return row.status();
  const int64_t id = insert->ColumnInt(0);
  CAMPAIGND_RETURN_IF_ERROR(insert->Run());  // finish the statement before the next one
  CAMPAIGND_RETURN_IF_ERROR(InsertEvent(db, id, mail.created_at, MailStatus::kEnqueued, ""));
  return id;
}

}  // namespace

Result<int64_t> SqliteQueue::Enqueue(const NewMail& mail) {
  Result<std::string> fields = FieldsToJson(mail.fields);
  if (!fields.ok()) return fields.status();
  int64_t id = 0;
  Status status = writer_.Submit([&](Database& db) -> Status {
    Result<int64_t> inserted = InsertMail(db, mail, *fields);
    if (!inserted.ok()) return inserted.status();
    id = *inserted;
    return Status::Ok();
  });
  if (!status.ok()) return status;
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
  writer_.SubmitAsync(
      [mail, fields = std::move(*fields), id](Database& db) -> Status {
        Result<int64_t> inserted = InsertMail(db, mail, fields);
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
  Status status = writer_.Submit([&](Database& db) -> Status {
    const int64_t now = ToUnixMillis(req.now);
    const std::string excluded = JsonIdArray(req.exclude_clients);
    CAMPAIGND_RETURN_IF_ERROR(
        SelectDue(db, /*retries=*/false, req.max_fresh, now, excluded, claimed));
    CAMPAIGND_RETURN_IF_ERROR(
        SelectDue(db, /*retries=*/true, req.max_retry, now, excluded, claimed));
    for (Mail& mail : claimed) CAMPAIGND_RETURN_IF_ERROR(Lease(db, req, mail));
    return Status::Ok();
  });
  if (!status.ok()) return status;
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
  Status unit = writer_.Submit([&](Database& db) -> Status {
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

Status SqliteQueue::ReleaseClaims(std::string_view worker) {
  return writer_.Submit([&](Database& db) -> Status {
    Result<Statement> update = db.Prepare(
        "UPDATE mails SET lease_owner = NULL, lease_until = NULL WHERE lease_owner = ?1",
        "release claims");
    if (!update.ok()) return update.status();
    return update->BindText(1, worker).Run();
  });
}

Status SqliteQueue::ReleaseClaim(std::string_view worker, int64_t mail_id) {
  return writer_.Submit([&](Database& db) -> Status {
    Result<Statement> update = db.Prepare(
        "UPDATE mails SET lease_owner = NULL, lease_until = NULL "
        "WHERE id = ?1 AND lease_owner = ?2",
        "release claim");
    if (!update.ok()) return update.status();
    return update->BindInt(1, mail_id).BindText(2, worker).Run();
  });
}

Status SqliteQueue::ReleaseAllClaims() {
  return writer_.Submit([&](Database& db) -> Status {
    return db.Exec("UPDATE mails SET lease_owner = NULL, lease_until = NULL "
                   "WHERE lease_owner IS NOT NULL",
                   "release all claims");
  });
}

Result<std::optional<Mail>> SqliteQueue::FindMail(int64_t client_id, int64_t mail_id) {
  Result<ReadPool::Lease> db = readers_.Checkout();
  if (!db.ok()) return db.status();
  static const std::string kFind = SelectMails("WHERE id = ?1 AND client_id = ?2");
  Result<Statement> query = (*db)->Prepare(kFind, "find mail");
  if (!query.ok()) return query.status();
  Result<bool> row = query->BindInt(1, mail_id).BindInt(2, client_id).Step();
  if (!row.ok()) return row.status();
  if (!*row) return std::optional<Mail>();
  Result<Mail> mail = ReadMail(*query);
  if (!mail.ok()) return mail.status();
  return std::optional<Mail>(std::move(*mail));
}

Result<std::vector<MailEvent>> SqliteQueue::History(int64_t client_id, int64_t mail_id) {
  Result<ReadPool::Lease> db = readers_.Checkout();
  if (!db.ok()) return db.status();
  Result<Statement> query = (*db)->Prepare(
      "SELECT e.at, e.status, e.reply FROM mail_events e JOIN mails m ON m.id = e.mail_id "
      "WHERE e.mail_id = ?1 AND m.client_id = ?2 ORDER BY e.id",
      "read mail history");
  if (!query.ok()) return query.status();
  std::vector<MailEvent> events;
  CAMPAIGND_RETURN_IF_ERROR(query->BindInt(1, mail_id).BindInt(2, client_id).ForEachRow([&] {
    std::optional<MailStatus> status = ParseMailStatus(query->ColumnText(1));
    if (!status) {
      return Status::Corruption("mail " + std::to_string(mail_id) + ": unknown event status");
    }
    events.push_back({FromUnixMillis(query->ColumnInt(0)), *status, query->ColumnText(2)});
    return Status::Ok();
  }));
  return events;
}

}  // namespace campaignd::store::sqlite
