#include "store/store_testutil.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <random>

#include "store/migration.h"
#include "store/postgres/connection.h"
#include "store/postgres/pg_engine.h"
#include "store/postgres/pg_url.h"
#include "store/sqlite/database.h"

namespace campaignd::store {
namespace {

using postgres::Connection;
using postgres::PgResult;

// Serialises template building across test processes ("tmpl" in ASCII).
constexpr int64_t kTemplateLockKey = 0x746d706c;

// FNV-1a over every PostgreSQL migration: a new migration, a new template.
std::string MigrationsHash() {
  uint64_t hash = 1469598103934665603ull;
  for (const Migration& m : PostgresMigrations()) {
    for (char c : m.sql) hash = (hash ^ static_cast<unsigned char>(c)) * 1099511628211ull;
  }
  char text[17];
  std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(hash));
  return text;
}

std::string RandomSuffix() {
  std::random_device random;
  char text[32];
  std::snprintf(text, sizeof text, "%d_%08x", static_cast<int>(::getpid()), random());
  return text;
}

Result<std::unique_ptr<Connection>> Connect(const std::string& url) {
  return Connection::Open(url, postgres::kConnectTimeout);
}

// Creates (once per server and schema) the migrated template; its name.
Result<std::string> EnsureTemplate(Connection& admin, const std::string& server_url) {
  const std::string name = "campaignd_template_" + MigrationsHash();
  const std::string key = std::to_string(kTemplateLockKey);
  CAMPAIGND_RETURN_IF_ERROR(admin.Exec("SELECT pg_advisory_lock(" + key + ")", "lock template"));
  Result<PgResult> exists =
      admin.Query("SELECT count(*) FROM pg_database WHERE datname = $1", {name}, "find template");
  Status status = exists.status();
  if (status.ok() && exists->Int(0, 0) == 0) {
    status = admin.Exec("CREATE DATABASE " + name + " TEMPLATE template0", "create template");
    // A template left half-built by a killed test is completed here, or by
    // the next engine that opens a copy of it (migrations are idempotent).
    if (status.ok()) {
      Result<std::string> url = WithDatabase(server_url, name);
      status = url.ok() ? postgres::PgEngine::Migrate(*url).status() : url.status();
    }
  }
  admin.Exec("SELECT pg_advisory_unlock(" + key + ")", "unlock template");
  if (!status.ok()) return status;
  return name;
}

std::string ReadUrlFile(const char* path) {
  std::ifstream in(path);
  std::string url;
  std::getline(in, url);
  return url;
}

}  // namespace

Result<std::string> WithDatabase(std::string_view url, std::string_view dbname) {
  if (!postgres::IsPostgresUrl(url)) {
    return Status::InvalidArgument("not a postgresql:// URL: " + postgres::RedactUrl(url));
  }
  const std::size_t authority = url.find("://") + 3;
  const std::size_t query = std::min(url.find('?', authority), url.size());
  const std::size_t path = std::min(url.find('/', authority), query);
  return std::string(url.substr(0, path)) + "/" + std::string(dbname) +
         std::string(url.substr(query));
}

std::optional<std::string> TestServerUrl() {
  const char* url = std::getenv("CAMPAIGND_TEST_DATABASE");
  if (url != nullptr && *url != '\0') return std::string(url);
  const char* file = std::getenv("CAMPAIGND_TEST_DATABASE_FILE");
  if (file != nullptr && *file != '\0') return ReadUrlFile(file);
  return std::nullopt;
}

Result<std::unique_ptr<TestDatabase>> TestDatabase::Create(Schema schema) {
  std::unique_ptr<TestDatabase> db(new TestDatabase());
  std::optional<std::string> server = TestServerUrl();
  if (!server) {
    Result<TempDir> dir = TempDir::Create("campaignd-test");
    if (!dir.ok()) return dir.status();
    db->dir_ = std::move(*dir);
    db->url_ = "sqlite:" + db->dir_.File("test.db");
    return db;
  }
  if (!postgres::IsPostgresUrl(*server)) {
    return Status::InvalidArgument("test database URL is not postgresql://: " +
                                   postgres::RedactUrl(*server));
  }
  Result<std::unique_ptr<Connection>> admin = Connect(*server);
  if (!admin.ok()) return admin.status();
  std::string from = "template0";
  if (schema == Schema::kMigrated) {
    Result<std::string> made = EnsureTemplate(**admin, *server);
    if (!made.ok()) return made.status();
    from = *made;
  }
  db->name_ = "campaignd_test_" + RandomSuffix();
  CAMPAIGND_RETURN_IF_ERROR((*admin)->Exec(
      "CREATE DATABASE " + db->name_ + " TEMPLATE " + from + " STRATEGY = FILE_COPY",
      "create test database"));
  db->server_url_ = *server;
  Result<std::string> url = WithDatabase(*server, db->name_);
  if (!url.ok()) return url.status();
  db->url_ = *url;
  return db;
}

std::unique_ptr<TestDatabase> TestDatabase::CreateOrDie(Schema schema) {
  Result<std::unique_ptr<TestDatabase>> db = Create(schema);
  if (!db.ok()) {
    std::fprintf(stderr, "TestDatabase: %s\n", db.status().ToString().c_str());
    std::abort();
  }
  return std::move(*db);
}

TestDatabase::~TestDatabase() {
  if (!postgres()) return;  // dir_ removes itself
  Result<std::unique_ptr<Connection>> admin = Connect(server_url_);
  if (!admin.ok()) return;
  (*admin)->Exec("DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)", "drop test database");
}

Status TestDatabase::Exec(std::string_view sql) {
  if (!postgres()) {
    Result<std::unique_ptr<sqlite::Database>> db =
        sqlite::Database::Open(dir_.File("test.db"), {});
    if (!db.ok()) return db.status();
    return (*db)->Exec(sql, "test SQL");
  }
  Result<std::unique_ptr<Connection>> conn = Connect(url_);
  if (!conn.ok()) return conn.status();
  return (*conn)->Exec(sql, "test SQL");
}

Result<int64_t> TestDatabase::QueryInt(std::string_view sql) {
  if (!postgres()) {
    Result<std::unique_ptr<sqlite::Database>> db =
        sqlite::Database::Open(dir_.File("test.db"), {.read_only = true});
    if (!db.ok()) return db.status();
    Result<sqlite::Statement> query = (*db)->Prepare(sql, "test query");
    if (!query.ok()) return query.status();
    Result<bool> row = query->Step();
    if (!row.ok()) return row.status();
    if (!*row) return Status::NotFound("test query returned no row");
    return query->ColumnInt(0);
  }
  Result<std::unique_ptr<Connection>> conn = Connect(url_);
  if (!conn.ok()) return conn.status();
  Result<PgResult> rows = (*conn)->Query(sql, {}, "test query");
  if (!rows.ok()) return rows.status();
  if (rows->rows() == 0) return Status::NotFound("test query returned no row");
  return rows->Int(0, 0);
}

}  // namespace campaignd::store
