// render_sign_bench: thread CPU time per mail of RenderMessage and of
// DkimSigner::Sign (with the body hash RenderMessage took, as the worker
// does) for the mail of bench/compare's delivery section (benchkit.py: text
// and HTML of ~1.9 KB each, one field, List-Unsubscribe, Feedback-ID), for
// ed25519-sha256 and rsa-sha256 (2048 bits). Prints the minimum over rounds
// of the mean per round, which other load on the machine disturbs least.
//   cmake --build build --target render_sign_bench
//   build/bench/render_sign_bench [mails per round (2000)] [rounds (15)]
// Threads: one. Errors: exits 1 naming the failed step.
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <string>

#include "render/dkim.h"
#include "render/message.h"

namespace {

using campaignd::render::DkimSigner;
using campaignd::render::MessageInput;
using campaignd::render::RenderMessage;

double ThreadCpuMicros() {
  timespec t;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) * 1e6 + static_cast<double>(t.tv_nsec) / 1e3;
}

std::string NewKeyPem(bool rsa) {
  EVP_PKEY* key = rsa ? EVP_RSA_gen(2048) : EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
  BIO* bio = BIO_new(BIO_s_mem());
  std::string pem;
  if (key != nullptr && bio != nullptr &&
      PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr) == 1) {
    char* data = nullptr;
    long size = BIO_get_mem_data(bio, &data);
    pem.assign(data, static_cast<std::size_t>(size));
  }
  BIO_free(bio);
  EVP_PKEY_free(key);
  return pem;
}

MessageInput BenchMail() {
  std::string body = "Hello {firstname}, ";  // benchkit.py BODY
  for (int i = 0; i < 72; ++i) body += "your order is on its way. ";
  MessageInput in;
  in.from = "Bench Shop <shop@example.com>";
  in.subject = "Thank you, {firstname}";
  in.text = body;
  in.html = "<p>" + body + "</p>";
  in.to = "john.smith@example.com";
  in.fields["firstname"] = "John";
  in.mail_id = "AAAAAQAAAAAAAAABexample";
  in.list_unsubscribe_url = "https://bench.example/unsubscribe?id=1";
  in.feedback_id = "5000:100:1:campaignd";
  in.date = std::chrono::system_clock::now();
  return in;
}

}  // namespace

int main(int argc, char** argv) {
  const int mails = argc > 1 ? std::atoi(argv[1]) : 2000;
  const int rounds = argc > 2 ? std::atoi(argv[2]) : 15;
  const MessageInput in = BenchMail();
  for (bool rsa : {false, true}) {
    auto signer = DkimSigner::Load("example.com", "s1", "", NewKeyPem(rsa));
    if (!signer.ok()) {
      std::fprintf(stderr, "key: %s\n", signer.status().ToString().c_str());
      return 1;
    }
    const int per_round = rsa ? std::max(1, mails / 10) : mails;  // RSA signs ~10x slower
    double best_render = 1e18, best_sign = 1e18;
    std::size_t bytes = 0;
    for (int r = 0; r < rounds; ++r) {
      double render = 0, sign = 0;
      for (int i = 0; i < per_round; ++i) {
        double t0 = ThreadCpuMicros();
        auto message = RenderMessage(in);
        double t1 = ThreadCpuMicros();
        if (!message.ok()) {
          std::fprintf(stderr, "render: %s\n", message.status().ToString().c_str());
          return 1;
        }
        auto header = signer->Sign(message->bytes, message->dkim_body_hash, in.date);
        double t2 = ThreadCpuMicros();
        if (!header.ok()) {
          std::fprintf(stderr, "sign: %s\n", header.status().ToString().c_str());
          return 1;
        }
        bytes = message->bytes.size();
        render += t1 - t0;
        sign += t2 - t1;
      }
      best_render = std::min(best_render, render / per_round);
      best_sign = std::min(best_sign, sign / per_round);
    }
    std::printf(
        "%-14s %zu-byte mail: render %.1f us + sign %.1f us = %.1f us/mail "
        "(thread CPU, min of %d rounds of %d)\n",
        signer->algorithm().c_str(), bytes, best_render, best_sign, best_render + best_sign, rounds,
        per_round);
  }
  return 0;
}
