// OpenEngine: picks the engine by the URL's scheme. Engine-neutral: each
// engine's own Open parses the rest of its URL.
#include <string>

#include "store/sqlite/sqlite_engine.h"
#include "store/store.h"

namespace campaignd::store {

Result<std::unique_ptr<Engine>> OpenEngine(std::string_view url, const EngineOptions& options) {
  constexpr std::string_view kSqlite = "sqlite:";
  if (url.starts_with("sqlite://")) {
    return Status::InvalidArgument("store URL '" + std::string(url) +
                                   "': write sqlite:PATH (no //), e.g. sqlite:data/campaignd.db");
  }
  if (url.starts_with(kSqlite)) {
    Result<std::unique_ptr<sqlite::SqliteEngine>> engine =
        sqlite::SqliteEngine::Open(url.substr(kSqlite.size()), options);
    if (!engine.ok()) return engine.status();
    return std::unique_ptr<Engine>(std::move(*engine));
  }
  if (url.starts_with("postgresql://") || url.starts_with("postgres://")) {
    return Status::InvalidArgument("PostgreSQL engine not built");
  }
  return Status::InvalidArgument("unknown store URL '" + std::string(url) +
                                 "': expected sqlite:PATH, sqlite::memory: or postgresql://...");
}

}  // namespace campaignd::store
