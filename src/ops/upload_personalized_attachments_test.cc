#include "ops/upload_personalized_attachments.h"

#include <gtest/gtest.h>

#include <set>

#include "core/limits.h"
#include "ops/ops_testutil.h"

namespace campaignd::ops {
namespace {

class UploadTest : public ::testing::Test {
 protected:
  TransactionTestEnv env;
};

TEST_F(UploadTest, KeepsTheFilesUnderTheHashOfAnUnguessableToken) {
  const std::string pdf("%PDF-1.7\0\xff\xfe binary", 19);
  Answer a = env.Tx("uploadpersonalizedattachments", {},
                    {File("Invoice_John_Smith.pdf", pdf),
                     File("notes.txt", "Grüße", "text/plain; charset=utf-8")});
  ASSERT_TRUE(a.result.ok());
  EXPECT_EQ(a.result->token, Token::kOk);
  EXPECT_TRUE(a.result->success);
  const std::string token = a.result->detail;
  EXPECT_EQ(token.size(), 32u);
  EXPECT_TRUE(auth::IsValidCode(token)) << "URL-safe as a parameter value";
  auto files = env.store.engine().attachments().FindUpload(1, auth::HashCode(token),
                                                            env.clock.Now());
  ASSERT_TRUE(files.ok() && files->has_value());
  ASSERT_EQ((*files)->size(), 2u);
  EXPECT_EQ((**files)[0].file_name, "Invoice_John_Smith.pdf");
  EXPECT_EQ((**files)[0].content_type, "application/pdf");
  EXPECT_EQ((**files)[0].data, pdf);
  EXPECT_EQ((**files)[1].content_type, "text/plain; charset=utf-8");
  EXPECT_FALSE(env.store.engine().attachments().FindUpload(1, token, env.clock.Now())->has_value())
      << "the token itself is not the key";
}

TEST_F(UploadTest, EveryTokenIsNew) {
  std::set<std::string> tokens;
  for (int i = 0; i < 20; ++i) {
    tokens.insert(env.Tx("uploadpersonalizedattachments", {}, {File("a.pdf", "x")}).result->detail);
  }
  EXPECT_EQ(tokens.size(), 20u);
}

TEST_F(UploadTest, NoFilesOrAWrongPartName) {
  EXPECT_EQ(Body(env.Tx("uploadpersonalizedattachments", {{"bmFile", "not a file"}})),
            "syntax_error: No files uploaded.");
  EXPECT_EQ(Body(env.Tx("uploadpersonalizedattachments", {},
                        {File("a.pdf", "x"), File("b.pdf", "y", "application/pdf", "file")})),
            "syntax_error: Invalid file-parameter name 'file' - must be 'bmFile'.");
}

TEST_F(UploadTest, LimitsOnCountAndSize) {
  std::vector<UploadedFile> six(limits::kMaxUploadFiles + 1, File("a.pdf", "x"));
  Answer many = env.Tx("uploadpersonalizedattachments", {}, six);
  EXPECT_EQ(Body(many).substr(0, 14), "syntax_error: ") << Body(many);
  std::vector<UploadedFile> five(limits::kMaxUploadFiles, File("a.pdf", "x"));
  EXPECT_EQ(env.Tx("uploadpersonalizedattachments", {}, five).result->token, Token::kOk);

  const std::size_t half = limits::kMaxUploadBytes / 2;
  Answer big = env.Tx("uploadpersonalizedattachments", {},
                      {File("a.bin", std::string(half, 'a')),
                       File("b.bin", std::string(limits::kMaxUploadBytes - half + 1, 'b'))});
  EXPECT_EQ(Body(big).substr(0, 14), "syntax_error: ") << Body(big);
  Answer exact = env.Tx("uploadpersonalizedattachments", {},
                        {File("a.bin", std::string(limits::kMaxUploadBytes, 'a'))});
  EXPECT_EQ(exact.result->token, Token::kOk);
}

TEST_F(UploadTest, VetoedUnlessTheClientHasAttachmentsEnabled) {
  store::ClientSpec spec = testing::ShoeStore(1);
  spec.client.attachments = false;
  ASSERT_TRUE(env.store.provisioner().Apply({spec}).ok());
  EXPECT_EQ(Body(env.Tx("uploadpersonalizedattachments", {}, {File("a.pdf", "x")})),
            "vetoed: Personalized attachments are not enabled.");
  EXPECT_EQ(Body(env.Tx("uploadpersonalizedattachments", {})),
            "vetoed: Personalized attachments are not enabled.")
      << "the feature flag comes first";
}

TEST_F(UploadTest, FormServiceOnlyAndAStoreFailureIsAStatus) {
  Answer sent = env.Tx("sendtransactionmail", {{"bmRecipientId", "a@example.com"},
                                               {"bmMailingId", "5005"}});
  Answer mail = env.Request(auth::Service::kMail, sent.result->detail,
                            "uploadpersonalizedattachments", {}, {File("a.pdf", "x")});
  EXPECT_EQ(Body(mail), "wrong_tag: 506");

  // An attachment store that cannot take the upload: 503 material.
  class DownAttachments final : public store::Attachments {
   public:
    Status StoreUpload(const store::NewUpload&) override { return Status::Unavailable("down"); }
    Result<bool> UploadUsable(int64_t, std::string_view, TimePoint) override {
      return Status::Unavailable("down");
    }
    Result<std::optional<std::vector<store::AttachmentFile>>> FindUpload(int64_t,
                                                                         std::string_view,
                                                                         TimePoint) override {
      return Status::Unavailable("down");
    }
  } down;
  Deps d = env.WiredDeps();
  d.attachments = &down;
  Params p;
  p.AddFile(File("a.pdf", "x"));
  auth::RequestInfo info{auth::Service::kForm, kTxCode, "uploadpersonalizedattachments", "POST",
                         "http", "127.0.0.1"};
  EXPECT_TRUE(HandleRequest(info, p, d).result.status().IsUnavailable());
  Params q;
  q.Add("bmRecipientId", "a@example.com");
  q.Add("bmMailingId", "5005");
  q.Add("bmPersonalizedAttachmentsToken", "t");
  info.operation = "sendtransactionmail";
  EXPECT_TRUE(HandleRequest(info, q, d).result.status().IsUnavailable());
  d.attachments = nullptr;
  info.operation = "uploadpersonalizedattachments";
  EXPECT_EQ(HandleRequest(info, p, d).result.status().code(), Status::Code::kInternal)
      << "not wired";
}

}  // namespace
}  // namespace campaignd::ops
