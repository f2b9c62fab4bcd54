// Test-only: a Server on 127.0.0.1 port 0 with a recording handler whose
// answer, delay and blocking the test controls. Callers: server tests.
#ifndef CAMPAIGND_HTTP_HTTP_TESTUTIL_H_
#define CAMPAIGND_HTTP_HTTP_TESTUTIL_H_

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "http/server.h"
#include "testing/http_client.h"

namespace campaignd::http::testing {

// Records every call; answers `answer` after `delay`; while `hold` is set,
// waits until Release(). Thread-safe.
class RecordingHandler {
 public:
  struct Call {
    auth::RequestInfo info;
    Params params;
  };

  ops::Answer Handle(const auth::RequestInfo& info, const Params& params) {
    std::unique_lock lock(mu_);
    calls_.push_back(Call{info, params});
    ++started_;
    changed_.notify_all();
    changed_.wait(lock, [this] { return !hold_; });
    const auto delay = delay_;
    ops::Answer answer = answer_;
    lock.unlock();
    std::this_thread::sleep_for(delay);
    if (throw_) throw std::runtime_error("handler exploded");
    return answer;
  }

  void SetAnswer(ops::Answer answer) {
    std::lock_guard lock(mu_);
    answer_ = std::move(answer);
  }
  void SetDelay(std::chrono::milliseconds delay) {
    std::lock_guard lock(mu_);
    delay_ = delay;
  }
  void SetThrow(bool t) { throw_ = t; }
  void Hold() {
    std::lock_guard lock(mu_);
    hold_ = true;
  }
  void Release() {
    std::lock_guard lock(mu_);
    hold_ = false;
    changed_.notify_all();
  }
  // Blocks until `n` calls have started (or 5 s); true if they did.
  bool WaitStarted(int n) {
    std::unique_lock lock(mu_);
    return changed_.wait_for(lock, std::chrono::seconds(5), [&] { return started_ >= n; });
  }
  std::vector<Call> calls() {
    std::lock_guard lock(mu_);
    return calls_;
  }

 private:
  std::mutex mu_;
  std::condition_variable changed_;
  std::vector<Call> calls_;
  int started_ = 0;
  bool hold_ = false;
  std::atomic<bool> throw_{false};
  std::chrono::milliseconds delay_{0};
  ops::Answer answer_{Reply::Success(Token::kOk), {}};
};

inline ServerOptions LoopbackOptions() {
  ServerOptions options;
  options.listen = {"127.0.0.1:0"};
  options.io_threads = 2;
  options.blocking_threads = 2;
  return options;
}

class ServerTestBase : public ::testing::Test {
 protected:
  void StartServer(ServerOptions options = LoopbackOptions()) {
    server_ = std::make_unique<Server>(std::move(options),
                                       [this](const auth::RequestInfo& info, const Params& params) {
                                         return handler_.Handle(info, params);
                                       });
    const Status status = server_->Start();
    ASSERT_TRUE(status.ok()) << status.ToString();
  }
  void TearDown() override {
    handler_.Release();
    if (server_) server_->Stop();
  }
  uint16_t port() const { return server_->BoundPort(); }

  // One request on a fresh connection; the raw response or "".
  std::string RoundTrip(const std::string& request) {
    TestClient client(port());
    EXPECT_TRUE(client.Send(request));
    return client.ReadResponse().value_or("");
  }

  RecordingHandler handler_;
  std::unique_ptr<Server> server_;
};

}  // namespace campaignd::http::testing

#endif  // CAMPAIGND_HTTP_HTTP_TESTUTIL_H_
