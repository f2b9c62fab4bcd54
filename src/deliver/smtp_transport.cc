#include "deliver/smtp_transport.h"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cstring>
#include <mutex>

#include "core/limits.h"
#include "core/percent_encoding.h"
#include "deliver/smtp_transcript.h"

namespace campaignd::deliver {
namespace {

// libcurl's global state is set up once per process and never torn down
// (other threads may still hold handles at exit).
bool InitCurlOnce() {
  static std::once_flag once;
  static CURLcode result = CURLE_OK;
  std::call_once(once, [] { result = curl_global_init(CURL_GLOBAL_DEFAULT); });
  return result == CURLE_OK;
}

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

// State of one curl_easy_perform, reached from libcurl's callbacks.
struct Attempt {
  std::string_view message;
  std::size_t offset = 0;
  SmtpTranscript transcript;
};

size_t ReadMessage(char* buffer, size_t size, size_t count, void* user) {
  auto* attempt = static_cast<Attempt*>(user);
  if (attempt == nullptr) return 0;
  std::string_view rest = attempt->message.substr(attempt->offset);
  size_t n = std::min(rest.size(), size * count);
  std::memcpy(buffer, rest.data(), n);
  attempt->offset += n;
  return n;
}

int OnCurlDebug(CURL*, curl_infotype type, char* data, size_t size, void* user) {
  auto* attempt = static_cast<Attempt*>(user);
  if (attempt == nullptr) return 0;  // between transfers (a cached connection closing)
  std::string_view text(data, size);
  if (type == CURLINFO_HEADER_IN) attempt->transcript.OnReplyLine(text);
  if (type == CURLINFO_HEADER_OUT) attempt->transcript.OnCommandLine(text);
  return 0;
}

}  // namespace

Result<std::unique_ptr<Transport>> SmtpTransport::Open(SmtpSettings settings,
                                                       const TransportOptions& options,
                                                       std::string described) {
  if (!InitCurlOnce()) return Status::Internal("curl_global_init failed");
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
  EasyHandle easy(curl_easy_init());
  if (!easy) return nullptr;
  CURL* h = easy.get();
  const long timeout_ms = static_cast<long>(
      std::chrono::duration_cast<std::chrono::milliseconds>(options_.timeout).count());
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
  set(curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, timeout_ms));
  set(curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms));
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
  return easy;
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

DeliveryResult SmtpTransport::Transfer(CURL* easy, const Envelope& envelope,
                                       std::string_view message, bool fresh, bool* retry) {
  Attempt attempt;
  attempt.message = message;
  char error_buffer[CURL_ERROR_SIZE] = {};
  curl_slist* rcpt = curl_slist_append(nullptr, envelope.rcpt_to.c_str());
  curl_easy_setopt(easy, CURLOPT_MAIL_FROM, envelope.mail_from.c_str());
  curl_easy_setopt(easy, CURLOPT_MAIL_RCPT, rcpt);
  curl_easy_setopt(easy, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(message.size()));
  curl_easy_setopt(easy, CURLOPT_READDATA, &attempt);
  curl_easy_setopt(easy, CURLOPT_DEBUGDATA, &attempt);
  curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, error_buffer);
  curl_easy_setopt(easy, CURLOPT_FRESH_CONNECT, fresh ? 1L : 0L);
  CURLcode rc = rcpt != nullptr ? curl_easy_perform(easy) : CURLE_OUT_OF_MEMORY;
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
  DeliveryResult result = Transfer(easy.get(), envelope, message, /*fresh=*/false, &retry);
  if (retry && reused) {
    spdlog::debug("transport {}: cached session was dead ({}); retrying on a new connection",
                  described_, result.reply);
    result = Transfer(easy.get(), envelope, message, /*fresh=*/true, &retry);
  }
  ReleaseHandle(std::move(easy), result.kind == DeliveryKind::kDelivered);
  spdlog::debug("transport {}: mail {} to {}: {}", described_, envelope.mail_id, envelope.rcpt_to,
                result.reply);
  return result;
}

}  // namespace campaignd::deliver
