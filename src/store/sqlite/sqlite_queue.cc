#include "store/sqlite/sqlite_queue.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "store/json_text.h"
#include "store/sql/records.h"

namespace campaignd::store::sqlite {
namespace {

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

// One outcome inside the batch's unit; the mail it changed, for its event.
// NotFound (nothing written) when the worker no longer holds the claim:
// both writes below check the lease.
Result<Recorded> RecordOne(SqlSession& db, const Outcome& outcome) {
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
  static const std::string kUpdate =
      "UPDATE mails SET status = $3, last_reply = $4, attempts = attempts + $5, "
      "next_attempt_at = coalesce($6, next_attempt_at), updated_at = $7, "
      "lease_owner = NULL, lease_until = NULL WHERE id = $1 AND lease_owner = $2 RETURNING " +
      RecordedColumns();
  Result<std::vector<SqlRow>> changed = db.Query(kUpdate, params, 4, "record outcome");
  if (!changed.ok()) return changed.status();
  if (changed->empty()) {
    return LostClaim(outcome);
  }
  Result<Recorded> recorded = RecordedFromRow(changed->front(), 0, outcome);
  if (!recorded.ok()) return recorded.status();
  const SqlValue event[] = {outcome.mail_id, ToUnixMillis(outcome.at),
                            std::string(MailStatusName(outcome.status)), outcome.reply};
  CAMPAIGND_RETURN_IF_ERROR(
      db.Execute("INSERT INTO mail_events (mail_id, at, status, reply) VALUES ($1, $2, $3, $4)",
                 event, "record mail event")
          .status());
  if (outcome.hard_bounce) {
    CAMPAIGND_RETURN_IF_ERROR(records::AddHardBounce(db, outcome.mail_id));
  }
  return recorded;
}

}  // namespace

const std::string& DueMailsSql(bool retries) {
  static constexpr std::string_view kNotExcluded =
      "client_id NOT IN (SELECT value FROM json_each($3))";
  static const std::string kFresh = DueMailsQuery(MailColumns(), false, kNotExcluded, "$2");
  static const std::string kRetry = DueMailsQuery(MailColumns(), true, kNotExcluded, "$2");
  return retries ? kRetry : kFresh;
}

SqliteQueue::SqliteQueue(SqliteRunner& runner, Writer& writer) : SqlQueue(runner), writer_(writer) {
  writer_.SetBatchEnd(
      [this](Database& db) -> Status {
        std::vector<events::CountsAt> counts;
        counts.swap(enqueued_);
        if (counts.empty()) return Status::Ok();
        return events::AppendAll(*SessionOn(db), {}, counts);
      },
      [this] { enqueued_.clear(); });
}

SqliteQueue::~SqliteQueue() { writer_.SetBatchEnd(nullptr, nullptr); }

bool SqliteQueue::EnqueueAsync(const NewMail& mail, EnqueueDone done) {
  Result<std::string> fields = FieldsToJson(mail.fields);
  if (!fields.ok()) {
    done(fields.status());
    return true;
  }
  // The unit and its completion run one after the other on the writer
  // thread: `id` needs no lock.
  auto id = std::make_shared<int64_t>(0);
  static_cast<SqliteRunner&>(runner_).WriteAsync(
      [this, mail, fields = std::move(*fields), id](SqlSession& session) mutable -> Status {
        Result<int64_t> inserted = records::InsertMail(session, mail, std::move(fields));
        if (!inserted.ok()) return inserted.status();
        *id = *inserted;
        // Counted at the batch's end (the constructor's SetBatchEnd).
        events::CountsAt& count = enqueued_.emplace_back(
            events::CountsAt{mail.client_id, mail.mailing_id, mail.created_at});
        count.counts[events::kEnqueued] = 1;
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
    const std::string excluded = nlohmann::json(req.exclude_clients).dump();  // [1,2]
    for (bool retries : {false, true}) {  // never-attempted mails first
      CAMPAIGND_RETURN_IF_ERROR(
          SelectDue(db, retries, retries ? req.max_retry : req.max_fresh, now, excluded, claimed));
    }
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

void SqliteQueue::Record(std::span<const Outcome> outcomes, std::span<const std::size_t> valid,
                         std::vector<Status>& results) {
  // One unit: the batch and its events commit with whatever else the
  // writer groups with it.
  Status unit = runner_.Write([&](SqlSession& db) -> Status {
    std::vector<Recorded> recorded;
    recorded.reserve(valid.size());
    for (std::size_t i : valid) {
      Result<Recorded> r = RecordOne(db, outcomes[i]);
      if (r.ok()) {
        recorded.push_back(std::move(*r));
      } else if (r.status().IsNotFound()) {
        results[i] = r.status();
      } else {
        return r.status();
      }
    }
    return AppendOutcomeEvents(db, recorded);
  });
  if (!unit.ok()) {
    for (std::size_t i : valid) results[i] = unit;
  }
}

Status SqliteQueue::ReleaseAllClaims() {
  return runner_
      .Execute("UPDATE mails SET lease_owner = NULL, lease_until = NULL "
               "WHERE lease_owner IS NOT NULL",
               {}, "release all claims")
      .status();
}

}  // namespace campaignd::store::sqlite
