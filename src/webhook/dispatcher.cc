#include "webhook/dispatcher.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <openssl/rand.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <unistd.h>

#include <memory>
#include <mutex>

#include "core/hex.h"
#include "core/mail_id.h"
#include "deliver/curl_init.h"
#include "webhook/address_guard.h"
#include "webhook/payload.h"
#include "webhook/signature.h"
#include "webhook/subscription.h"

namespace campaignd::webhook {
namespace {

using std::chrono::milliseconds;
using store::events::Attempt;
using store::events::StoredEvent;
using store::events::Webhook;
using store::events::WebhookAuth;

// An answer larger than this is cut off (its first 1 KiB is all we keep).
constexpr std::size_t kMaxAnswerBytes = 1 << 20;

struct Request {
  bool allow_private = false;
  std::string refused;  // why a socket was refused (the SSRF guard)
  std::string answer;   // the first kResponseKept bytes
  std::size_t answer_bytes = 0;
};

curl_socket_t OpenSocket(void* data, curlsocktype purpose, curl_sockaddr* address) {
  auto* request = static_cast<Request*>(data);
  if (purpose != CURLSOCKTYPE_IPCXN) return CURL_SOCKET_BAD;
  if (!request->allow_private) {
    std::string_view range = ForbiddenRange(&address->addr);
    if (!range.empty()) {
      char host[INET6_ADDRSTRLEN + 8] = "?";
      if (address->family == AF_INET) {
        inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(&address->addr)->sin_addr, host,
                  sizeof host);
      } else if (address->family == AF_INET6) {
        inet_ntop(AF_INET6, &reinterpret_cast<sockaddr_in6*>(&address->addr)->sin6_addr, host,
                  sizeof host);
      }
      // The address goes to the server log only: the attempt is shown to the
      // client (/attempts), who must not learn how internal names resolve.
      spdlog::warn("webhooks: refused {}, a {} address (webhooks_allow_private is off)", host,
                   range);
      request->refused =
          "refused: the target is a private or internal address (webhooks_allow_private is off; "
          "nothing was sent)";
      return CURL_SOCKET_BAD;
    }
  }
  return socket(address->family, address->socktype, address->protocol);
}

std::size_t KeepAnswer(char* data, std::size_t size, std::size_t count, void* user) {
  auto* request = static_cast<Request*>(user);
  const std::size_t n = size * count;
  if (request->answer.size() < store::events::kResponseKept) {
    request->answer.append(data,
                           std::min(n, store::events::kResponseKept - request->answer.size()));
  }
  request->answer_bytes += n;
  return request->answer_bytes > kMaxAnswerBytes ? 0 : n;  // 0: stop reading
}

struct CurlFree {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};

// Whether the subscription `leased` is still the one leased: deleted
// while its batch was posted, and perhaps its id taken by a new one (ids are
// handed out MAX + 1), the outcome belongs to nothing and is dropped.
Result<bool> StillLeased(store::SqlSession& session, const Webhook& leased) {
  Result<std::optional<Webhook>> now =
      store::events::FindWebhook(session, leased.client_id, leased.id);
  if (!now.ok()) return now.status();
  return now->has_value() && (*now)->created_at == leased.created_at;
}

std::string NewOwner() {
  unsigned char rnd[4] = {};
  RAND_bytes(rnd, sizeof rnd);
  return "webhook-" + std::to_string(getpid()) + "-" +
         HexLower(std::string_view(reinterpret_cast<const char*>(rnd), sizeof rnd));
}

}  // namespace

PostResult Post(const Webhook& webhook, const std::string& body, int64_t unix_seconds,
                const DispatcherOptions& options) {
  PostResult result;
  const auto started = std::chrono::steady_clock::now();
  const auto finish = [&] {
    result.duration =
        std::chrono::duration_cast<milliseconds>(std::chrono::steady_clock::now() - started);
    return result;
  };
  if (auto problem = UrlProblem(webhook.url)) {
    result.error = "url: " + *problem;
    return finish();
  }
  if (!deliver::InitCurl()) {
    result.error = "curl_global_init failed";
    return finish();
  }
  std::unique_ptr<CURL, CurlFree> curl(curl_easy_init());
  if (!curl) {
    result.error = "curl_easy_init failed";
    return finish();
  }
  Request request;
  request.allow_private = options.allow_private;
  CURL* c = curl.get();
  curl_easy_setopt(c, CURLOPT_URL, webhook.url.c_str());
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(c, CURLOPT_PROXY, "");  // never a proxy from the environment
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(options.timeout.count()));
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options.timeout.count()));
  curl_easy_setopt(c, CURLOPT_OPENSOCKETFUNCTION, OpenSocket);
  curl_easy_setopt(c, CURLOPT_OPENSOCKETDATA, &request);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, KeepAnswer);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &request);
  curl_easy_setopt(c, CURLOPT_POST, 1L);
  curl_easy_setopt(c, CURLOPT_POSTFIELDS, body.data());
  curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  const std::string signature = std::string(kSignatureHeader) + ": " +
                                Signature(SigningKey(webhook.signing_secret), unix_seconds, body);
  curl_slist* headers = nullptr;
  headers = curl_slist_append(headers, "Content-Type: application/json");
  headers = curl_slist_append(headers, signature.c_str());
  headers = curl_slist_append(headers, "User-Agent: campaignd-webhook");
  headers = curl_slist_append(headers, "Expect:");
  std::string key_header;
  if (webhook.auth == WebhookAuth::kKeyAuth) {
    key_header = webhook.auth_name + ": " + webhook.auth_secret;
    headers = curl_slist_append(headers, key_header.c_str());
  } else if (webhook.auth == WebhookAuth::kBasicAuth) {
    curl_easy_setopt(c, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
    curl_easy_setopt(c, CURLOPT_USERNAME, webhook.auth_name.c_str());
    curl_easy_setopt(c, CURLOPT_PASSWORD, webhook.auth_secret.c_str());
  }
  std::unique_ptr<curl_slist, CurlFree> header_list(headers);
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
  char curl_error[CURL_ERROR_SIZE] = "";
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, curl_error);

  const CURLcode code = curl_easy_perform(c);
  long status = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
  result.response = std::move(request.answer);
  if (!request.refused.empty()) {
    result.error = request.refused;
    return finish();
  }
  if (code != CURLE_OK && !(code == CURLE_WRITE_ERROR && status != 0)) {
    result.error = code == CURLE_OPERATION_TIMEDOUT
                       ? "timeout after " + std::to_string(options.timeout.count()) + " ms"
                       : std::string(curl_easy_strerror(code)) +
                             (curl_error[0] != '\0' ? std::string(": ") + curl_error : "");
    return finish();
  }
  result.http_status = static_cast<int>(status);
  if (status >= 300 && status < 400) {
    result.error = "redirect not followed (webhook targets must answer themselves)";
  } else if (!result.ok()) {
    result.error = "HTTP " + std::to_string(status);
  }
  return finish();
}

Dispatcher::Dispatcher(store::SqlRunner& runner, store::Directory& directory, const Clock& clock,
                       DispatcherOptions options)
    : runner_(runner), directory_(directory), clock_(clock), options_(std::move(options)) {
  if (options_.owner.empty()) options_.owner = NewOwner();
  if (options_.workers < 1) options_.workers = 1;
  if (options_.batch < 1) options_.batch = 1;
}

Dispatcher::~Dispatcher() { Stop(); }

void Dispatcher::Start() {
  deliver::InitCurl();
  std::lock_guard lock(mu_);
  stopping_ = false;
  for (int i = 0; i < options_.workers; ++i) threads_.emplace_back([this] { Work(); });
}

void Dispatcher::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  for (std::thread& t : threads_) t.join();
  threads_.clear();
}

void Dispatcher::Wake() {
  {
    std::lock_guard lock(mu_);
    ++wakes_;
  }
  cv_.notify_all();
}

bool Dispatcher::Sleep(milliseconds d) {
  std::unique_lock lock(mu_);
  const uint64_t wakes = wakes_;
  cv_.wait_for(lock, d, [&] { return stopping_ || wakes_ != wakes; });
  return !stopping_;
}

std::string Dispatcher::MailIdText(int64_t client_id, int64_t mail_seq) {
  Result<std::optional<store::Client>> client = directory_.FindClient(client_id);
  if (!client.ok() || !client->has_value() || (*client)->mail_id_secret.empty() || mail_seq <= 0) {
    return "";
  }
  return MailId::Make(client_id, mail_seq, (*client)->mail_id_secret).ToString();
}

Result<bool> Dispatcher::DeliverOne() {
  const milliseconds lease = options_.timeout + options_.batch_wait + std::chrono::seconds(30);
  Result<std::optional<Webhook>> leased =
      store::WriteResult<std::optional<Webhook>>(runner_, [&](store::SqlSession& session) {
        return store::events::LeaseDue(session, options_.owner, clock_.Now(), lease);
      });
  if (!leased.ok()) return leased.status();
  if (!leased->has_value()) return false;
  const Webhook& webhook = **leased;
  const auto next_batch = [&] {
    return store::ReadResult<std::vector<StoredEvent>>(runner_, [&](store::SqlSession& session) {
      return store::events::NextBatch(session, webhook.client_id, webhook.id, options_.batch);
    });
  };
  Result<std::vector<StoredEvent>> batch = next_batch();
  if (!batch.ok()) return batch.status();
  // A batch that is not full waits for more up to batch_wait after its oldest event.
  if (!batch->empty() && static_cast<int>(batch->size()) < options_.batch) {
    const TimePoint ready = batch->front().event.at + options_.batch_wait;
    const TimePoint now = clock_.Now();
    if (ready > now) {
      Sleep(std::min(std::chrono::duration_cast<milliseconds>(ready - now), options_.batch_wait));
      batch = next_batch();
      if (!batch.ok()) return batch.status();
    }
  }
  Attempt attempt;
  attempt.client_id = webhook.client_id;
  attempt.webhook_id = webhook.id;
  attempt.at = clock_.Now();
  std::vector<int64_t> ids;
  ids.reserve(batch->size());
  for (const StoredEvent& e : *batch) ids.push_back(e.id);
  if (!ids.empty()) {
    attempt.first_event_id = ids.front();
    attempt.events = static_cast<int>(ids.size());
    const std::string body = PayloadJson(
        *batch, [this](int64_t client, int64_t seq) { return MailIdText(client, seq); });
    const int64_t t = ToUnixMillis(attempt.at) / 1000;
    PostResult posted = Post(webhook, body, t, options_);
    attempt.http_status = posted.http_status;
    attempt.error = posted.error;
    attempt.duration = posted.duration;
    attempt.response = std::move(posted.response);
    if (!posted.ok()) {
      Result<bool> suspended =
          store::WriteResult<bool>(runner_, [&](store::SqlSession& session) -> Result<bool> {
            Result<bool> same = StillLeased(session, webhook);
            if (!same.ok() || !*same) return same;
            return store::events::Failed(session, attempt, options_.retry_base);
          });
      if (!suspended.ok()) return suspended.status();
      if (*suspended) {
        spdlog::warn("webhook {} of client {} suspended after failing for 24 h: {}", webhook.id,
                     webhook.client_id, attempt.error);
      } else {
        spdlog::info("webhook {} of client {}: {} events not delivered: {}", webhook.id,
                     webhook.client_id, attempt.events, attempt.error);
      }
      return true;
    }
  }
  // Delivered; an empty batch (its rows gone since the lease: deleted or
  // purged) only releases the lease, with no attempt recorded.
  Status s = runner_.Write([&](store::SqlSession& session) -> Status {
    Result<bool> same = StillLeased(session, webhook);
    if (!same.ok()) return same.status();
    if (!*same) return Status::Ok();
    if (ids.empty()) return store::events::ReleaseLease(session, webhook.client_id, webhook.id);
    return store::events::Delivered(session, attempt, ids);
  });
  if (!s.ok()) return s;
  return true;
}

void Dispatcher::Work() {
  while (true) {
    {
      std::lock_guard lock(mu_);
      if (stopping_) return;
    }
    // Idle cost: one read of "a due, activated subscription with outbox
    // rows?" per poll; the lease (a write) only when there is one, so
    // rows waiting for a suspended or backing-off receiver cost no writes.
    const TimePoint now = clock_.Now();
    Result<bool> due = store::ReadResult<bool>(
        runner_, [&](store::SqlSession& session) { return store::events::AnyDue(session, now); });
    if (!due.ok()) {
      spdlog::warn("webhooks: {}", due.status().ToString());
      if (!Sleep(options_.poll)) return;
      continue;
    }
    if (!*due) {
      if (!Sleep(options_.poll)) return;
      continue;
    }
    Result<bool> delivered = DeliverOne();
    if (!delivered.ok()) {
      spdlog::warn("webhooks: {}", delivered.status().ToString());
      if (!Sleep(options_.poll)) return;
    } else if (!*delivered) {
      if (!Sleep(options_.poll)) return;
    }
  }
}

}  // namespace campaignd::webhook
