// RecordingTransport: a Transport for unit tests of queue/ that keeps every
// message it is given and answers from a script (default: delivered).
// End-to-end tests use real relays instead. Threads: safe.
#ifndef CAMPAIGND_TESTING_RECORDING_TRANSPORT_H_
#define CAMPAIGND_TESTING_RECORDING_TRANSPORT_H_

#include <deque>
#include <mutex>
#include <string>
#include <vector>

#include "deliver/transport.h"

namespace campaignd::testing {

class RecordingTransport final : public deliver::Transport {
 public:
  struct Delivery {
    deliver::Envelope envelope;
    std::string message;
  };

  // The next Deliver() calls answer these, in order; then "250 ok".
  void Script(std::vector<deliver::DeliveryResult> results) {
    std::lock_guard lock(mu_);
    for (auto& r : results) script_.push_back(std::move(r));
  }

  deliver::DeliveryResult Deliver(const deliver::Envelope& envelope,
                                  std::string_view message) override {
    std::lock_guard lock(mu_);
    deliveries_.push_back({envelope, std::string(message)});
    if (script_.empty()) return {deliver::DeliveryKind::kDelivered, 250, "250 2.0.0 Ok: queued"};
    deliver::DeliveryResult r = script_.front();
    script_.pop_front();
    return r;
  }

  std::string Describe() const override { return "recording"; }

  std::vector<Delivery> deliveries() const {
    std::lock_guard lock(mu_);
    return deliveries_;
  }

 private:
  mutable std::mutex mu_;
  std::deque<deliver::DeliveryResult> script_;
  std::vector<Delivery> deliveries_;
};

}  // namespace campaignd::testing

#endif  // CAMPAIGND_TESTING_RECORDING_TRANSPORT_H_
