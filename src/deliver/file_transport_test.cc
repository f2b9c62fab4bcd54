#include "deliver/file_transport.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

namespace campaignd::deliver {
namespace {

namespace fs = std::filesystem;

std::string ReadAll(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

class FileTransportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/file_transport_test.XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    root_ = tmpl;
  }
  void TearDown() override {
    fs::permissions(root_, fs::perms::owner_all, fs::perm_options::add);
    fs::remove_all(root_);
  }
  // OpenTransport("file:DIR") with outbox_root = root_.
  Result<std::unique_ptr<Transport>> TryOpen(const std::string& dir) {
    TransportOptions options;
    options.outbox_root = root_.string();
    return OpenTransport("file:" + dir, options);
  }
  std::unique_ptr<Transport> Open(const std::string& dir) {
    Result<std::unique_ptr<Transport>> t = TryOpen(dir);
    EXPECT_TRUE(t.ok()) << t.status().ToString();
    return t.ok() ? std::move(*t) : nullptr;
  }
  static Envelope Env(std::string mail_id) {
    return {"from@shop.example", "to@x.example", mail_id};
  }
  // Names of the files in `dir`.
  static std::vector<std::string> Files(const fs::path& dir) {
    std::vector<std::string> out;
    for (const auto& e : fs::directory_iterator(dir)) out.push_back(e.path().filename());
    std::sort(out.begin(), out.end());
    return out;
  }
  fs::path root_;
};

const std::string kMessage =
    "From: a@shop.example\r\nTo: b@x.example\r\nSubject: hi\r\n\r\n.leading dot\r\n.\r\nbye\r\n";

TEST_F(FileTransportTest, WritesTheExactBytesUnderTheMailId) {
  std::unique_ptr<Transport> t = Open("new/nested");  // created on open
  ASSERT_TRUE(t);
  std::string binary = kMessage + std::string("\0\xff\r\n", 4);
  DeliveryResult r = t->Deliver(Env("1-7K2M-A81C3D9E0BQ4W7ZX"), binary);
  const fs::path eml = root_ / "new" / "nested" / "1-7K2M-A81C3D9E0BQ4W7ZX.eml";
  EXPECT_EQ(r.kind, DeliveryKind::kDelivered);
  EXPECT_EQ(r.smtp_code, 0);
  EXPECT_EQ(r.reply, "250 written to " + eml.string());
  EXPECT_EQ(ReadAll(eml), binary);
  EXPECT_EQ(Files(root_ / "new" / "nested"), std::vector<std::string>{eml.filename()});
  EXPECT_EQ(t->Describe(), "file:new/nested");
}

TEST_F(FileTransportTest, RedeliveryReplacesTheFileAndAStaleTempFile) {
  std::unique_ptr<Transport> t = Open(".");
  std::ofstream(root_ / ".m-1.tmp") << "left over from a crash, longer than the message........";
  ASSERT_EQ(t->Deliver(Env("m-1"), "first\r\n").kind, DeliveryKind::kDelivered);
  ASSERT_EQ(t->Deliver(Env("m-1"), "second\r\n").kind, DeliveryKind::kDelivered);
  EXPECT_EQ(ReadAll(root_ / "m-1.eml"), "second\r\n");
  EXPECT_EQ(Files(root_), std::vector<std::string>{"m-1.eml"});
}

TEST_F(FileTransportTest, ReadersNeverSeeAPartialFile) {
  std::unique_ptr<Transport> t = Open(".");
  const std::string big(512 * 1024, 'x');
  std::atomic<bool> done{false};
  std::atomic<int> checked{0};
  std::atomic<int> partial{0};
  std::thread reader([&] {
    while (!done) {
      for (const auto& e : fs::directory_iterator(root_)) {
        if (e.path().extension() != ".eml") continue;
        std::error_code ec;
        auto size = fs::file_size(e.path(), ec);
        if (!ec && size != big.size()) ++partial;
        ++checked;
      }
    }
  });
  for (int i = 0; i < 20; ++i) {
    ASSERT_EQ(t->Deliver(Env("big-" + std::to_string(i)), big).kind, DeliveryKind::kDelivered);
  }
  done = true;
  reader.join();
  EXPECT_EQ(partial, 0);
  EXPECT_GT(checked, 0);
  EXPECT_EQ(Files(root_).size(), 20u);
}

TEST_F(FileTransportTest, UnsafeMailIdsArePermanentFailures) {
  std::unique_ptr<Transport> t = Open(".");
  for (const std::string& id :
       std::vector<std::string>{"", "../escape", "a/b", ".hidden", "a b", "x\r\ny", "a.eml", "é",
                                std::string(limits::kMaxFileMailIdBytes + 1, 'a')}) {
    DeliveryResult r = t->Deliver(Env(id), kMessage);
    EXPECT_EQ(r.kind, DeliveryKind::kPermanentFailure) << id;
    EXPECT_NE(r.reply.find("safe file name"), std::string::npos);
  }
  EXPECT_TRUE(Files(root_).empty());
  EXPECT_FALSE(fs::exists(root_.parent_path() / "escape.eml"));
  EXPECT_EQ(t->Deliver(Env(std::string(limits::kMaxFileMailIdBytes, 'a')), kMessage).kind,
            DeliveryKind::kDelivered);
}

TEST_F(FileTransportTest, RecreatesAVanishedDirectory) {
  std::unique_ptr<Transport> t = Open("out");
  fs::remove(root_ / "out");
  EXPECT_EQ(t->Deliver(Env("m1"), kMessage).kind, DeliveryKind::kDelivered);
  EXPECT_EQ(ReadAll(root_ / "out" / "m1.eml"), kMessage);
}

TEST_F(FileTransportTest, UnusableDirectoryIsTemporaryWithTheErrnoText) {
  std::unique_ptr<Transport> t = Open("out");
  fs::remove(root_ / "out");
  std::ofstream(root_ / "out") << "a file where the directory was";
  DeliveryResult r = t->Deliver(Env("m1"), kMessage);
  EXPECT_EQ(r.kind, DeliveryKind::kTemporaryFailure);
  EXPECT_NE(r.reply.find("Not a directory"), std::string::npos) << r.reply;
}

TEST_F(FileTransportTest, UnwritableDirectoryIsTemporary) {
  std::unique_ptr<Transport> t = Open(".");
  fs::permissions(root_, fs::perms::owner_read | fs::perms::owner_exec);
  DeliveryResult r = t->Deliver(Env("m1"), kMessage);
  if (::geteuid() == 0) {
    // Root ignores permission bits: the write succeeds, which is right too.
    EXPECT_EQ(r.kind, DeliveryKind::kDelivered);
  } else {
    EXPECT_EQ(r.kind, DeliveryKind::kTemporaryFailure);
    EXPECT_NE(r.reply.find("Permission denied"), std::string::npos) << r.reply;
  }
}

// A full disk, simulated with the file size limit: write() fails (EFBIG) part
// way through; the result is temporary and no temporary file is left behind.
TEST_F(FileTransportTest, FailedWriteIsTemporaryAndLeavesNothing) {
  std::unique_ptr<Transport> t = Open(".");
  rlimit old{};
  ASSERT_EQ(::getrlimit(RLIMIT_FSIZE, &old), 0);
  auto old_handler = ::signal(SIGXFSZ, SIG_IGN);
  rlimit small = old;
  small.rlim_cur = 4096;
  ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &small), 0);
  DeliveryResult r = t->Deliver(Env("too-big"), std::string(64 * 1024, 'x'));
  ::setrlimit(RLIMIT_FSIZE, &old);
  ::signal(SIGXFSZ, old_handler);
  EXPECT_EQ(r.kind, DeliveryKind::kTemporaryFailure);
  EXPECT_NE(r.reply.find("File too large"), std::string::npos) << r.reply;
  EXPECT_TRUE(Files(root_).empty());
}

TEST_F(FileTransportTest, OpenFailsWhenTheDirectoryCannotBeMade) {
  std::ofstream(root_ / "file") << "x";
  Result<std::unique_ptr<Transport>> t = TryOpen("file/sub");
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().message(),
            "cannot create mail directory " + root_.string() + "/file/sub: Not a directory");
}

TEST_F(FileTransportTest, MakesAMissingRoot) {
  root_ /= "made/by/open";
  std::unique_ptr<Transport> t = Open("out");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->Deliver(Env("m1"), kMessage).kind, DeliveryKind::kDelivered);
  EXPECT_EQ(ReadAll(root_ / "out" / "m1.eml"), kMessage);
  root_ = root_.parent_path().parent_path().parent_path();
}

// Absolute paths and ".." are refused by the URL grammar, and again by
// FileTransport itself: nothing is created anywhere.
TEST_F(FileTransportTest, PathsOutsideTheRootAreRefused) {
  const fs::path outside = root_.string() + "-outside";
  for (const std::string& dir : std::vector<std::string>{
           outside.string(), "//" + outside.string(), "../" + outside.filename().string(),
           "a/../../" + outside.filename().string(), ".."}) {
    Result<std::unique_ptr<Transport>> t = TryOpen(dir);
    ASSERT_FALSE(t.ok()) << dir;
    EXPECT_TRUE(t.status().IsInvalidArgument()) << dir;
    EXPECT_NE(t.status().message().find("outbox_root"), std::string::npos) << t.status().message();
    Result<std::unique_ptr<Transport>> direct = FileTransport::Open(root_.string(), dir, "x");
    ASSERT_FALSE(direct.ok()) << dir;
    EXPECT_EQ(direct.status().message(),
              "file transport directory '" + dir +
                  "' must be a relative path below outbox_root without '..'");
  }
  EXPECT_FALSE(fs::exists(outside));
  EXPECT_TRUE(Files(root_).empty());
}

// A symbolic link below the root is never followed, at open or at delivery,
// even when it appears after the transport was opened.
TEST_F(FileTransportTest, SymbolicLinksBelowTheRootAreNotFollowed) {
  const fs::path outside = root_.string() + "-target";
  fs::create_directories(outside);
  fs::create_directory_symlink(outside, root_ / "link");
  Result<std::unique_ptr<Transport>> t = TryOpen("link/sub");
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().message(),
            "cannot create mail directory " + root_.string() +
                "/link/sub: 'link' is a symbolic link (refused: the outbox must stay below "
                "outbox_root)");
  fs::create_symlink(root_ / "nowhere", root_ / "dangling");
  EXPECT_FALSE(TryOpen("dangling").ok());
  EXPECT_FALSE(fs::exists(root_ / "nowhere"));

  std::unique_ptr<Transport> out = Open("out");
  ASSERT_TRUE(out);
  fs::remove(root_ / "out");
  fs::create_directory_symlink(outside, root_ / "out");
  DeliveryResult r = out->Deliver(Env("m1"), kMessage);
  EXPECT_EQ(r.kind, DeliveryKind::kTemporaryFailure);
  EXPECT_EQ(r.reply, "cannot open mail directory " + root_.string() +
                         "/out: 'out' is a symbolic link (refused: the outbox must stay below "
                         "outbox_root)");
  EXPECT_TRUE(Files(outside).empty());
  fs::remove_all(outside);
}

// The root itself is the operator's: a symbolic link there is followed.
TEST_F(FileTransportTest, TheRootMayBeASymbolicLink) {
  const fs::path real = root_ / "real";
  fs::create_directories(real);
  fs::create_directory_symlink(real, root_ / "root-link");
  TransportOptions options;
  options.outbox_root = (root_ / "root-link").string();
  Result<std::unique_ptr<Transport>> t = OpenTransport("file:outbox", options);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ((*t)->Deliver(Env("m1"), kMessage).kind, DeliveryKind::kDelivered);
  EXPECT_EQ(ReadAll(real / "outbox" / "m1.eml"), kMessage);
}

}  // namespace
}  // namespace campaignd::deliver
