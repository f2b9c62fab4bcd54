// campaignd migrate and copy-db, on the engine the environment names
// (store/store_testutil.h) and SQLite.
#include "admin/db_commands.h"

#include <gtest/gtest.h>

#include <sstream>

#include "admin/commands.h"
#include "store/store_testutil.h"
#include "store/temp_dir.h"
#include "store/store.h"

namespace campaignd::admin {
namespace {

class DbCommandsTest : public ::testing::Test {
 protected:
  int Migrate(const std::string& url) {
    out_.str("");
    err_.str("");
    return RunMigrate(url, out_, err_);
  }
  int Copy(const std::string& from, const std::string& to) {
    out_.str("");
    err_.str("");
    return RunCopyDb(from, to, out_, err_);
  }
  std::ostringstream out_, err_;
};

TEST_F(DbCommandsTest, MigratePrintsWhatItAppliedThenUpToDate) {
  std::unique_ptr<store::TestDatabase> db =
      store::TestDatabase::CreateOrDie(store::TestDatabase::Schema::kEmpty);
  ASSERT_EQ(Migrate(db->url()), kExitOk) << err_.str();
  EXPECT_EQ(out_.str().rfind("applied migration 1 initial\n", 0), 0u) << out_.str();
  ASSERT_EQ(Migrate(db->url()), kExitOk) << err_.str();
  EXPECT_EQ(out_.str(), store::RedactUrl(db->url()) + ": up to date\n");
  EXPECT_TRUE(store::OpenEngine(db->url(), {}).ok());
}

TEST_F(DbCommandsTest, MigrateErrorsAndNoPasswordInThem) {
  EXPECT_EQ(Migrate("mysql://x"), kExitBadInput);
  EXPECT_NE(err_.str().find("unknown store URL"), std::string::npos) << err_.str();
  EXPECT_EQ(Migrate("postgresql://u:hunter2@127.0.0.1:1/db"), kExitDatabaseError);
  EXPECT_EQ(err_.str().find("hunter2"), std::string::npos) << err_.str();
  EXPECT_NE(err_.str().find("postgresql://u:***@127.0.0.1:1/db"), std::string::npos) << err_.str();
}

TEST_F(DbCommandsTest, CopyDbPrintsCountsAndRefusesToCopyTwice) {
  std::unique_ptr<store::TestDatabase> source = store::TestDatabase::CreateOrDie();
  {
    auto engine = store::OpenEngine(source->url(), {});
    ASSERT_TRUE(engine.ok()) << engine.status().ToString();
    ASSERT_TRUE((*engine)->provisioner().Apply({store::SampleClient(1)}).ok());
    ASSERT_TRUE((*engine)->queue().Enqueue({1, 10, 100, "a@example.com", {}, {}}).ok());
  }
  store::TempDir dir = store::TempDir::Create("copy-db-test").value();
  const std::string target = "sqlite:" + dir.File("target.db");
  ASSERT_EQ(Copy(source->url(), target), kExitOk) << err_.str();
  EXPECT_NE(out_.str().find("\n  clients        1\n"), std::string::npos) << out_.str();
  EXPECT_NE(out_.str().find("\n  mails          1\n"), std::string::npos) << out_.str();
  EXPECT_NE(out_.str().find("\n  mail_events    1\n"), std::string::npos) << out_.str();
  EXPECT_NE(out_.str().find("next mail ID above 1\n"), std::string::npos) << out_.str();

  ASSERT_EQ(Copy(source->url(), target), kExitBadInput);
  EXPECT_NE(err_.str().find("not empty"), std::string::npos) << err_.str();
  EXPECT_NE(err_.str().find("nothing copied"), std::string::npos) << err_.str();
  EXPECT_EQ(Copy(target, target), kExitBadInput);
}

}  // namespace
}  // namespace campaignd::admin
