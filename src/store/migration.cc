#include "store/migration.h"

namespace campaignd::store {

Status CheckRecordedMigration(std::string_view database, std::span<const Migration> migrations,
                              int64_t version, const std::string& name) {
  const int latest = migrations.empty() ? 0 : migrations.back().version;
  const std::string recorded = "database " + std::string(database) + " has schema version " +
                               std::to_string(version) + " ('" + name + "')";
  if (version > latest) {
    return Status::InvalidArgument(recorded + ", newer than this campaignd knows (up to " +
                                   std::to_string(latest) + "); run a newer campaignd");
  }
  for (const Migration& m : migrations) {
    if (m.version != version) continue;
    if (m.name == name) return Status::Ok();
    return Status::InvalidArgument(recorded + " but this campaignd calls migration " +
                                   std::to_string(version) + " '" + std::string(m.name) + "'");
  }
  return Status::InvalidArgument(recorded + ", which this campaignd does not know");
}

}  // namespace campaignd::store
