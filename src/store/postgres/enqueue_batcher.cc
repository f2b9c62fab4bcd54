#include "store/postgres/enqueue_batcher.h"

#include <memory>
#include <string_view>

#include "store/sql/events.h"

namespace campaignd::store::postgres {
namespace {

// Ids come from the mails sequence in submission order (`ord`); the events
// reference the new rows (foreign keys are checked at the statement's end).
// `counted` is events::AddCounts' UPSERT of `enqueued` (events.h, decision
// 0022) written a second time, here: summed per (client, mailing, hour) in
// key order, inside this one statement. As a transaction around the
// statement and events::AppendAll (BEGIN, INSERT, UPSERT, COMMIT: three more
// round trips a batch) bench/compare's PostgreSQL accept fell from 5,259 and
// 6,446 to 3,647 and 3,768 req/s (2026-12-07, loaded machine).
// ", enqueued, sent, ...": every counter column of stats_hourly
// (events::kCounterColumns, so a new counter cannot be left out).
std::string CounterColumns() {
  std::string columns;
  for (std::string_view c : events::kCounterColumns) columns += ", " + std::string(c);
  return columns;
}

// ", count(*), 0, 0, ...": `enqueued` counted, every other counter 0.
std::string CounterValues() {
  std::string values;
  for (int i = 0; i < events::kCounterCount; ++i) {
    values += i == events::kEnqueued ? ", count(*)" : ", 0";
  }
  return values;
}

const std::string& InsertSql() {
  static const std::string kSql =
      "WITH input AS ("
      "  SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::text[], $5::text[],"
      "                       $6::bigint[]) WITH ORDINALITY"
      "    AS t(client_id, list_id, mailing_id, recipient_id, fields, created_at, ord)"
      "), new AS MATERIALIZED ("
      "  SELECT nextval(pg_get_serial_sequence('mails', 'id')) AS id, input.* FROM input"
      "  ORDER BY ord"
      "), mails_added AS ("
      "  INSERT INTO mails (id, client_id, list_id, mailing_id, recipient_id, fields, status,"
      "                     created_at, updated_at, next_attempt_at)"
      "  SELECT id, client_id, list_id, mailing_id, recipient_id, fields::json, 'enqueued',"
      "         created_at, created_at, created_at FROM new"
      "), events_added AS ("
      "  INSERT INTO mail_events (mail_id, at, status, reply)"
      "  SELECT id, created_at, 'enqueued', '' FROM new"
      "), counted AS ("
      "  INSERT INTO stats_hourly (client_id, mailing_id, hour" +
      CounterColumns() +
      ")"
      "  SELECT client_id, mailing_id, floor(created_at::numeric / 3600000)::bigint" +
      CounterValues() +
      "  FROM input GROUP BY 1, 2, 3 ORDER BY 1, 2, 3"
      "  ON CONFLICT (client_id, mailing_id, hour)"
      "  DO UPDATE SET enqueued = stats_hourly.enqueued + excluded.enqueued"
      ") "
      "SELECT id, ord, pg_notify('" +
      std::string(kMailChannel) + "', '') FROM new";
  return kSql;
}

}  // namespace

EnqueueBatcher::EnqueueBatcher(Pool& pool)
    : pool_(pool),
      queue_([this](std::span<Unit*> batch) { RunBatch(batch); },
             [](Unit& unit) { unit.on_done(std::move(unit.result)); }) {}

EnqueueBatcher::~EnqueueBatcher() { Close(); }

void EnqueueBatcher::EnqueueAsync(NewMail mail, std::string fields_json, Done done) {
  auto unit =
      std::make_unique<Unit>(Unit{std::move(mail), std::move(fields_json), std::move(done)});
  unit = queue_.Queue(std::move(unit));
  if (unit) unit->on_done(Status::Unavailable("store is closed"));
}

void EnqueueBatcher::Close() { queue_.Close(); }

BatcherStats EnqueueBatcher::stats() const {
  std::lock_guard lock(mu_);
  return stats_;
}

void EnqueueBatcher::RunBatch(std::span<Unit*> batch) {
  {
    std::lock_guard lock(mu_);
    stats_.units += batch.size();
  }
  auto fail_all = [&](const Status& status) {
    for (Unit* unit : batch) unit->result = status;
    std::lock_guard lock(mu_);
    ++stats_.failed_batches;
  };
  Result<Pool::Lease> conn = pool_.Checkout();
  if (!conn.ok()) return fail_all(conn.status().WithContext("enqueue mail"));
  Status status = Insert(**conn, batch);
  if (status.ok() || batch.size() == 1 || !status.IsInvalidArgument()) {
    if (!status.ok()) fail_all(status);
    return;
  }
  // Someone's mail was refused: find out whose, one statement per mail.
  for (std::size_t i = 0; i < batch.size(); ++i) {
    Status one = Insert(**conn, batch.subspan(i, 1));
    if (!one.ok()) batch[i]->result = one;
  }
}

Status EnqueueBatcher::Insert(Connection& conn, std::span<Unit*> units) {
  std::vector<int64_t> clients, lists, mailings, created;
  std::vector<std::string> recipients, fields;
  for (const Unit* unit : units) {
    clients.push_back(unit->mail.client_id);
    lists.push_back(unit->mail.list_id);
    mailings.push_back(unit->mail.mailing_id);
    recipients.push_back(unit->mail.recipient_id);
    fields.push_back(unit->fields);
    created.push_back(ToUnixMillis(unit->mail.created_at));
  }
  const SqlValue params[] = {IntArray(clients),     IntArray(lists),   IntArray(mailings),
                             TextArray(recipients), TextArray(fields), IntArray(created)};
  Result<PgResult> rows = conn.Query(InsertSql(), params, "enqueue mail");
  if (!rows.ok()) return rows.status();
  if (rows->rows() != static_cast<int>(units.size())) {
    return Status::Internal("enqueue mail: " + std::to_string(rows->rows()) + " ids for " +
                            std::to_string(units.size()) + " mails");
  }
  for (int i = 0; i < rows->rows(); ++i) {
    const int64_t ord = rows->Int(i, 1);  // 1-based position in `units`
    units[static_cast<std::size_t>(ord - 1)]->result = rows->Int(i, 0);
  }
  std::lock_guard lock(mu_);
  ++stats_.statements;
  return Status::Ok();
}

}  // namespace campaignd::store::postgres
