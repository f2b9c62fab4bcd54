// webhook/dispatcher.h against a real HTTP server on 127.0.0.1 (a small
// blocking one below), on the engine the environment names: signed batches
// with their authentication, 500 then recovery with backoff, a redirect
// that is a failure and not followed, a receiver that hangs (timeout), and
// the SSRF guard refusing loopback without a connection.
#include "webhook/dispatcher.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "store/store_testutil.h"
#include "webhook/signature.h"
#include "webhook/subscription.h"

namespace campaignd::webhook {
namespace {

using namespace std::chrono_literals;
using store::events::Attempt;
using store::events::Event;
using store::events::EventType;
using store::events::Webhook;
using store::events::WebhookAuth;
using store::events::WebhookState;

class ManualClock final : public Clock {
 public:
  TimePoint Now() const override {
    return std::chrono::system_clock::now() + std::chrono::milliseconds(offset_ms_.load());
  }
  void Advance(std::chrono::milliseconds d) { offset_ms_ += d.count(); }

 private:
  std::atomic<int64_t> offset_ms_{0};
};

// A blocking HTTP/1.1 server on 127.0.0.1: one connection at a time, one
// request per connection; answers `status` (after `delay`) with `location`.
class Receiver {
 public:
  struct Request {
    std::string head;
    std::string body;
  };
  Receiver() {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int one = 1;
    setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    EXPECT_EQ(bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    socklen_t len = sizeof a;
    getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    listen(fd_, 16);
    thread_ = std::thread([this] { Serve(); });
  }
  ~Receiver() {
    stop_ = true;
    shutdown(fd_, SHUT_RDWR);
    close(fd_);
    thread_.join();
  }
  std::string Url(std::string_view path = "/hook") const {
    return "http://127.0.0.1:" + std::to_string(port_) + std::string(path);
  }
  void Answer(int status, std::chrono::milliseconds delay = 0ms, std::string location = "") {
    std::lock_guard lock(mu_);
    status_ = status;
    delay_ = delay;
    location_ = std::move(location);
  }
  std::vector<Request> requests() {
    std::lock_guard lock(mu_);
    return requests_;
  }
  int connections() const { return connections_; }

 private:
  void Serve() {
    while (!stop_) {
      int c = accept(fd_, nullptr, nullptr);
      if (c < 0) return;
      ++connections_;
      std::string data;
      char buf[4096];
      std::size_t need = std::string::npos;
      while (true) {
        ssize_t n = recv(c, buf, sizeof buf, 0);
        if (n <= 0) break;
        data.append(buf, static_cast<std::size_t>(n));
        std::size_t end = data.find("\r\n\r\n");
        if (end != std::string::npos && need == std::string::npos) {
          std::string head = data.substr(0, end);
          std::size_t cl = head.find("Content-Length: ");
          need = end + 4 + (cl == std::string::npos ? 0 : std::stoul(head.substr(cl + 16)));
        }
        if (need != std::string::npos && data.size() >= need) break;
      }
      int status;
      std::chrono::milliseconds delay;
      std::string location;
      {
        std::lock_guard lock(mu_);
        std::size_t end = data.find("\r\n\r\n");
        if (end != std::string::npos)
          requests_.push_back({data.substr(0, end), data.substr(end + 4)});
        status = status_;
        delay = delay_;
        location = location_;
      }
      for (auto waited = 0ms; waited < delay && !stop_; waited += 10ms) {
        std::this_thread::sleep_for(10ms);
      }
      std::string answer = "HTTP/1.1 " + std::to_string(status) + " X\r\nContent-Length: 2\r\n";
      if (!location.empty()) answer += "Location: " + location + "\r\n";
      answer += "Connection: close\r\n\r\nok";
      send(c, answer.data(), answer.size(), MSG_NOSIGNAL);
      close(c);
    }
  }
  int fd_ = -1;
  uint16_t port_ = 0;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::atomic<int> connections_{0};
  std::mutex mu_;
  int status_ = 200;
  std::chrono::milliseconds delay_{0};
  std::string location_;
  std::vector<Request> requests_;
};

std::string Header(const std::string& head, std::string_view name) {
  std::size_t at = head.find("\r\n" + std::string(name) + ": ");
  if (at == std::string::npos) return "";
  at += name.size() + 4;
  return head.substr(at, head.find("\r\n", at) - at);
}

class DispatcherTest : public store::EngineTest {
 protected:
  store::SqlRunner& runner() { return engine_->runner(); }

  Webhook AddWebhook(const std::string& url, WebhookAuth auth = WebhookAuth::kNone) {
    Webhook w;
    w.client_id = 1;
    w.id = 1;
    w.url = url;
    w.types = {EventType::kUnsubscribe, EventType::kOpen};
    w.auth = auth;
    if (auth == WebhookAuth::kKeyAuth) {
      w.auth_name = "X-Api-Key";
      w.auth_secret = "k3y";
    } else if (auth == WebhookAuth::kBasicAuth) {
      w.auth_name = "shop";
      w.auth_secret = "pw";
    }
    w.signing_secret = NewSigningSecret();
    w.created_at = clock_.Now();
    EXPECT_TRUE(runner()
                    .Write([&](store::SqlSession& s) {
                      return store::events::WriteWebhook(s, w, store::events::WebhookWrite::kInsert)
                          .status();
                    })
                    .ok());
    return w;
  }
  void AddEvents(int n, std::chrono::milliseconds age = 1s) {
    ASSERT_TRUE(runner()
                    .Write([&](store::SqlSession& s) -> Status {
                      for (int i = 0; i < n; ++i) {
                        Event e;
                        e.client_id = 1;
                        e.type = EventType::kUnsubscribe;
                        e.at = clock_.Now() - age;
                        e.mail_seq = 5;
                        e.list_id = 10;
                        e.recipient_id = "r" + std::to_string(i) + "@example.com";
                        e.data = R"({"source":"api"})";
                        auto id = store::events::Append(s, e);
                        if (!id.ok()) return id.status();
                      }
                      return Status::Ok();
                    })
                    .ok());
  }
  std::vector<Attempt> Attempts() {
    auto a = store::ReadResult<std::vector<Attempt>>(
        runner(), [](store::SqlSession& s) { return store::events::Attempts(s, 1, 1, 100); });
    EXPECT_TRUE(a.ok());
    return a.ok() ? *a : std::vector<Attempt>{};
  }
  Dispatcher Make(bool allow_private = true) {
    options_.allow_private = allow_private;
    return Dispatcher(runner(), engine_->directory(), clock_, options_);
  }
  bool DeliverOne(Dispatcher& d) {
    Result<bool> r = d.DeliverOne();
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() && *r;
  }

  ManualClock clock_;
  DispatcherOptions options_{
      .workers = 2, .batch = 3, .batch_wait = 0ms, .timeout = 2000ms, .retry_base = 1000ms};
};

TEST_F(DispatcherTest, PostsSignedBatchesWithKeyAuth) {
  Receiver receiver;
  const Webhook w = AddWebhook(receiver.Url(), WebhookAuth::kKeyAuth);
  AddEvents(4);
  Dispatcher d = Make();
  EXPECT_TRUE(DeliverOne(d));
  EXPECT_TRUE(DeliverOne(d));
  EXPECT_FALSE(DeliverOne(d));  // the outbox is empty
  auto requests = receiver.requests();
  ASSERT_EQ(requests.size(), 2u);
  const auto& first = requests[0];
  EXPECT_EQ(first.head.substr(0, 15), "POST /hook HTTP");
  EXPECT_EQ(Header(first.head, "Content-Type"), "application/json");
  EXPECT_EQ(Header(first.head, "X-Api-Key"), "k3y");
  const std::string signature = Header(first.head, "X-Campaignd-Signature");
  ASSERT_EQ(signature.substr(0, 2), "t=");
  const int64_t t = std::stoll(signature.substr(2, signature.find(',') - 2));
  EXPECT_NEAR(static_cast<double>(t), static_cast<double>(ToUnixMillis(clock_.Now()) / 1000), 5);
  EXPECT_EQ(signature, Signature(SigningKey(w.signing_secret), t, first.body));
  auto batch = nlohmann::json::parse(first.body);
  ASSERT_EQ(batch.size(), 3u);
  EXPECT_EQ(batch[0]["type"], "unsubscribe");
  EXPECT_EQ(batch[0]["source"], "api");
  EXPECT_EQ(batch[0]["recipient"], "r0@example.com");
  EXPECT_EQ(batch[0]["list"], 10);
  EXPECT_EQ(batch[0]["mailId"].get<std::string>().substr(0, 4), "1-5-");
  EXPECT_EQ(nlohmann::json::parse(requests[1].body).size(), 1u);
  auto attempts = Attempts();
  ASSERT_EQ(attempts.size(), 2u);
  EXPECT_EQ(attempts[0].http_status, 200);
  EXPECT_EQ(attempts[0].events, 1);
  EXPECT_EQ(attempts[1].events, 3);
  EXPECT_EQ(attempts[1].response, "ok");
}

TEST_F(DispatcherTest, BasicAuth) {
  Receiver receiver;
  AddWebhook(receiver.Url(), WebhookAuth::kBasicAuth);
  AddEvents(1);
  Dispatcher d = Make();
  EXPECT_TRUE(DeliverOne(d));
  ASSERT_EQ(receiver.requests().size(), 1u);
  EXPECT_EQ(Header(receiver.requests()[0].head, "Authorization"), "Basic c2hvcDpwdw==");
}

TEST_F(DispatcherTest, FailureBacksOffThenEverythingArrives) {
  Receiver receiver;
  receiver.Answer(500);
  AddWebhook(receiver.Url());
  AddEvents(2);
  Dispatcher d = Make();
  EXPECT_TRUE(DeliverOne(d));
  EXPECT_FALSE(DeliverOne(d));  // not due before the backoff
  receiver.Answer(200);
  clock_.Advance(1100ms);
  EXPECT_TRUE(DeliverOne(d));
  auto attempts = Attempts();
  ASSERT_EQ(attempts.size(), 2u);
  EXPECT_EQ(attempts[1].http_status, 500);
  EXPECT_EQ(attempts[1].error, "HTTP 500");
  EXPECT_EQ(attempts[0].http_status, 200);
  auto requests = receiver.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0].body, requests[1].body);  // the same batch again
  EXPECT_FALSE(DeliverOne(d));
}

TEST_F(DispatcherTest, RedirectIsAFailureAndNotFollowed) {
  Receiver receiver;
  receiver.Answer(302, 0ms, receiver.Url("/elsewhere"));
  AddWebhook(receiver.Url());
  AddEvents(1);
  Dispatcher d = Make();
  EXPECT_TRUE(DeliverOne(d));
  ASSERT_EQ(receiver.requests().size(), 1u);
  auto attempts = Attempts();
  ASSERT_EQ(attempts.size(), 1u);
  EXPECT_EQ(attempts[0].http_status, 302);
  EXPECT_NE(attempts[0].error.find("redirect not followed"), std::string::npos);
}

TEST_F(DispatcherTest, HangingReceiverTimesOut) {
  Receiver receiver;
  receiver.Answer(200, 3000ms);
  AddWebhook(receiver.Url());
  AddEvents(1);
  options_.timeout = 300ms;
  Dispatcher d = Make();
  const auto started = std::chrono::steady_clock::now();
  EXPECT_TRUE(DeliverOne(d));
  EXPECT_LT(std::chrono::steady_clock::now() - started, 2000ms);
  auto attempts = Attempts();
  ASSERT_EQ(attempts.size(), 1u);
  EXPECT_EQ(attempts[0].http_status, 0);
  EXPECT_EQ(attempts[0].error, "timeout after 300 ms");
}

TEST_F(DispatcherTest, AnEmptyBatchOnlyReleasesTheLease) {
  Receiver receiver;
  AddWebhook(receiver.Url());
  AddEvents(1, /*age=*/0ms);
  options_.batch_wait = 400ms;  // a batch that is not full waits for more
  Dispatcher d = Make();
  // While it waits, its rows go (as a purge or a delete would take them).
  std::thread remover([&] {
    std::this_thread::sleep_for(100ms);
    EXPECT_TRUE(runner()
                    .Write([](store::SqlSession& s) {
                      return s.Execute("DELETE FROM webhook_outbox", {}, "test").status();
                    })
                    .ok());
  });
  EXPECT_TRUE(DeliverOne(d));
  remover.join();
  EXPECT_EQ(receiver.connections(), 0);
  EXPECT_TRUE(Attempts().empty());  // nothing recorded as an attempt
  // The lease is released: new events are delivered at once, not after it expires.
  options_.batch_wait = 0ms;
  Dispatcher again = Make();
  AddEvents(1);
  EXPECT_TRUE(DeliverOne(again));
  EXPECT_EQ(receiver.requests().size(), 1u);
  ASSERT_EQ(Attempts().size(), 1u);
  EXPECT_EQ(Attempts()[0].events, 1);
}

TEST_F(DispatcherTest, LoopbackIsRefusedWithoutTheAllowKey) {
  Receiver receiver;
  AddWebhook(receiver.Url());
  AddEvents(1);
  Dispatcher d = Make(/*allow_private=*/false);
  EXPECT_TRUE(DeliverOne(d));
  EXPECT_EQ(receiver.connections(), 0);
  auto attempts = Attempts();
  ASSERT_EQ(attempts.size(), 1u);
  EXPECT_EQ(attempts[0].http_status, 0);
  EXPECT_NE(attempts[0].error.find("refused: the target is a private or internal address"),
            std::string::npos)
      << attempts[0].error;
  // The client sees the attempt: it must not learn where a name resolves.
  EXPECT_EQ(attempts[0].error.find("127.0.0.1"), std::string::npos) << attempts[0].error;
  EXPECT_EQ(attempts[0].error.find("loopback"), std::string::npos) << attempts[0].error;
}

TEST_F(DispatcherTest, NameResolvingToLoopbackIsRefused) {
  Receiver receiver;
  const std::string port = receiver.Url().substr(receiver.Url().rfind(':') + 1);
  Webhook w;
  w.url = "http://localhost:" + port;
  w.signing_secret = "s";
  options_.allow_private = false;
  PostResult r = Post(w, "[]", 1, options_);
  EXPECT_EQ(r.http_status, 0);
  EXPECT_NE(r.error.find("refused: the target is a private or internal address"), std::string::npos)
      << r.error;
  EXPECT_EQ(r.error.find("127.0.0.1"), std::string::npos) << r.error;
  EXPECT_EQ(r.error.find("::1"), std::string::npos) << r.error;
  EXPECT_EQ(receiver.connections(), 0);
  options_.allow_private = true;
  EXPECT_EQ(Post(w, "[]", 1, options_).http_status, 200);
  EXPECT_EQ(receiver.connections(), 1);
}

TEST_F(DispatcherTest, OutcomeOfADeletedWebhookIsDropped) {
  Receiver receiver;
  receiver.Answer(500, 400ms);
  AddWebhook(receiver.Url());
  AddEvents(1);
  Dispatcher d = Make();
  std::thread posting([&] { EXPECT_TRUE(DeliverOne(d)); });
  for (int i = 0; i < 100 && receiver.requests().empty(); ++i) std::this_thread::sleep_for(5ms);
  // Deleted while its batch is posted, and its id taken again by a new one.
  ASSERT_TRUE(runner()
                  .Write([](store::SqlSession& s) {
                    return store::events::DeleteWebhook(s, 1, 1).status();
                  })
                  .ok());
  std::this_thread::sleep_for(5ms);
  AddWebhook(receiver.Url());
  posting.join();
  EXPECT_TRUE(Attempts().empty());  // the old one's failure is not the new one's
}

TEST_F(DispatcherTest, WorkersDeliverInTheBackground) {
  Receiver receiver;
  AddWebhook(receiver.Url());
  AddEvents(7);
  options_.poll = 20ms;
  Dispatcher d = Make();
  d.Start();
  for (int i = 0; i < 300 && receiver.requests().size() < 3; ++i) std::this_thread::sleep_for(10ms);
  d.Stop();
  std::size_t events = 0;
  for (const auto& r : receiver.requests()) events += nlohmann::json::parse(r.body).size();
  EXPECT_EQ(events, 7u);
}

}  // namespace
}  // namespace campaignd::webhook
