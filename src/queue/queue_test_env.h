// QueueTestEnv: a real temporary store with the fixture client, a fake
// clock and a RecordingTransport behind a Processor. Test-only.
#ifndef CAMPAIGND_QUEUE_QUEUE_TEST_ENV_H_
#define CAMPAIGND_QUEUE_QUEUE_TEST_ENV_H_

#include <openssl/evp.h>
#include <openssl/pem.h>

#include <memory>
#include <string>

#include "queue/processor.h"
#include "testing/fake_clock.h"
#include "testing/fixtures.h"
#include "testing/recording_transport.h"
#include "testing/temp_store.h"

namespace campaignd::queue {

// A fresh Ed25519 private key in PEM.
inline std::string NewEd25519Pem() {
  EVP_PKEY* key = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr);
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  std::string pem(data, static_cast<std::size_t>(len));
  BIO_free(bio);
  EVP_PKEY_free(key);
  return pem;
}

class QueueTestEnv {
 public:
  QueueTestEnv()
      : transport(std::make_shared<testing::RecordingTransport>()),
        processor(store.directory(), store.engine().recipients(), store.engine().coordination(),
                  clock, Options(),
                  [this](std::string_view url, const auto&) {
          opened_urls.emplace_back(url);
          return Result<std::unique_ptr<deliver::Transport>>(
              std::make_unique<Forwarding>(transport));
        },
                  &store.engine().attachments()) {
    testing::ApplyShoeStore(store.provisioner());
  }

  static ProcessorOptions Options() {
    ProcessorOptions o;
    o.public_url = "https://campaign.example.net";
    o.unsubscribe_mailto = "unsubscribe@example.net";
    return o;
  }

  // Enqueues mailing `mailing` to `rid` in list 100; returns the sequence.
  int64_t Enqueue(const std::string& rid, int64_t mailing = 5004, int64_t list = 100) {
    store::NewMail m{1, list, mailing, rid, {}, clock.Now()};
    auto seq = store.queue().Enqueue(m);
    EXPECT_TRUE(seq.ok()) << seq.status().ToString();
    return *seq;
  }
  store::Mail Mail(int64_t seq) { return **store.queue().FindMail(1, seq); }

  testing::TempStore store;
  testing::FakeClock clock;
  std::shared_ptr<testing::RecordingTransport> transport;
  std::vector<std::string> opened_urls;
  Processor processor;

 private:
  // Hands deliveries to the shared RecordingTransport.
  class Forwarding final : public deliver::Transport {
   public:
    explicit Forwarding(std::shared_ptr<testing::RecordingTransport> t) : t_(std::move(t)) {}
    deliver::DeliveryResult Deliver(const deliver::Envelope& e, std::string_view m) override {
      return t_->Deliver(e, m);
    }
    std::string Describe() const override { return t_->Describe(); }

   private:
    std::shared_ptr<testing::RecordingTransport> t_;
  };
};

}  // namespace campaignd::queue

#endif  // CAMPAIGND_QUEUE_QUEUE_TEST_ENV_H_
