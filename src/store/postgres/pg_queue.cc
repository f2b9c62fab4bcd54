#include "store/postgres/pg_queue.h"

#include <algorithm>

#include "store/json_text.h"

namespace campaignd::store::postgres {
namespace {

// $1 now, $2 max fresh, $3 max retry, $4 worker, $5 lease end, $6 the
// excluded client IDs ('{1,2}'). The order is SQLite's (due time,
// never-attempted first, id). The status is left as it is (store.h).
const std::string& ClaimSql() {
  static constexpr std::string_view kNotExcluded = "NOT (client_id = ANY($6::bigint[]))";
  static const std::string kSql =
      "WITH fresh AS (" + DueMailsQuery("id", false, kNotExcluded, "$2") +
      " FOR UPDATE SKIP LOCKED), retry AS (" + DueMailsQuery("id", true, kNotExcluded, "$3") +
      " FOR UPDATE SKIP LOCKED), due AS (SELECT * FROM fresh UNION ALL SELECT * FROM retry),"
      " claimed AS (UPDATE mails m SET lease_owner = $4, lease_until = $5 FROM due"
      " WHERE m.id = due.id RETURNING " +
      MailColumns("m.") + ") SELECT " + MailColumns() +
      " FROM claimed ORDER BY next_attempt_at, attempts > 0, id";
  return kSql;
}

// One row per outcome: $1 mail, $2 worker, $3 status, $4 reply, $5
// attempt (0/1), $6 retry at (used for status 'sending' only), $7 at, $8
// hard bounce (0/1), $9 attempt start; `ord` is the outcome's place in the
// batch. `old` is the row before the update (the join reads the
// statement's snapshot); a first attempt of a mail still `enqueued` adds
// its `sending` row first (one INSERT, rows in (ord, kind) order, so the
// history's ids keep that order). A mail whose lease went elsewhere
// matches nothing and writes nothing; the SELECT names the mails updated.
// The SELECT names each outcome written (its `ord`) with the mail's
// RecordedColumns() for its event.
// Hard bounces are summed per address first (one batch may hold two for
// the same recipient; ON CONFLICT may touch a row once per statement), the
// addresses counted lower-case (ASCII only, as SQLite's lower()).
constexpr std::string_view kRecordSql =
    "WITH input AS ("
    "  SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::integer[],"
    "                       $6::bigint[], $7::bigint[], $8::integer[], $9::bigint[])"
    "    WITH ORDINALITY AS i(mail_id, worker, status, reply, attempted, retry_at, at,"
    "                         hard_bounce, started_at, ord)"
    "), updated AS ("
    "  UPDATE mails m SET status = i.status, last_reply = i.reply,"
    "    attempts = m.attempts + i.attempted,"
    "    next_attempt_at = CASE WHEN i.status = 'sending' THEN i.retry_at"
    "                           ELSE m.next_attempt_at END,"
    "    updated_at = i.at, lease_owner = NULL, lease_until = NULL"
    "  FROM input i, mails old"
    "  WHERE m.id = i.mail_id AND m.lease_owner = i.worker AND old.id = m.id"
    "  RETURNING m.id, m.client_id, m.list_id, m.mailing_id, m.recipient_id,"
    "            old.status AS old_status, i.status, i.reply, i.attempted, i.at, i.hard_bounce,"
    "            i.started_at, i.ord"
    "), event AS ("
    "  INSERT INTO mail_events (mail_id, at, status, reply)"
    "  SELECT u.id, v.at, v.status, v.reply FROM updated u"
    "  CROSS JOIN LATERAL (VALUES (1, u.started_at, 'sending'::text, ''::text),"
    "                             (2, u.at, u.status, u.reply)) AS v(kind, at, status, reply)"
    "  WHERE v.kind = 2 OR (u.old_status = 'enqueued' AND u.attempted = 1)"
    "  ORDER BY u.ord, v.kind"
    "), bounce AS ("
    "  INSERT INTO bounces (client_id, address, hard_bounces)"
    "  SELECT client_id, translate(recipient_id, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ',"
    "                              'abcdefghijklmnopqrstuvwxyz') AS address, count(*)"
    "  FROM updated WHERE hard_bounce = 1 GROUP BY 1, 2"
    "  ON CONFLICT (client_id, address)"
    "  DO UPDATE SET hard_bounces = bounces.hard_bounces + EXCLUDED.hard_bounces"
    ") "
    "SELECT ord, client_id, list_id, mailing_id, recipient_id FROM updated";

}  // namespace

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
  const SqlValue params[] = {ToUnixMillis(req.now),
                             static_cast<int64_t>(req.max_fresh),
                             static_cast<int64_t>(req.max_retry),
                             req.worker,
                             ToUnixMillis(req.now + req.lease),
                             IntArray(req.exclude_clients)};
  return EachRow<Mail>(runner_.Query(ClaimSql(), params, 12, "claim mails"), MailFromRow);
}

void PgQueue::Record(std::span<const Outcome> outcomes, std::span<const std::size_t> valid,
                     std::vector<Status>& results) {
  std::vector<int64_t> ids, attempted, retry_at, at, hard_bounce, started_at;
  std::vector<std::string> workers, statuses, replies;
  for (std::size_t i : valid) {
    const Outcome& o = outcomes[i];
    ids.push_back(o.mail_id);
    workers.push_back(o.worker);
    statuses.emplace_back(MailStatusName(o.status));
    replies.push_back(o.reply);
    attempted.push_back(o.attempted ? 1 : 0);
    retry_at.push_back(ToUnixMillis(o.retry_at));
    at.push_back(ToUnixMillis(o.at));
    hard_bounce.push_back(o.hard_bounce ? 1 : 0);
    started_at.push_back(ToUnixMillis(o.attempt_started_at));
  }
  const SqlValue params[] = {IntArray(ids),      TextArray(workers),    TextArray(statuses),
                             TextArray(replies), IntArray(attempted),   IntArray(retry_at),
                             IntArray(at),       IntArray(hard_bounce), IntArray(started_at)};
  // One transaction: the outcomes' statement, then their events and
  // counters (events::AppendAll: a few multi-row statements per batch).
  std::vector<bool> written(valid.size(), false);
  Status status = runner_.Write([&](SqlSession& session) -> Status {
    std::fill(written.begin(), written.end(), false);
    Result<std::vector<SqlRow>> rows = session.Query(kRecordSql, params, 5, "record outcomes");
    if (!rows.ok()) return rows.status();
    std::vector<Recorded> recorded;
    recorded.reserve(rows->size());
    for (const SqlRow& row : *rows) {
      Result<int64_t> ord = CellInt(row, 0);  // 1-based place in `valid`
      if (!ord.ok()) return ord.status();
      if (*ord < 1 || static_cast<std::size_t>(*ord) > valid.size()) {
        return Status::Internal("record outcomes: no outcome " + std::to_string(*ord));
      }
      const std::size_t k = static_cast<std::size_t>(*ord - 1);
      Result<Recorded> r = RecordedFromRow(row, 1, outcomes[valid[k]]);
      if (!r.ok()) return r.status();
      written[k] = true;
      recorded.push_back(std::move(*r));
    }
    return AppendOutcomeEvents(session, recorded);
  });
  for (std::size_t k = 0; k < valid.size(); ++k) {
    const std::size_t i = valid[k];
    if (!status.ok()) {
      results[i] = status;
    } else if (!written[k]) {
      results[i] = LostClaim(outcomes[i]);
    }
  }
}

// Deliberately nothing (see the header); still fails once the engine is closed.
Status PgQueue::ReleaseAllClaims() { return pool_.Checkout().status(); }

}  // namespace campaignd::store::postgres
