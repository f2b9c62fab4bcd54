#include "render/dkim.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "core/limits.h"
#include "render/test_keys.h"

namespace campaignd::render {
namespace {

const TimePoint kNow = TimePoint(std::chrono::seconds(1714979289));

constexpr std::string_view kMessage =
    "From: Shop <news@shop.example>\r\n"
    "To: jane@example.com\r\n"
    "Subject: Hello\r\n"
    "X-Not-Signed: 1\r\n"
    "Date: Mon, 06 May 2024 07:08:09 +0000\r\n"
    "Message-ID: <1-A@shop.example>\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: text/plain; charset=utf-8\r\n"
    "\r\n"
    "Hello\r\n";

DkimSigner LoadOrDie(std::string_view algorithm, const TestKey& key) {
  Result<DkimSigner> s = DkimSigner::Load("Shop.Example", "Sel1", algorithm, key.private_pem);
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  return std::move(s).value();
}

// The value of tag `name` in an unfolded signature header ("" if absent).
std::string Tag(std::string header, std::string_view name) {
  std::string flat;
  for (char c : header) {
    if (c != '\r' && c != '\n' && c != ' ' && c != '\t') flat.push_back(c);
  }
  std::string key = ";" + std::string(name) + "=";
  flat = ";" + flat.substr(flat.find(':') + 1);
  std::size_t pos = flat.find(key);
  if (pos == std::string::npos) return "";
  pos += key.size();
  return flat.substr(pos, flat.find(';', pos) - pos);
}

TEST(DkimSignerTest, EmptyAlgorithmIsTakenFromTheKey) {
  Result<DkimSigner> rsa = DkimSigner::Load("shop.example", "s", "", SharedRsaKey().private_pem);
  ASSERT_TRUE(rsa.ok()) << rsa.status().ToString();
  EXPECT_EQ(rsa->algorithm(), "rsa-sha256");
  Result<DkimSigner> ed = DkimSigner::Load("shop.example", "s", "", SharedEd25519Key().private_pem);
  ASSERT_TRUE(ed.ok()) << ed.status().ToString();
  EXPECT_EQ(ed->algorithm(), "ed25519-sha256");
  EXPECT_TRUE(DkimSigner::Load("shop.example", "s", "", "garbage").status().IsInvalidArgument());
}

TEST(DkimSignerTest, LoadChecksAlgorithmKeyAndNames) {
  const TestKey& rsa = SharedRsaKey();
  const TestKey& ed = SharedEd25519Key();
  EXPECT_TRUE(DkimSigner::Load("shop.example", "s", "rsa-sha256", rsa.private_pem).ok());
  EXPECT_TRUE(DkimSigner::Load("shop.example", "s", "ed25519-sha256", ed.private_pem).ok());
  auto error = [](std::string domain, std::string selector, std::string_view algorithm,
                  std::string_view pem) {
    Result<DkimSigner> s = DkimSigner::Load(domain, selector, algorithm, pem);
    EXPECT_TRUE(s.status().IsInvalidArgument()) << domain << " " << selector << " " << algorithm;
    return s.status().message();
  };
  EXPECT_NE(error("shop.example", "s", "rsa-sha1", rsa.private_pem).find("algorithm"),
            std::string::npos);
  EXPECT_NE(error("shop.example", "s", "ed25519-sha256", rsa.private_pem).find("Ed25519"),
            std::string::npos);
  EXPECT_NE(error("shop.example", "s", "rsa-sha256", ed.private_pem).find("RSA"),
            std::string::npos);
  EXPECT_NE(error("shop.example", "s", "rsa-sha256", "garbage").find("PEM"), std::string::npos);
  EXPECT_NE(error("shop.example", "s", "rsa-sha256", "").find("PEM"), std::string::npos);
  EXPECT_NE(error("shop.example", "s", "rsa-sha256", GenerateTestKey("rsa", 512).private_pem)
                .find("1024"),
            std::string::npos);
  error("bücher.example", "s", "rsa-sha256", rsa.private_pem);
  error("shop.example\r\nx", "s", "rsa-sha256", rsa.private_pem);
  error("", "s", "rsa-sha256", rsa.private_pem);
  error("-shop.example", "s", "rsa-sha256", rsa.private_pem);
  error("shop.example", "", "rsa-sha256", rsa.private_pem);
  error("shop.example", "s;x=1", "rsa-sha256", rsa.private_pem);
}

TEST(DkimSignerTest, EncryptedKeyIsRefusedWithoutPrompting) {
  // A PKCS#8 key encrypted with a passphrase nobody supplies: OpenSSL's
  // default would ask on the terminal; Load must fail instead.
  std::string pem = EncryptPem(SharedEd25519Key().private_pem, "secret");
  ASSERT_NE(pem.find("ENCRYPTED"), std::string::npos);
  EXPECT_TRUE(
      DkimSigner::Load("shop.example", "s", "ed25519-sha256", pem).status().IsInvalidArgument());
}

TEST(DkimSignerTest, SignatureHeaderHasTheTags) {
  DkimSigner signer = LoadOrDie("rsa-sha256", SharedRsaKey());
  EXPECT_EQ(signer.domain(), "shop.example");
  EXPECT_EQ(signer.selector(), "sel1");
  Result<std::string> header = signer.Sign(kMessage, kNow);
  ASSERT_TRUE(header.ok()) << header.status().ToString();
  EXPECT_TRUE(header->starts_with("DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed;"));
  EXPECT_TRUE(header->ends_with("\r\n"));
  EXPECT_EQ(Tag(*header, "d"), "shop.example");
  EXPECT_EQ(Tag(*header, "s"), "sel1");
  EXPECT_EQ(Tag(*header, "t"), "1714979289");
  EXPECT_EQ(Tag(*header, "h"), "from:to:subject:date:message-id:mime-version:content-type");
  // sha256("Hello\r\n")
  EXPECT_EQ(Tag(*header, "bh"), "Ba3gj8+xBPQLJTahTfzW6RbWQ/XPgESxkCi2B66PSQg=");
  EXPECT_EQ(Tag(*header, "b").size(), 344u);  // 2048-bit signature in base64
  std::size_t pos = 0;
  while (pos < header->size()) {
    std::size_t end = header->find("\r\n", pos);
    EXPECT_LE(end - pos, limits::kFoldWidth) << header->substr(pos, end - pos);
    if (pos > 0) {
      EXPECT_EQ((*header)[pos], ' ');
    }
    pos = end + 2;
  }
}

TEST(DkimSignerTest, Ed25519SignatureIs64Bytes) {
  DkimSigner signer = LoadOrDie("ed25519-sha256", SharedEd25519Key());
  Result<std::string> header = signer.Sign(kMessage, kNow);
  ASSERT_TRUE(header.ok()) << header.status().ToString();
  EXPECT_NE(header->find("a=ed25519-sha256;"), std::string::npos);
  EXPECT_EQ(Tag(*header, "b").size(), 88u);
}

TEST(DkimSignerTest, RelaxedChangesDoNotChangeTheSignature) {
  DkimSigner signer = LoadOrDie("ed25519-sha256", SharedEd25519Key());
  std::string relaxed(kMessage);
  relaxed.replace(relaxed.find("Subject: Hello"), 14, "SUBJECT:   Hello  ");
  relaxed.replace(relaxed.find("Hello\r\n", relaxed.find("\r\n\r\n")), 7, "Hello \t\r\n\r\n\r\n");
  EXPECT_EQ(*signer.Sign(kMessage, kNow), *signer.Sign(relaxed, kNow));
  std::string changed(kMessage);
  changed.replace(changed.find("Subject: Hello"), 14, "Subject: Hallo");
  EXPECT_NE(*signer.Sign(kMessage, kNow), *signer.Sign(changed, kNow));
}

TEST(DkimSignerTest, BodyHashGivenOrTakenGivesTheSameSignature) {
  // Ed25519 and RSA PKCS#1 v1.5 signatures are deterministic: same input,
  // same header.
  const std::string message = std::string(kMessage) + " \t\r\nsecond  line \r\n\r\n\r\n";
  DkimBodyHash pieces;
  std::string_view body = std::string_view(message).substr(message.find("\r\n\r\n") + 4);
  for (std::size_t i = 0; i < body.size(); i += 3) pieces.Update(body.substr(i, 3));
  Result<DkimBodyDigest> digest = pieces.Finish();
  ASSERT_TRUE(digest.ok()) << digest.status().ToString();
  for (const char* algorithm : {"rsa-sha256", "ed25519-sha256"}) {
    DkimSigner signer =
        LoadOrDie(algorithm, algorithm[0] == 'r' ? SharedRsaKey() : SharedEd25519Key());
    Result<std::string> taken = signer.Sign(message, kNow);
    Result<std::string> given = signer.Sign(message, *digest, kNow);
    ASSERT_TRUE(taken.ok() && given.ok()) << algorithm;
    EXPECT_EQ(*taken, *given) << algorithm;
    DkimBodyDigest wrong = *digest;
    wrong[0] ^= 1;
    EXPECT_NE(Tag(*signer.Sign(message, wrong, kNow), "bh"), Tag(*given, "bh")) << algorithm;
  }
}

TEST(DkimSignerTest, ALargePieceAfterSmallOnesKeepsTheOrder) {
  // Small pieces are buffered, large ones hashed at once: the buffered bytes
  // must be hashed first (a 300-byte HTML line after a part's header lines
  // was hashed before them).
  const std::string small = "Content-Type: text/html; charset=utf-8\r\n\r\n";
  const std::string large = std::string(300, 'x') + "\r\n";
  DkimBodyHash pieces;
  pieces.Update(small);
  pieces.Update(large);
  pieces.Update(small);
  DkimBodyHash whole;
  whole.Update(small + large + small);
  Result<DkimBodyDigest> a = pieces.Finish();
  Result<DkimBodyDigest> b = whole.Finish();
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(*a, *b);
}

TEST(DkimSignerTest, SignRefusesMessagesItCannotSign) {
  DkimSigner signer = LoadOrDie("rsa-sha256", SharedRsaKey());
  EXPECT_TRUE(signer.Sign("To: a@b.example\r\n\r\nbody\r\n", kNow).status().IsInvalidArgument());
  EXPECT_TRUE(signer.Sign("garbage\r\n\r\n", kNow).status().IsInvalidArgument());
}

TEST(DkimSignerTest, CopiesShareTheKeyAndSignFromManyThreads) {
  std::vector<DkimSigner> signers;
  signers.push_back(LoadOrDie("rsa-sha256", SharedRsaKey()));
  signers.push_back(LoadOrDie("ed25519-sha256", SharedEd25519Key()));
  for (const DkimSigner& original : signers) {
    std::string want = *original.Sign(kMessage, kNow);
    DkimSigner copy = original;
    std::vector<std::thread> threads;
    std::vector<int> mismatches(4, 0);
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < 25; ++i) {
          Result<std::string> got = copy.Sign(kMessage, kNow);
          if (!got.ok() || *got != want) ++mismatches[t];
        }
      });
    }
    for (std::thread& th : threads) th.join();
    for (int m : mismatches) EXPECT_EQ(m, 0) << original.algorithm();
  }
}

}  // namespace
}  // namespace campaignd::render
