// Engine's engine-neutral parts; OpenEngine, MigrateDatabase and
// OpenCopyEndpoint: pick the engine by the URL's scheme (each engine's own
// Open parses the rest of its URL).
#include <string>

#include "store/copy.h"
#include "store/postgres/pg_engine.h"
#include "store/postgres/pg_url.h"
#include "store/sql/attachments.h"
#include "store/sql/directory.h"
#include "store/sql/recipients.h"
#include "store/sqlite/sqlite_engine.h"
#include "store/store.h"

namespace campaignd::store {
namespace {

constexpr std::string_view kSqlite = "sqlite:";

// InvalidArgument for a URL no engine takes; OK otherwise.
Status CheckScheme(std::string_view url) {
  if (url.starts_with("sqlite://")) {
    return Status::InvalidArgument("store URL '" + std::string(url) +
                                   "': write sqlite:PATH (no //), e.g. sqlite:data/campaignd.db");
  }
  if (url.starts_with(kSqlite) || postgres::IsPostgresUrl(url)) return Status::Ok();
  return Status::InvalidArgument("unknown store URL '" + postgres::RedactUrl(url) +
                                 "': expected sqlite:PATH, sqlite::memory: or "
                                 "postgresql://user@host:port/dbname");
}

}  // namespace

struct Engine::Parts {
  explicit Parts(SqlRunner& r)
      : runner(r), directory(r), provisioner(r), attachments(r), mailing_lookup(r), recipients(r) {}
  SqlRunner& runner;
  SqlDirectory directory;
  Provisioner provisioner;
  SqlAttachments attachments;
  MailingLookup mailing_lookup;
  SqlRecipients recipients;
};

Engine::Engine() = default;
Engine::~Engine() = default;
void Engine::BuildParts(SqlRunner& runner) { parts_ = std::make_unique<Parts>(runner); }
Directory& Engine::directory() { return parts_->directory; }
Provisioner& Engine::provisioner() { return parts_->provisioner; }
Attachments& Engine::attachments() { return parts_->attachments; }
MailingLookup& Engine::mailing_lookup() { return parts_->mailing_lookup; }
Recipients& Engine::recipients() { return parts_->recipients; }
SqlRunner& Engine::runner() { return parts_->runner; }

Result<std::unique_ptr<Engine>> OpenEngine(std::string_view url, const EngineOptions& options) {
  CAMPAIGND_RETURN_IF_ERROR(CheckScheme(url));
  if (url.starts_with(kSqlite)) {
    Result<std::unique_ptr<sqlite::SqliteEngine>> engine =
        sqlite::SqliteEngine::Open(url.substr(kSqlite.size()), options);
    if (!engine.ok()) return engine.status();
    return std::unique_ptr<Engine>(std::move(*engine));
  }
  Result<std::unique_ptr<postgres::PgEngine>> engine = postgres::PgEngine::Open(url, options);
  if (!engine.ok()) return engine.status();
  return std::unique_ptr<Engine>(std::move(*engine));
}

std::string RedactUrl(std::string_view url) { return postgres::RedactUrl(url); }

Result<std::vector<Migration>> MigrateDatabase(std::string_view url) {
  CAMPAIGND_RETURN_IF_ERROR(CheckScheme(url));
  if (url.starts_with(kSqlite)) return sqlite::SqliteEngine::Migrate(url.substr(kSqlite.size()));
  return postgres::PgEngine::Migrate(url);
}

Result<CopyEndpoint> OpenCopyEndpoint(std::string_view url) {
  Result<std::unique_ptr<Engine>> engine = OpenEngine(url, EngineOptions{});
  if (!engine.ok()) return engine.status();
  const CopySequences& sequences = url.starts_with(kSqlite)
                                       ? sqlite::SqliteEngine::copy_sequences()
                                       : postgres::PgEngine::copy_sequences();
  return CopyEndpoint{std::move(*engine), &sequences};
}

}  // namespace campaignd::store
