// Real parsing and real DKIM verification: every golden case is rendered
// (random boundaries), signed with rsa-sha256 and ed25519-sha256, written to
// a temp dir and checked by tests/golden/verify_message.py with Python's
// email package and python3-dkim (Debian's /usr/bin/python3).
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>

#include "render/dkim.h"
#include "render/golden_case.h"
#include "render/message.h"
#include "render/test_keys.h"

namespace campaignd::render {
namespace {

constexpr const char* kPython = "/usr/bin/python3";
constexpr std::string_view kRsaSelector = "rsa2024";
constexpr std::string_view kEdSelector = "ed2024";

struct Signed {
  std::string bytes;  // both signatures (ed25519 first) + the message
  nlohmann::json dns;
};

class VerifyMessageTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("campaignd-render-" + std::to_string(getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  Signed RenderAndSign(MessageInput input) {
    Result<RenderedMessage> m = RenderMessage(input);
    EXPECT_TRUE(m.ok()) << m.status().ToString();
    if (!m.ok()) return {};
    const std::string& domain = m->from_domain;
    Signed out{m->bytes, nlohmann::json::object()};
    // Ed25519 is added last, so it is signature 0 and RSA is signature 1.
    for (auto [algorithm, selector, key] :
         {std::tuple{"rsa-sha256", kRsaSelector, &SharedRsaKey()},
          std::tuple{"ed25519-sha256", kEdSelector, &SharedEd25519Key()}}) {
      Result<DkimSigner> signer =
          DkimSigner::Load(domain, std::string(selector), algorithm, key->private_pem);
      EXPECT_TRUE(signer.ok()) << signer.status().ToString();
      if (!signer.ok()) return {};
      Result<std::string> header = signer->Sign(out.bytes, std::chrono::system_clock::now());
      EXPECT_TRUE(header.ok()) << header.status().ToString();
      if (!header.ok()) return {};
      out.bytes = *header + out.bytes;
      out.dns[std::string(selector) + "._domainkey." + domain + "."] = key->dns_txt;
    }
    return out;
  }

  void Add(const std::string& file, const std::string& bytes, nlohmann::json expect, bool valid,
           const nlohmann::json& dns) {
    std::filesystem::path path = dir_ / file;
    std::ofstream(path, std::ios::binary) << bytes;
    manifest_.push_back({{"file", path.string()},
                         {"expect", std::move(expect)},
                         {"signatures", {valid, valid}},
                         {"dns", dns}});
  }

  // Runs the Python checker; returns its output ("" when all is well).
  std::string RunVerifier(int* exit_code) {
    std::filesystem::path manifest = dir_ / "manifest.json";
    std::ofstream(manifest) << manifest_.dump(1);
    std::string command = std::string(kPython) + " " +
                          (GoldenDir() / "verify_message.py").string() + " " + manifest.string() +
                          " 2>&1";
    FILE* pipe = popen(command.c_str(), "r");
    if (pipe == nullptr) return "popen failed";
    std::string output;
    char buf[4096];
    while (std::size_t n = fread(buf, 1, sizeof buf, pipe)) output.append(buf, n);
    int status = pclose(pipe);
    *exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return output;
  }

  std::filesystem::path dir_;
  nlohmann::json manifest_ = nlohmann::json::array();
};

TEST_F(VerifyMessageTest, PythonParsesEveryGoldenCaseAndBothSignaturesVerify) {
  std::vector<std::string> names = GoldenCaseNames();
  ASSERT_FALSE(names.empty());
  for (const std::string& name : names) {
    Result<GoldenCase> c = LoadGoldenCase(name);
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    ASSERT_FALSE(c->expect.empty()) << name << ".in.json has no \"expect\"";
    c->input.boundary_seed.clear();
    Signed s = RenderAndSign(c->input);
    ASSERT_FALSE(s.bytes.empty()) << name;
    Add(name + ".eml", s.bytes, c->expect, true, s.dns);
  }
  int exit_code = -1;
  std::string output = RunVerifier(&exit_code);
  EXPECT_EQ(exit_code, 0) << output;
  EXPECT_EQ(output, "");
}

TEST_F(VerifyMessageTest, AlteredMessagesFailRelaxedChangesPass) {
  Result<GoldenCase> c = LoadGoldenCase("text_html_umlauts");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  Signed s = RenderAndSign(c->input);
  std::size_t body = s.bytes.find("\r\n\r\n");
  ASSERT_NE(body, std::string::npos);

  std::string altered_body = s.bytes;
  std::size_t letter = altered_body.find_first_of("abcdefghijklmnopqrstuvwxyz", body + 200);
  ASSERT_NE(letter, std::string::npos);
  altered_body[letter] = altered_body[letter] == 'x' ? 'y' : 'x';
  Add("altered_body.eml", altered_body, nullptr, false, s.dns);

  std::string altered_subject = s.bytes;
  std::size_t subject = altered_subject.find("\r\nSubject: ");
  ASSERT_NE(subject, std::string::npos);
  altered_subject.insert(subject + 11, "Re: ");
  Add("altered_subject.eml", altered_subject, nullptr, false, s.dns);

  std::string added_to = s.bytes;  // a second To is not covered by h=
  added_to.insert(body + 2, "To: other@example.org\r\n");
  Add("added_to.eml", added_to, nullptr, false, s.dns);

  // Whitespace changes that relaxed canonicalization ignores.
  std::string relaxed = s.bytes;
  relaxed.replace(relaxed.find("\r\nSubject: "), 11, "\r\nSubject:   ");
  relaxed += "\r\n\r\n";
  Add("relaxed.eml", relaxed, nullptr, true, s.dns);

  int exit_code = -1;
  std::string output = RunVerifier(&exit_code);
  EXPECT_EQ(exit_code, 0) << output;
  EXPECT_EQ(output, "");
}

TEST_F(VerifyMessageTest, SignedWithTheBodyHashOfRenderBothSignaturesVerify) {
  // The delivery path: bh= from RenderMessage (taken while the body was
  // written), not from reading the body again.
  for (const char* name :
       {"text_html_umlauts", "attachments", "long_lines_qp", "text_only_ascii"}) {
    Result<GoldenCase> c = LoadGoldenCase(name);
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    c->input.boundary_seed.clear();
    Result<RenderedMessage> m = RenderMessage(c->input);
    ASSERT_TRUE(m.ok()) << m.status().ToString();
    std::string bytes = m->bytes;
    nlohmann::json dns = nlohmann::json::object();
    for (auto [algorithm, selector, key] :
         {std::tuple{"rsa-sha256", kRsaSelector, &SharedRsaKey()},
          std::tuple{"ed25519-sha256", kEdSelector, &SharedEd25519Key()}}) {
      Result<DkimSigner> signer =
          DkimSigner::Load(m->from_domain, std::string(selector), algorithm, key->private_pem);
      ASSERT_TRUE(signer.ok()) << signer.status().ToString();
      Result<std::string> header =
          signer->Sign(bytes, m->dkim_body_hash, std::chrono::system_clock::now());
      ASSERT_TRUE(header.ok()) << header.status().ToString();
      bytes = *header + bytes;
      dns[std::string(selector) + "._domainkey." + m->from_domain + "."] = key->dns_txt;
    }
    Add(std::string(name) + ".eml", bytes, c->expect, true, dns);
  }
  int exit_code = -1;
  std::string output = RunVerifier(&exit_code);
  EXPECT_EQ(exit_code, 0) << output;
  EXPECT_EQ(output, "");
}

TEST_F(VerifyMessageTest, VerifierReportsAWrongExpectation) {
  // The checker itself must be able to fail: a wrong subject is reported.
  Result<GoldenCase> c = LoadGoldenCase("text_only_ascii");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  Signed s = RenderAndSign(c->input);
  nlohmann::json expect = c->expect;
  expect["subject"] = "not the subject";
  Add("wrong.eml", s.bytes, expect, true, s.dns);
  int exit_code = -1;
  std::string output = RunVerifier(&exit_code);
  EXPECT_EQ(exit_code, 1) << output;
  EXPECT_NE(output.find("subject: got"), std::string::npos) << output;
}

}  // namespace
}  // namespace campaignd::render
