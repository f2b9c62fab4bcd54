// OpenEngine: URL dispatch (both engines), and for SQLite: sqlite::memory:,
// the serve lock, reopening, schema checks and the errors of a database that
// cannot be used.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "store/sqlite/sqlite_testutil.h"
#include "store/store.h"

namespace campaignd::store {
namespace {

using sqlite::MakeTestDir;

std::unique_ptr<Engine> OpenOrFail(const std::string& url, EngineOptions options = {}) {
  Result<std::unique_ptr<Engine>> engine = OpenEngine(url, options);
  EXPECT_TRUE(engine.ok()) << url << ": " << engine.status().ToString();
  return engine.ok() ? std::move(*engine) : nullptr;
}

TEST(OpenEngineTest, UnknownSchemesAreInvalidArgument) {
  for (const char* url : {"mysql://x", "sqlite://data/x.db", "sqlite:", "", "/var/lib/campaignd.db",
                          "postgresql:x", "postgresq://h/db"}) {
    Result<std::unique_ptr<Engine>> engine = OpenEngine(url, {});
    ASSERT_FALSE(engine.ok()) << url;
    EXPECT_TRUE(engine.status().IsInvalidArgument()) << url << ": " << engine.status().ToString();
    EXPECT_TRUE(MigrateDatabase(url).status().IsInvalidArgument()) << url;
  }
  Status status = OpenEngine("redis://user:pw1@h/db", {}).status();
  EXPECT_EQ(status.message().find("pw1"), std::string::npos) << status.message();
}

TEST(OpenEngineTest, UnreachablePostgresIsUnavailableWithoutThePassword) {
  // Port 1 on the loopback: refused at once, no server needed.
  for (const char* url : {"postgresql://campaignd:s3cret%21x@127.0.0.1:1/campaignd",
                          "postgres://campaignd:s3cret%21x@127.0.0.1:1/campaignd"}) {
    Result<std::unique_ptr<Engine>> engine = OpenEngine(url, {});
    ASSERT_FALSE(engine.ok());
    EXPECT_TRUE(engine.status().IsUnavailable()) << engine.status().ToString();
    EXPECT_EQ(engine.status().message().find("s3cret"), std::string::npos)
        << engine.status().message();
    EXPECT_NE(engine.status().message().find("campaignd:***@127.0.0.1:1"), std::string::npos)
        << engine.status().message();
    EXPECT_TRUE(MigrateDatabase(url).status().IsUnavailable());
  }
}

TEST(SqliteOpenTest, SqlitePathIsRelativeToTheWorkingDirectory) {
  TempDir dir = MakeTestDir();
  const std::filesystem::path cwd = std::filesystem::current_path();
  std::filesystem::current_path(dir.path());
  std::unique_ptr<Engine> engine = OpenOrFail("sqlite:relative.db");
  std::filesystem::current_path(cwd);
  ASSERT_NE(engine, nullptr);
  EXPECT_TRUE(std::filesystem::exists(dir.File("relative.db")));
  ASSERT_TRUE(engine->provisioner().Apply({SampleClient(1)}).ok());
  EXPECT_TRUE(engine->directory().FindClient(1)->has_value());
}

TEST(SqliteOpenTest, MemoryDatabasesArePrivateAndVanishOnClose) {
  std::unique_ptr<Engine> a = OpenOrFail("sqlite::memory:");
  std::unique_ptr<Engine> b = OpenOrFail("sqlite::memory:");
  ASSERT_TRUE(a && b);
  ASSERT_TRUE(a->provisioner().Apply({SampleClient(1)}).ok());
  // Written by the writer connection, read through the read pool.
  EXPECT_TRUE(a->directory().FindClient(1)->has_value());
  EXPECT_FALSE(b->directory().FindClient(1)->has_value());
  Result<int64_t> id = a->queue().Enqueue({1, 10, 100, "a@example.com", {}, {}});
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  EXPECT_TRUE(a->queue().FindMail(1, *id)->has_value());

  const std::string file = static_cast<sqlite::SqliteEngine&>(*a).path();
  EXPECT_TRUE(std::filesystem::exists(file));
  a->Close();
  EXPECT_FALSE(std::filesystem::exists(std::filesystem::path(file).parent_path()));
}

TEST(SqliteOpenTest, ReopenKeepsDataAndSchema) {
  TempDir dir = MakeTestDir();
  const std::string url = "sqlite:" + dir.File("x.db");
  int64_t id = 0;
  {
    std::unique_ptr<Engine> engine = OpenOrFail(url);
    ASSERT_TRUE(engine->provisioner().Apply({SampleClient(1)}).ok());
    id = *engine->queue().Enqueue({1, 10, 100, "a@example.com", {}, {}});
  }
  std::unique_ptr<Engine> engine = OpenOrFail(url);
  ASSERT_NE(engine, nullptr);
  EXPECT_TRUE(engine->queue().FindMail(1, id)->has_value());
  EXPECT_EQ((*engine->directory().FindClient(1))->mail_id_secret, "secret-of-1");
}

TEST(SqliteOpenTest, CloseStopsWritesAndReads) {
  std::unique_ptr<Engine> engine = OpenOrFail("sqlite::memory:");
  ASSERT_TRUE(engine->provisioner().Apply({SampleClient(1)}).ok());
  engine->Close();
  engine->Close();  // idempotent
  Result<int64_t> id = engine->queue().Enqueue({1, 10, 100, "a@example.com", {}, {}});
  ASSERT_FALSE(id.ok());
  EXPECT_TRUE(id.status().IsUnavailable()) << id.status().ToString();
  EXPECT_TRUE(engine->provisioner().CodeNames(1).status().IsUnavailable());
  EXPECT_TRUE(engine->queue().ReleaseAllClaims().IsUnavailable());
}

TEST(SqliteOpenTest, ServeLockAllowsOneExclusiveWorker) {
  TempDir dir = MakeTestDir();
  const std::string path = dir.File("served.db");
  std::unique_ptr<Engine> first = OpenOrFail("sqlite:" + path, {.exclusive_worker = true});
  ASSERT_NE(first, nullptr);
  Result<std::unique_ptr<Engine>> second = OpenEngine("sqlite:" + path, {.exclusive_worker = true});
  ASSERT_FALSE(second.ok());
  EXPECT_TRUE(second.status().IsUnavailable());
  EXPECT_EQ(second.status().message(),
            "another campaignd serve uses " + path +
                " (the same file, perhaps under another name: a symlink or a hard link)");
  // An API-only process (no serve lock) may share the database.
  EXPECT_NE(OpenOrFail("sqlite:" + path), nullptr);
  first->Close();
  EXPECT_NE(OpenOrFail("sqlite:" + path, {.exclusive_worker = true}), nullptr);
}

// The lock is the file's, not its name's: no second deliverer through a
// symlink, a hard link or a path with ".." in it.
TEST(SqliteOpenTest, ServeLockHoldsThroughEveryNameOfTheFile) {
  TempDir dir = MakeTestDir();
  const std::string path = dir.File("served.db");
  std::unique_ptr<Engine> first = OpenOrFail("sqlite:" + path, {.exclusive_worker = true});
  ASSERT_NE(first, nullptr);
  std::filesystem::create_directory(dir.File("sub"));
  std::filesystem::create_symlink(path, dir.File("symlink.db"));
  std::filesystem::create_hard_link(path, dir.File("hardlink.db"));
  for (const std::string& name :
       {dir.File("symlink.db"), dir.File("hardlink.db"), dir.File("sub/../served.db")}) {
    Result<std::unique_ptr<Engine>> second =
        OpenEngine("sqlite:" + name, {.exclusive_worker = true});
    ASSERT_FALSE(second.ok()) << name;
    EXPECT_TRUE(second.status().IsUnavailable()) << second.status().ToString();
    EXPECT_EQ(second.status().message().rfind("another campaignd serve uses " + name, 0), 0u)
        << second.status().message();
  }
  first->Close();
  std::filesystem::remove(dir.File("hardlink.db"));
  EXPECT_NE(OpenOrFail("sqlite:" + dir.File("symlink.db"), {.exclusive_worker = true}), nullptr);
}

mode_t ModeOf(const std::string& path) {
  struct stat st {};
  EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
  return st.st_mode & 07777;
}

// Mail-ID secrets, DKIM keys and relay passwords: private whatever the umask.
TEST(SqliteOpenTest, NewDatabaseFilesAreCreatedPrivate) {
  TempDir dir = MakeTestDir();
  const mode_t old_umask = ::umask(022);
  for (bool serve : {false, true}) {
    const std::string path = dir.File(serve ? "served.db" : "cli.db");
    std::unique_ptr<Engine> engine = OpenOrFail("sqlite:" + path, {.exclusive_worker = serve});
    ASSERT_NE(engine, nullptr);
    ASSERT_TRUE(engine->provisioner().Apply({SampleClient(1)}).ok());
    for (const std::string& file : {path, path + "-wal", path + "-shm"}) {
      EXPECT_EQ(ModeOf(file), 0600u) << file;
    }
  }
  ::umask(old_umask);
}

TEST(SqliteOpenTest, PrivateFilesRefusesADatabaseOthersMayRead) {
  TempDir dir = MakeTestDir();
  const std::string path = dir.File("open.db");
  ASSERT_NE(OpenOrFail("sqlite:" + path), nullptr);
  ASSERT_EQ(::chmod(path.c_str(), 0644), 0);
  Result<std::unique_ptr<Engine>> refused = OpenEngine("sqlite:" + path, {.private_files = true});
  ASSERT_FALSE(refused.ok());
  EXPECT_TRUE(refused.status().IsInvalidArgument());
  EXPECT_EQ(refused.status().message(),
            "database file " + path +
                " (mode 0644) is readable or writable by other users, but the database holds "
                "mail-ID secrets, DKIM keys and relay passwords: run chmod o-rwx '" +
                path + "' (or set allow_insecure_permissions = true to start anyway)");
  // Without the check (other commands, or allow_insecure_permissions) it opens.
  EXPECT_NE(OpenOrFail("sqlite:" + path), nullptr);
  // Group access is the operator's choice; a world-writable -wal is not.
  ASSERT_EQ(::chmod(path.c_str(), 0640), 0);
  EXPECT_NE(OpenOrFail("sqlite:" + path, {.private_files = true}), nullptr);
  std::ofstream(path + "-wal").flush();
  ASSERT_EQ(::chmod((path + "-wal").c_str(), 0602), 0);
  Result<std::unique_ptr<Engine>> wal = OpenEngine("sqlite:" + path, {.private_files = true});
  ASSERT_FALSE(wal.ok());
  EXPECT_NE(wal.status().message().find(path + "-wal (mode 0602)"), std::string::npos)
      << wal.status().message();
}

TEST(SqliteOpenTest, DatabaseNewerThanBinaryIsRefused) {
  TempDir dir = MakeTestDir();
  const std::string path = dir.File("future.db");
  ASSERT_NE(OpenOrFail("sqlite:" + path), nullptr);
  {
    Result<std::unique_ptr<sqlite::Database>> db = sqlite::Database::Open(path, {});
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE((*db)->Exec("INSERT INTO schema_migrations VALUES (9999, 'future', 0)", "t").ok());
  }
  Result<std::unique_ptr<Engine>> engine = OpenEngine("sqlite:" + path, {});
  ASSERT_FALSE(engine.ok());
  EXPECT_TRUE(engine.status().IsInvalidArgument()) << engine.status().ToString();
  EXPECT_NE(engine.status().message().find("newer than this campaignd"), std::string::npos);
}

TEST(SqliteOpenTest, UnopenableDatabaseIsUnavailable) {
  TempDir dir = MakeTestDir();
  Result<std::unique_ptr<Engine>> engine = OpenEngine("sqlite:" + dir.File("no/such/x.db"), {});
  ASSERT_FALSE(engine.ok());
  EXPECT_TRUE(engine.status().IsUnavailable()) << engine.status().ToString();
}

// Makes `path` unwritable even for root (immutable flag) or, for other
// users, by its mode. Returns false if neither works here.
bool MakeReadOnly(const std::string& path, bool read_only) {
  if (::geteuid() != 0) {
    std::filesystem::permissions(path, read_only ? std::filesystem::perms::owner_read
                                                 : std::filesystem::perms::owner_all);
    return true;
  }
  int fd = ::open(path.c_str(), O_RDONLY);
  if (fd < 0) return false;
  int flags = 0;
  bool ok = ::ioctl(fd, FS_IOC_GETFLAGS, &flags) == 0;
  flags = read_only ? (flags | FS_IMMUTABLE_FL) : (flags & ~FS_IMMUTABLE_FL);
  ok = ok && ::ioctl(fd, FS_IOC_SETFLAGS, &flags) == 0;
  ::close(fd);
  return ok;
}

TEST(SqliteOpenTest, ReadOnlyDatabaseFileIsAClearError) {
  TempDir dir = MakeTestDir();
  const std::string path = dir.File("ro.db");
  ASSERT_NE(OpenOrFail("sqlite:" + path), nullptr);  // created, closed cleanly
  if (!MakeReadOnly(path, true)) GTEST_SKIP() << "cannot make a file read-only here";
  Result<std::unique_ptr<Engine>> engine = OpenEngine("sqlite:" + path, {});
  MakeReadOnly(path, false);
  ASSERT_FALSE(engine.ok());
  EXPECT_EQ(engine.status().code(), Status::Code::kIOError) << engine.status().ToString();
  EXPECT_NE(engine.status().message().find("read-only"), std::string::npos);
  EXPECT_NE(engine.status().message().find(path), std::string::npos);
}

}  // namespace
}  // namespace campaignd::store
