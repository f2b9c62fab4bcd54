#include "store/sqlite/writer.h"

#include <algorithm>
#include <exception>

#include "core/limits.h"

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

Writer::Writer(std::unique_ptr<Database> db) : db_(std::move(db)), thread_([this] { Run(); }) {}

Writer::~Writer() { Close(); }

Status Writer::Submit(const Work& work) {
  Unit unit{&work, Status::Ok()};
  std::unique_lock lock(mu_);
  if (closing_) return Status::Unavailable("store is closed");
  pending_.push_back(&unit);
  work_cv_.notify_one();
  done_cv_.wait(lock, [&] { return unit.done; });
  return unit.status;
}

void Writer::SubmitAsync(Work work, Done done) {
  auto unit = std::make_unique<Unit>();
  unit->owned = std::move(work);
  unit->work = &unit->owned;
  unit->on_done = std::move(done);
  {
    std::lock_guard lock(mu_);
    if (!closing_) {
      pending_.push_back(unit.release());
      work_cv_.notify_one();
      return;
    }
  }
  unit->on_done(Status::Unavailable("store is closed"));
}

void Writer::Close() {
  std::call_once(close_once_, [this] {
    {
      std::lock_guard lock(mu_);
      closing_ = true;
    }
    work_cv_.notify_one();
    thread_.join();
    db_.reset();
  });
}

WriterStats Writer::stats() const {
  std::lock_guard lock(mu_);
  WriterStats stats = stats_;
  stats.pending = pending_.size();
  return stats;
}

void Writer::Run() {
  std::vector<Unit*> batch;
  std::vector<std::unique_ptr<Unit>> async;
  for (;;) {
    {
      std::unique_lock lock(mu_);
      work_cv_.wait(lock, [&] { return !pending_.empty() || closing_; });
      if (pending_.empty()) return;  // closing, and everything submitted is done
      std::size_t n = std::min(pending_.size(), limits::kMaxGroupCommit);
      batch.assign(pending_.begin(), pending_.begin() + n);
      pending_.erase(pending_.begin(), pending_.begin() + n);
    }
    RunBatch(batch);
    // A waiting unit belongs to its Submit(), which may return as soon as
    // `done` is set: the async ones are taken out before.
    async.clear();
    {
      std::lock_guard lock(mu_);
      for (Unit* unit : batch) {
        if (unit->on_done) {
          async.emplace_back(unit);
        } else {
          unit->done = true;
        }
      }
    }
    if (async.size() < batch.size()) done_cv_.notify_all();
    for (std::unique_ptr<Unit>& unit : async) unit->on_done(unit->status);
  }
}

void Writer::RunBatch(const std::vector<Unit*>& batch) {
  Status begin = RunCached(*db_, "BEGIN IMMEDIATE", "begin write transaction");
  if (!begin.ok()) return FailAll(batch, begin);
  for (Unit* unit : batch) {
    unit->status = RunUnit(*unit);
    if (!db_->InTransaction()) {
      // SQLite rolled the whole transaction back (disk full, I/O error):
      // the units before this one are lost too.
      return FailAll(batch, unit->status);
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
    status = (*unit.work)(*db_);
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

void Writer::FailAll(const std::vector<Unit*>& batch, const Status& cause) {
  Status failed = Status::Unavailable("write not committed: " + cause.message());
  for (Unit* unit : batch) unit->status = failed;
  std::lock_guard lock(mu_);
  stats_.units += batch.size();
  ++stats_.failed_batches;
}

}  // namespace campaignd::store::sqlite
