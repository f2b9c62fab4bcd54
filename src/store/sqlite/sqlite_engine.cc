#include "store/sqlite/sqlite_engine.h"

#include <chrono>
#include <filesystem>

#include "store/sql/migrator.h"

namespace campaignd::store::sqlite {
namespace {

// Absolute: read connections are opened later, maybe after a chdir.
Result<std::string> AbsolutePath(std::string_view path) {
  if (path.empty()) return Status::InvalidArgument("sqlite: database path is empty");
  std::error_code error;
  std::string file = std::filesystem::absolute(std::filesystem::path(path), error).string();
  if (error) return Status::InvalidArgument("sqlite: bad database path: " + error.message());
  return file;
}

}  // namespace

Status ApplyMigrations(Database& db, std::span<const Migration> migrations, TimePoint now,
                       std::vector<Migration>* applied) {
  std::unique_ptr<SqlSession> session = SessionOn(db);
  const auto exec = [&db](std::string_view sql, std::string_view purpose) {
    return db.Exec(sql, purpose);
  };
  return store::ApplyMigrations({db.path(), *session, exec, "BEGIN IMMEDIATE"}, migrations, now,
                                applied);
}

Result<std::vector<Migration>> SqliteEngine::Migrate(std::string_view path) {
  if (path == kMemoryPath) {
    return Status::InvalidArgument("sqlite::memory: is a fresh database every time");
  }
  std::vector<Migration> applied;
  Result<std::unique_ptr<SqliteEngine>> engine = Open(path, EngineOptions{}, &applied);
  if (!engine.ok()) return engine.status();
  return applied;
}

Result<std::unique_ptr<SqliteEngine>> SqliteEngine::Open(std::string_view path,
                                                         const EngineOptions& options,
                                                         std::vector<Migration>* applied) {
  const bool memory = path == kMemoryPath;
  TempDir temp_dir;
  Result<std::string> absolute = AbsolutePath(path);
  if (!absolute.ok()) return absolute.status();
  std::string file = std::move(*absolute);
  if (memory) {
    Result<TempDir> made = TempDir::Create("campaignd-memory");
    if (!made.ok()) return made.status();
    temp_dir = std::move(*made);
    file = temp_dir.File("campaignd.sqlite");
  }
  if (options.private_files && !memory) CAMPAIGND_RETURN_IF_ERROR(CheckPrivateFiles(file));
  std::optional<ServeLock> lock;
  if (options.exclusive_worker && !memory) {
    Result<ServeLock> acquired = ServeLock::Acquire(file);
    if (!acquired.ok()) return acquired.status();
    lock.emplace(std::move(*acquired));
  }
  DatabaseOptions db_options;
  db_options.durable = !memory;
  Result<std::unique_ptr<Database>> db = Database::Open(file, db_options);
  if (!db.ok()) return db.status();
  CAMPAIGND_RETURN_IF_ERROR(
      ApplyMigrations(**db, SqliteMigrations(), std::chrono::system_clock::now(), applied));
  auto writer = std::make_unique<Writer>(std::move(*db));
  return std::unique_ptr<SqliteEngine>(new SqliteEngine(
      std::move(file), std::move(temp_dir), std::move(lock), std::move(writer), !memory));
}

SqliteEngine::SqliteEngine(std::string path, TempDir temp_dir, std::optional<ServeLock> lock,
                           std::unique_ptr<Writer> writer, bool durable)
    : path_(std::move(path)),
      temp_dir_(std::move(temp_dir)),
      lock_(std::move(lock)),
      writer_(std::move(writer)),
      readers_(path_, DatabaseOptions{.durable = durable, .read_only = true},
               kReadConnections),
      runner_(*writer_, readers_),
      queue_(runner_, *writer_) {
  BuildParts(runner_);
}

SqliteEngine::~SqliteEngine() { Close(); }

const CopySequences& SqliteEngine::copy_sequences() {
  static const CopySequences kSequences = {
      "SELECT coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'mails'), 0)",
      {"UPDATE sqlite_sequence SET seq = max(seq, $1) WHERE name = 'mails'",
       "INSERT INTO sqlite_sequence (name, seq) SELECT 'mails', $1 WHERE $1 > 0 "
       "AND NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'mails')"}};
  return kSequences;
}

void SqliteEngine::Close() {
  std::call_once(close_once_, [this] {
    writer_->Close();
    readers_.Close();
    temp_dir_ = TempDir();  // removes the temporary database
    lock_.reset();
  });
}

}  // namespace campaignd::store::sqlite
