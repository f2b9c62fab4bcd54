#include "store/sqlite/writer.h"

#include <exception>
#include <future>
#include <memory>

namespace campaignd::store::sqlite {
namespace {

// One of the writer's fixed statements, prepared once (the connection's
// statement cache) instead of parsed again for every batch and unit.
Status RunCached(Database& db, std::string_view sql, std::string_view purpose) {
  Result<Statement> statement = db.Prepare(sql, purpose);
  if (!statement.ok()) return statement.status();
  return statement->Run();
}

}  // namespace

Writer::Writer(std::unique_ptr<Database> db)
    : db_(std::move(db)),
      queue_([this](std::span<Unit*> batch) { RunBatch(batch); },
             [](Unit& unit) { unit.on_done(unit.status); }) {}

Writer::~Writer() { Close(); }

Status Writer::Submit(const Work& work) {
  // Shared: the writer thread may still be inside set_value when get()
  // returns here.
  auto done = std::make_shared<std::promise<Status>>();
  std::future<Status> status = done->get_future();
  SubmitAsync(work, [done](const Status& s) { done->set_value(s); });
  return status.get();
}

void Writer::SubmitAsync(Work work, Done done) {
  auto unit = std::make_unique<Unit>(Unit{std::move(work), std::move(done)});
  unit = queue_.Queue(std::move(unit));
  if (unit) unit->on_done(Status::Unavailable("store is closed"));
}

void Writer::Close() {
  queue_.Close();
  db_.reset();
}

WriterStats Writer::stats() const {
  std::lock_guard lock(mu_);
  WriterStats stats = stats_;
  stats.pending = queue_.pending();
  return stats;
}

void Writer::SetBatchEnd(Work end, std::function<void()> discard) {
  std::shared_ptr<const BatchEnd> hooks;
  if (end) hooks = std::make_shared<const BatchEnd>(BatchEnd{std::move(end), std::move(discard)});
  std::lock_guard lock(mu_);
  batch_end_ = std::move(hooks);
}

void Writer::RunBatch(std::span<Unit*> batch) {
  std::shared_ptr<const BatchEnd> hooks;
  {
    std::lock_guard lock(mu_);
    hooks = batch_end_;
  }
  Status begin = RunCached(*db_, "BEGIN IMMEDIATE", "begin write transaction");
  if (!begin.ok()) return FailAll(batch, begin);
  for (Unit* unit : batch) {
    unit->status = RunUnit(*unit);
    if (!db_->InTransaction()) {
      // SQLite rolled the whole transaction back (disk full, I/O error):
      // the units before this one are lost too.
      if (hooks && hooks->discard) hooks->discard();
      return FailAll(batch, unit->status);
    }
  }
  if (hooks) {
    Status end;
    try {
      end = hooks->end(*db_);
    } catch (const std::exception& e) {
      end = Status::Internal(std::string("write failed: ") + e.what());
    }
    if (!end.ok()) {
      if (db_->InTransaction()) db_->Exec("ROLLBACK", "roll back failed batch");
      return FailAll(batch, end);
    }
  }
  Status commit = RunCached(*db_, "COMMIT", "commit write transaction");
  if (!commit.ok()) {
    if (db_->InTransaction()) db_->Exec("ROLLBACK", "roll back failed commit");
    return FailAll(batch, commit);
  }
  std::lock_guard lock(mu_);
  stats_.units += batch.size();
  ++stats_.transactions;
}

Status Writer::RunUnit(Unit& unit) {
  CAMPAIGND_RETURN_IF_ERROR(RunCached(*db_, "SAVEPOINT unit", "begin unit savepoint"));
  Status status;
  try {
    status = unit.work(*db_);
  } catch (const std::exception& e) {  // e.g. std::bad_alloc: keep the message
    status = Status::Internal(std::string("write failed: ") + e.what());
  }
  if (!db_->InTransaction()) return status;
  Status undone = status.ok() ? Status::Ok() : db_->Exec("ROLLBACK TO unit", "roll back unit");
  Status released =
      undone.ok() ? RunCached(*db_, "RELEASE unit", "release unit savepoint") : undone;
  if (!released.ok()) {
    // The savepoint is in an unknown state: give up the whole batch rather
    // than commit a half-undone unit (RunBatch sees the ended transaction).
    db_->Exec("ROLLBACK", "abandon write transaction");
    return released;
  }
  return status;
}

void Writer::FailAll(std::span<Unit*> batch, const Status& cause) {
  Status failed = Status::Unavailable("write not committed: " + cause.message());
  for (Unit* unit : batch) unit->status = failed;
  std::lock_guard lock(mu_);
  stats_.units += batch.size();
  ++stats_.failed_batches;
}

}  // namespace campaignd::store::sqlite
