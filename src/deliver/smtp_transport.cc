#include "deliver/smtp_transport.h"

#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <set>
#include <thread>

#include "core/limits.h"
#include "core/log_text.h"
#include "core/percent_encoding.h"
#include "deliver/curl_init.h"
#include "deliver/smtp_transcript.h"

namespace campaignd::deliver {
namespace {

// Status unless libcurl can speak SMTP (and TLS when `need_tls`).
Status CheckCurlFeatures(bool need_tls) {
  const curl_version_info_data* info = curl_version_info(CURLVERSION_NOW);
  bool smtp = false;
  for (const char* const* p = info->protocols; *p != nullptr; ++p) {
    if (std::strcmp(*p, "smtp") == 0) smtp = true;
  }
  if (!smtp) return Status::InvalidArgument("this libcurl cannot speak SMTP");
  if (need_tls && (info->features & CURL_VERSION_SSL) == 0) {
    return Status::InvalidArgument("this libcurl has no TLS support");
  }
  return Status::Ok();
}

// libcurl uses the URL path as the EHLO name; credentials go in options.
std::string CurlUrl(const SmtpSettings& s) {
  return std::string(s.implicit_tls ? "smtps://" : "smtp://") + s.host + ":" +
         std::to_string(s.port) + "/" + PercentEncode(s.helo, ".-");
}

long UseSsl(const SmtpSettings& s) {
  if (s.implicit_tls) return CURLUSESSL_ALL;
  switch (s.starttls) {
    case StartTls::kRequired:
      return CURLUSESSL_ALL;
    case StartTls::kOptional:
      return CURLUSESSL_TRY;
    case StartTls::kNever:
      return CURLUSESSL_NONE;
  }
  return CURLUSESSL_ALL;
}

// An envelope address goes into an SMTP command: printable ASCII only, no
// angle brackets, and of sane length. Empty is allowed for the sender only.
bool IsSafeEnvelopeAddress(std::string_view address) {
  if (address.size() > limits::kMaxAddressBytes) return false;
  for (char c : address) {
    if (c <= ' ' || c >= 0x7f || c == '<' || c == '>') return false;
  }
  return true;
}

using Clock = std::chrono::steady_clock;

// "60 s", "500 ms": a phase limit as a reply states it.
std::string LimitText(std::chrono::milliseconds limit) {
  if (limit.count() % 1000 == 0) return std::to_string(limit.count() / 1000) + " s";
  return std::to_string(limit.count()) + " ms";
}

}  // namespace

// Guarded by Watchdog::mu_ (a socket must not be shut down after libcurl
// closed it: its number may already belong to another connection).
struct SmtpTransport::Session {
  explicit Session(CURL* h) : easy(h) {}
  ~Session() { curl_easy_cleanup(easy); }  // may call CloseSocket for `this`
  CURL* const easy;
  std::vector<curl_socket_t> sockets;  // open sockets of this handle
};

namespace {

// State of one curl_easy_perform, reached from libcurl's callbacks.
struct Attempt {
  std::string_view message;
  std::size_t offset = 0;
  SmtpTranscript transcript;
  const SmtpTimeouts* timeouts = nullptr;
  SmtpTransport::Session* session = nullptr;
  // Guarded by Watchdog::mu_: the running phase's end, and what it waits
  // for; the attempt's end (timeouts->attempt after its start).
  Clock::time_point attempt_deadline = Clock::time_point::max();
  Clock::time_point deadline = Clock::time_point::max();
  std::chrono::milliseconds limit{0};
  std::string waiting_for;
  bool timed_out = false;
};

// The one thread that ends waits that ran out: it shuts the socket of an
// overdue attempt down, so libcurl's blocked read or write fails at once.
class Watchdog {
 public:
  static Watchdog& Get() {
    static Watchdog* watchdog = new Watchdog();  // never destroyed: threads may use it at exit
    return *watchdog;
  }

  void Add(Attempt* a) {
    std::lock_guard lock(mu_);
    attempts_.insert(a);
    if (!started_) {
      started_ = true;
      std::thread([this] { Run(); }).detach();
    }
  }
  void Remove(Attempt* a) {
    std::lock_guard lock(mu_);
    attempts_.erase(a);
  }
  // From now, `a` may wait `limit` for `what`.
  void Arm(Attempt* a, std::chrono::milliseconds limit, std::string what) {
    std::lock_guard lock(mu_);
    a->deadline = Clock::now() + limit;
    a->limit = limit;
    a->waiting_for = std::move(what);
    if (a->deadline > a->attempt_deadline) {
      a->deadline = a->attempt_deadline;
      a->limit = a->timeouts->attempt;
      a->waiting_for = "for the whole attempt (" + a->waiting_for + ")";
    }
  }
  // What timed out ("timed out after 60 s waiting for the reply to RCPT"),
  // or "" when nothing did.
  std::string TimedOut(const Attempt* a) {
    std::lock_guard lock(mu_);
    if (!a->timed_out) return "";
    return "timed out after " + LimitText(a->limit) + " " + a->waiting_for;
  }
  void Opened(SmtpTransport::Session* s, curl_socket_t fd) {
    std::lock_guard lock(mu_);
    s->sockets.push_back(fd);
  }
  void Closing(SmtpTransport::Session* s, curl_socket_t fd) {
    std::lock_guard lock(mu_);
    std::erase(s->sockets, fd);
  }

 private:
  void Run() {
    for (;;) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      std::lock_guard lock(mu_);
      const Clock::time_point now = Clock::now();
      for (Attempt* a : attempts_) {
        if (a->timed_out || now < a->deadline) continue;
        a->timed_out = true;
        for (curl_socket_t fd : a->session->sockets) ::shutdown(fd, SHUT_RDWR);
      }
    }
  }

  std::mutex mu_;
  std::set<Attempt*> attempts_;  // guarded by mu_
  bool started_ = false;         // guarded by mu_
};

size_t ReadMessage(char* buffer, size_t size, size_t count, void* user) {
  auto* attempt = static_cast<Attempt*>(user);
  if (attempt == nullptr) return 0;
  std::string_view rest = attempt->message.substr(attempt->offset);
  size_t n = std::min(rest.size(), size * count);
  std::memcpy(buffer, rest.data(), n);
  attempt->offset += n;
  // libcurl stops asking once it has the message's size: the last chunk
  // starts the wait for the final reply.
  if (attempt->offset < attempt->message.size()) {
    Watchdog::Get().Arm(attempt, attempt->timeouts->data, "sending the message");
  } else {
    Watchdog::Get().Arm(attempt, attempt->timeouts->data_done,
                        "waiting for the reply to the end of the message");
  }
  return n;
}

// True when `data` ends with the last line of a reply ("250 ok", not "250-").
bool EndsReply(std::string_view data) {
  while (!data.empty() && (data.back() == '\r' || data.back() == '\n')) data.remove_suffix(1);
  std::size_t start = data.rfind('\n');
  std::string_view line = start == std::string_view::npos ? data : data.substr(start + 1);
  return line.size() == 3 || (line.size() > 3 && line[3] == ' ');
}

int OnCurlDebug(CURL*, curl_infotype type, char* data, size_t size, void* user) {
  auto* attempt = static_cast<Attempt*>(user);
  if (attempt == nullptr) return 0;  // between transfers (a cached connection closing)
  std::string_view text(data, size);
  Watchdog& watchdog = Watchdog::Get();
  const SmtpTimeouts& t = *attempt->timeouts;
  if (type == CURLINFO_TEXT && text.starts_with("Connected to ")) {
    watchdog.Arm(attempt, t.greeting, "waiting for the greeting");
  } else if (type == CURLINFO_HEADER_OUT) {
    attempt->transcript.OnCommandLine(text);
    watchdog.Arm(attempt, t.command,
                 "waiting for the reply to " + attempt->transcript.last_command());
  } else if (type == CURLINFO_HEADER_IN) {
    attempt->transcript.OnReplyLine(text);
    if (EndsReply(text)) {
      if (attempt->transcript.last_code() == 354) {
        watchdog.Arm(attempt, t.data, "sending the message");
      } else if (attempt->transcript.last_reply_command() == "STARTTLS") {
        watchdog.Arm(attempt, t.command, "in the TLS handshake after STARTTLS");
      } else {
        watchdog.Arm(attempt, t.command, "after the reply to " +
                                             attempt->transcript.last_reply_command());
      }
    }
  }
  return 0;
}

curl_socket_t OpenSocket(void* user, curlsocktype, curl_sockaddr* address) {
  curl_socket_t fd = ::socket(address->family, address->socktype | SOCK_CLOEXEC,
                              address->protocol);
  if (fd != CURL_SOCKET_BAD) {
    Watchdog::Get().Opened(static_cast<SmtpTransport::Session*>(user), fd);
  }
  return fd;
}

int CloseSocket(void* user, curl_socket_t fd) {
  Watchdog::Get().Closing(static_cast<SmtpTransport::Session*>(user), fd);
  return ::close(fd);
}

}  // namespace

Result<std::unique_ptr<Transport>> SmtpTransport::Open(SmtpSettings settings,
                                                       const TransportOptions& options,
                                                       std::string described) {
  if (!InitCurl()) return Status::Internal("curl_global_init failed");
  CAMPAIGND_RETURN_IF_ERROR(
      CheckCurlFeatures(settings.implicit_tls || settings.starttls != StartTls::kNever));
  if (!settings.cafile.empty() && ::access(settings.cafile.c_str(), R_OK) != 0) {
    return Status::InvalidArgument("cafile " + settings.cafile + ": " + std::strerror(errno));
  }
  if (!settings.verify) {
    spdlog::warn("transport {}: TLS certificates of the relay are NOT verified (verify=false)",
                 described);
  }
  return std::unique_ptr<Transport>(
      new SmtpTransport(std::move(settings), options, std::move(described)));
}

SmtpTransport::SmtpTransport(SmtpSettings settings, const TransportOptions& options,
                             std::string described)
    : settings_(std::move(settings)),
      options_(options),
      described_(std::move(described)),
      curl_url_(CurlUrl(settings_)),
      limiter_(settings_.rate_per_second, kRelayBurst) {}

SmtpTransport::~SmtpTransport() = default;

SmtpTransport::EasyHandle SmtpTransport::NewHandle() const {
  CURL* h = curl_easy_init();
  if (h == nullptr) return nullptr;
  auto session = std::make_unique<Session>(h);
  const SmtpTimeouts& t = options_.timeouts;
  // libcurl's own reply timeout is the backstop (a QUIT while a cached
  // connection is closed, outside any attempt); the watchdog is tighter.
  const long reply_backstop_s = static_cast<long>(
      std::chrono::ceil<std::chrono::seconds>(std::max({t.greeting, t.command, t.data_done}))
          .count());
  CURLcode rc = CURLE_OK;
  auto set = [&rc](CURLcode r) {
    if (rc == CURLE_OK) rc = r;
  };
  set(curl_easy_setopt(h, CURLOPT_URL, curl_url_.c_str()));
  set(curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "smtp,smtps"));
  set(curl_easy_setopt(h, CURLOPT_USE_SSL, UseSsl(settings_)));
  if (!settings_.cafile.empty()) set(curl_easy_setopt(h, CURLOPT_CAINFO, settings_.cafile.c_str()));
  if (!settings_.verify) {
    set(curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L));
    set(curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L));
  }
  if (!settings_.user.empty()) {
    set(curl_easy_setopt(h, CURLOPT_USERNAME, settings_.user.c_str()));
    set(curl_easy_setopt(h, CURLOPT_PASSWORD, settings_.password.c_str()));
  }
  set(curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(t.connect.count())));
  set(curl_easy_setopt(h, CURLOPT_SERVER_RESPONSE_TIMEOUT, std::max(1L, reply_backstop_s)));
  set(curl_easy_setopt(h, CURLOPT_OPENSOCKETFUNCTION, OpenSocket));
  set(curl_easy_setopt(h, CURLOPT_OPENSOCKETDATA, session.get()));
  set(curl_easy_setopt(h, CURLOPT_CLOSESOCKETFUNCTION, CloseSocket));
  set(curl_easy_setopt(h, CURLOPT_CLOSESOCKETDATA, session.get()));
  set(curl_easy_setopt(h, CURLOPT_MAXAGE_CONN, static_cast<long>(options_.idle_reuse.count())));
  set(curl_easy_setopt(h, CURLOPT_MAXCONNECTS, 1L));  // one relay, one session per handle
  set(curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L));
  set(curl_easy_setopt(h, CURLOPT_UPLOAD, 1L));
  set(curl_easy_setopt(h, CURLOPT_READFUNCTION, ReadMessage));
  set(curl_easy_setopt(h, CURLOPT_DEBUGFUNCTION, OnCurlDebug));
  set(curl_easy_setopt(h, CURLOPT_VERBOSE, 1L));  // feeds OnCurlDebug; prints nothing
  if (rc != CURLE_OK) {
    spdlog::error("transport {}: libcurl refused an option: {}", described_,
                  curl_easy_strerror(rc));
    return nullptr;
  }
  return session;
}

SmtpTransport::EasyHandle SmtpTransport::AcquireHandle(bool* reused) {
  *reused = false;
  {
    std::unique_lock<std::mutex> lock(mu_);
    handle_freed_.wait(lock,
                       [this] { return !idle_.empty() || open_handles_ < settings_.connections; });
    if (!idle_.empty()) {
      EasyHandle easy = std::move(idle_.back());
      idle_.pop_back();
      *reused = true;
      return easy;
    }
    ++open_handles_;
  }
  EasyHandle easy = NewHandle();
  if (!easy) ReleaseHandle(nullptr, false);
  return easy;
}

void SmtpTransport::ReleaseHandle(EasyHandle easy, bool reusable) {
  if (!reusable) easy.reset();  // closes its connection, outside the lock
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (easy) {
      idle_.push_back(std::move(easy));
    } else {
      --open_handles_;
    }
  }
  handle_freed_.notify_one();
}

DeliveryResult SmtpTransport::Transfer(Session& session, const Envelope& envelope,
                                       std::string_view message, bool fresh, bool* retry) {
  CURL* easy = session.easy;
  Attempt attempt;
  attempt.message = message;
  attempt.timeouts = &options_.timeouts;
  attempt.session = &session;
  char error_buffer[CURL_ERROR_SIZE] = {};
  curl_slist* rcpt = curl_slist_append(nullptr, envelope.rcpt_to.c_str());
  curl_easy_setopt(easy, CURLOPT_MAIL_FROM, envelope.mail_from.c_str());
  curl_easy_setopt(easy, CURLOPT_MAIL_RCPT, rcpt);
  curl_easy_setopt(easy, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(message.size()));
  curl_easy_setopt(easy, CURLOPT_READDATA, &attempt);
  curl_easy_setopt(easy, CURLOPT_DEBUGDATA, &attempt);
  curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, error_buffer);
  curl_easy_setopt(easy, CURLOPT_FRESH_CONNECT, fresh ? 1L : 0L);
  Watchdog& watchdog = Watchdog::Get();
  attempt.attempt_deadline = Clock::now() + options_.timeouts.attempt;
  // Until libcurl says it is connected: its own connect timeout, then the
  // greeting (a reused session's first event is its MAIL command).
  watchdog.Arm(&attempt, options_.timeouts.connect + options_.timeouts.greeting,
               "waiting for the greeting");
  watchdog.Add(&attempt);
  CURLcode rc = rcpt != nullptr ? curl_easy_perform(easy) : CURLE_OUT_OF_MEMORY;
  watchdog.Remove(&attempt);
  long code = 0;
  long new_connections = 0;
  curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &code);
  curl_easy_getinfo(easy, CURLINFO_NUM_CONNECTS, &new_connections);
  // The handle outlives this frame: unhook everything that points into it.
  curl_easy_setopt(easy, CURLOPT_MAIL_RCPT, nullptr);
  curl_easy_setopt(easy, CURLOPT_READDATA, nullptr);
  curl_easy_setopt(easy, CURLOPT_DEBUGDATA, nullptr);
  curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, nullptr);
  curl_slist_free_all(rcpt);

  const std::string timed_out = watchdog.TimedOut(&attempt);
  if (rc != CURLE_OK && !timed_out.empty()) {
    *retry = false;  // the relay is slow, not a dead cached session
    return {DeliveryKind::kTemporaryFailure, 0, timed_out};
  }
  std::string error_text = curl_easy_strerror(rc);
  if (error_buffer[0] != '\0') error_text += std::string(": ") + error_buffer;
  *retry = rc != CURLE_OK && !fresh && new_connections == 0 && !attempt.transcript.heard_anything();
  return ClassifySmtpOutcome(rc == CURLE_OK, static_cast<int>(code), attempt.transcript,
                             error_text);
}

DeliveryResult SmtpTransport::Deliver(const Envelope& envelope, std::string_view message) {
  if (envelope.rcpt_to.empty() || !IsSafeEnvelopeAddress(envelope.rcpt_to) ||
      !IsSafeEnvelopeAddress(envelope.mail_from)) {
    return {DeliveryKind::kPermanentFailure, 0,
            "envelope address unusable in SMTP (empty recipient, control character, space, "
            "angle bracket or too long)"};
  }
  bool reused = false;
  EasyHandle easy = AcquireHandle(&reused);
  if (!easy) return {DeliveryKind::kTemporaryFailure, 0, "libcurl could not make a handle"};
  limiter_.Acquire();
  bool retry = false;
  DeliveryResult result = Transfer(*easy, envelope, message, /*fresh=*/false, &retry);
  if (retry && reused) {
    spdlog::debug("transport {}: cached session was dead ({}); retrying on a new connection",
                  described_, LogText(result.reply));
    result = Transfer(*easy, envelope, message, /*fresh=*/true, &retry);
  }
  ReleaseHandle(std::move(easy), result.kind == DeliveryKind::kDelivered);
  spdlog::debug("transport {}: mail {} to {}: {}", described_, envelope.mail_id,
                LogText(envelope.rcpt_to), LogText(result.reply));
  return result;
}

}  // namespace campaignd::deliver
