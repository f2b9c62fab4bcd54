#include "events/smtp_server.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/ip/host_name.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <cassert>
#include <charconv>
#include <condition_variable>
#include <exception>
#include <map>
#include <mutex>

#include "core/log_text.h"
#include "events/smtp_data.h"
#include "events/smtp_path.h"
#include "http/access_log.h"
#include "http/client_origin.h"
#include "http/header_value.h"
#include "http/listen.h"

namespace campaignd::events {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using Strand = asio::strand<asio::io_context::executor_type>;
using Acceptor = asio::basic_socket_acceptor<tcp, Strand>;
constexpr auto kAwaitTuple = asio::as_tuple(asio::use_awaitable);

// Bytes asked for by one read.
constexpr std::size_t kReadChunkBytes = 64 * 1024;
// A policy's reject text and queue ID are cut to these lengths in a reply.
constexpr std::size_t kMaxPolicyTextBytes = 400;
constexpr std::size_t kMaxQueueIdBytes = 64;
// After an accept error (e.g. out of file descriptors) wait this long.
constexpr std::chrono::milliseconds kAcceptErrorPause{100};

// `text` with every byte outside printable ASCII replaced by '?', at most
// `max_bytes`: what a policy says goes into one reply line.
std::string ReplyText(std::string_view text, std::size_t max_bytes) {
  std::string out(text.substr(0, max_bytes));
  for (char& c : out) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u >= 0x7F) c = '?';
  }
  return out;
}

// The greeting's host name: letters, digits, '.', '-' and '_' only.
std::string HostName(std::string configured) {
  if (configured.empty()) {
    boost::system::error_code ec;
    configured = asio::ip::host_name(ec);
  }
  std::string out;
  for (char c : configured) {
    if (std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_') {
      out += c;
    }
  }
  return out.empty() ? "localhost" : out;
}

// A line the command parser refuses outright: NUL, CR, other controls, DEL.
bool HasControlCharacter(std::string_view line) {
  return std::any_of(line.begin(), line.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return (u < 0x20 && c != '\t') || u == 0x7F;
  });
}

void LogCoroutineEnd(const char* what, std::exception_ptr e) {
  if (!e) return;
  try {
    std::rethrow_exception(e);
  } catch (const std::exception& ex) {
    spdlog::error("smtpd: {} ended with an exception: {}", what, LogText(ex.what()));
  }
}

// One connection's socket and its watchdog, shared by the session coroutine
// and the watchdog coroutine (both on the socket's strand).
struct Conn {
  explicit Conn(tcp::socket s) : socket(std::move(s)), timer(socket.get_executor()) {}

  // The current operation must end by now + `timeout`.
  void SetDeadline(Clock::duration timeout) { SetDeadlineAt(Clock::now() + timeout); }
  void SetDeadlineAt(Clock::time_point at) {
    deadline = at;
    if (deadline < timer.expiry()) timer.cancel();  // the watchdog re-arms earlier
  }
  // No deadline while the policy runs (the socket is not being used).
  void ClearDeadline() { deadline = Clock::time_point::max(); }
  void Close() {
    boost::system::error_code ignored;
    socket.close(ignored);
  }

  tcp::socket socket;
  std::optional<asio::ssl::stream<tcp::socket&>> tls;  // after STARTTLS
  asio::steady_timer timer;
  Clock::time_point deadline = Clock::time_point::max();
  bool timed_out = false;  // the watchdog cancelled an operation
  bool finished = false;   // the session ended; the watchdog exits
};

// Cancels the session's pending operation when its deadline passes.
asio::awaitable<void> Watchdog(std::shared_ptr<Conn> conn) {
  while (!conn->finished) {
    conn->timer.expires_at(conn->deadline);
    co_await conn->timer.async_wait(kAwaitTuple);
    if (conn->finished) break;
    if (Clock::now() >= conn->deadline) {
      conn->timed_out = true;
      conn->ClearDeadline();
      boost::system::error_code ignored;
      conn->socket.cancel(ignored);
    }
  }
}

}  // namespace

DeliverResult DeliverResult::Accepted(std::string queue_id) {
  DeliverResult r;
  r.kind = Kind::kAccepted;
  r.queue_id = std::move(queue_id);
  return r;
}

DeliverResult DeliverResult::Rejected(int code, std::string text) {
  DeliverResult r;
  r.kind = Kind::kRejected;
  r.code = code;
  r.text = std::move(text);
  return r;
}

DeliverResult DeliverResult::Tempfail() { return DeliverResult{}; }

struct SmtpServer::Shared {
  Shared(const SmtpServerOptions& o, const SmtpPolicy& p, asio::io_context& i,
         std::atomic<std::size_t>& s)
      : options(o), policy(p), io(i), sessions(s) {}

  // Registers an open connection for Stop(); returns its id.
  uint64_t Add(const std::shared_ptr<Conn>& conn) {
    std::lock_guard lock(mu);
    conns.emplace(next_id, conn);
    return next_id++;
  }
  void Remove(uint64_t id) {
    std::lock_guard lock(mu);
    conns.erase(id);
    if (conns.empty()) empty.notify_all();
  }
  bool stopping() {
    std::lock_guard lock(mu);
    return stopping_;
  }

  // Constant after Start().
  const SmtpServerOptions& options;
  const SmtpPolicy& policy;
  asio::io_context& io;
  std::atomic<std::size_t>& sessions;  // counted by the accept loop
  std::string hostname;
  asio::thread_pool* pool = nullptr;
  asio::ssl::context* tls = nullptr;  // null: no STARTTLS
  std::vector<std::unique_ptr<Acceptor>> acceptors;

  std::mutex mu;
  std::condition_variable empty;
  std::map<uint64_t, std::weak_ptr<Conn>> conns;  // guarded by mu
  uint64_t next_id = 1;                           // guarded by mu
  bool stopping_ = false;                         // guarded by mu
};

namespace {

using Shared = SmtpServer::Shared;

// The policy's calls on the pool. Plain coroutine functions, not capturing
// lambdas (see http/blocking_call.cc: g++ 12 and init-captures).
asio::awaitable<RecipientVerdict> CheckRecipientGuarded(const SmtpPolicy& policy,
                                                        std::string address) {
  try {
    co_return policy.check_recipient(address);
  } catch (const std::exception& e) {
    spdlog::error("smtpd: the recipient check threw: {}", LogText(e.what()));
    co_return RecipientVerdict::kTempfail;
  }
}

asio::awaitable<DeliverResult> DeliverGuarded(const SmtpPolicy& policy, const Envelope& envelope,
                                              std::string message) {
  try {
    co_return policy.deliver(envelope, std::move(message));
  } catch (const std::exception& e) {
    spdlog::error("smtpd: delivery threw: {}", LogText(e.what()));
    co_return DeliverResult::Tempfail();
  }
}

// One SMTP session (RFC 5321 §4.1, §4.3.2 for the reply codes; enhanced
// codes RFC 3463). Replies are collected in out_ and written when the
// client's input holds no complete command (RFC 2920 PIPELINING), before
// the message is read after 354, before the TLS handshake, and at the end.
class Session {
 public:
  Session(Shared& shared, std::shared_ptr<Conn> conn, uint64_t id, std::string peer)
      : shared_(shared), options_(shared.options), conn_(std::move(conn)), id_(id) {
    envelope_.client_ip = std::move(peer);
  }

  asio::awaitable<void> Run();

 private:
  enum class Read { kLine, kTooLong, kEnd };
  enum class Next { kContinue, kEnd };

  asio::awaitable<bool> ReadMore(Clock::time_point deadline);
  asio::awaitable<Read> ReadLine(std::string* line);
  asio::awaitable<bool> Flush();
  asio::awaitable<Next> Command(std::string_view line);
  void Ehlo(std::string_view verb, std::string_view arg);
  void Mail(std::string_view arg);
  asio::awaitable<Next> Rcpt(std::string_view arg);
  asio::awaitable<Next> Data(std::string_view arg);
  asio::awaitable<Next> StartTls(std::string_view arg);

  // Appends one reply line; 4xx/5xx count as errors (except 421).
  void Reply(int code, std::string_view text) {
    fmt::format_to(std::back_inserter(out_), "{} {}\r\n", code, text);
    if (code >= 400 && code != 421) ++errors_;
  }
  // Reply(), then go on with the session.
  Next Say(int code, std::string_view text) {
    Reply(code, text);
    return Next::kContinue;
  }
  void ResetTransaction() {
    in_transaction_ = false;
    rcpt_tried_ = false;
    envelope_.sender.clear();
    envelope_.recipients.clear();
    envelope_.smtputf8 = false;
  }
  Next End(std::string_view result) {
    result_ = result;
    return Next::kEnd;
  }
  void LogEnd(Clock::time_point start) const;

  Shared& shared_;
  const SmtpServerOptions& options_;
  const std::shared_ptr<Conn> conn_;
  const uint64_t id_;

  std::string in_;  // bytes read, from pos_ on not yet used
  std::size_t pos_ = 0;
  bool discarding_ = false;  // an overlong line is being skipped
  std::string out_;          // replies not yet written

  bool esmtp_ = false;
  bool in_transaction_ = false;  // after a successful MAIL
  bool rcpt_tried_ = false;      // some RCPT was answered in this transaction
  Envelope envelope_;

  // For the log line.
  int errors_ = 0;
  int mails_ = 0;
  int accepted_ = 0;
  int rcpts_ = 0;
  int rejected_rcpts_ = 0;
  std::size_t bytes_in_ = 0;
  std::string_view result_ = "disconnect";
};

asio::awaitable<bool> Session::ReadMore(Clock::time_point deadline) {
  if (pos_ > 0) {
    in_.erase(0, pos_);
    pos_ = 0;
  }
  const std::size_t old = in_.size();
  in_.resize(old + kReadChunkBytes);
  conn_->SetDeadlineAt(deadline);
  const asio::mutable_buffer buffer(in_.data() + old, kReadChunkBytes);
  boost::system::error_code ec;
  std::size_t n = 0;
  if (conn_->tls) {
    std::tie(ec, n) = co_await conn_->tls->async_read_some(buffer, kAwaitTuple);
  } else {
    std::tie(ec, n) = co_await conn_->socket.async_read_some(buffer, kAwaitTuple);
  }
  in_.resize(old + n);
  co_return !ec;
}

asio::awaitable<Session::Read> Session::ReadLine(std::string* line) {
  const std::size_t max_line = limits::kMaxSmtpCommandLineBytes;
  for (;;) {
    const std::size_t lf = in_.find('\n', pos_);
    if (lf != std::string::npos) {
      const bool too_long = discarding_ || lf + 1 - pos_ > max_line;
      if (!too_long) {
        line->assign(in_, pos_, lf - pos_);
        if (!line->empty() && line->back() == '\r') line->pop_back();
      }
      pos_ = lf + 1;
      discarding_ = false;
      co_return too_long ? Read::kTooLong : Read::kLine;
    }
    if (in_.size() - pos_ > max_line) {  // no room for the rest: skip it
      discarding_ = true;
      pos_ = in_.size();
    }
    if (!co_await Flush()) co_return Read::kEnd;
    if (!co_await ReadMore(Clock::now() + options_.timeouts.command)) co_return Read::kEnd;
  }
}

asio::awaitable<bool> Session::Flush() {
  if (out_.empty()) co_return true;
  conn_->SetDeadline(options_.timeouts.command);
  boost::system::error_code ec;
  std::size_t n = 0;
  if (conn_->tls) {
    std::tie(ec, n) = co_await asio::async_write(*conn_->tls, asio::buffer(out_), kAwaitTuple);
  } else {
    std::tie(ec, n) = co_await asio::async_write(conn_->socket, asio::buffer(out_), kAwaitTuple);
  }
  out_.clear();
  co_return !ec;
}

void Session::Ehlo(std::string_view verb, std::string_view arg) {
  const bool ehlo = http::EqualsIgnoreCase(verb, "EHLO");
  if (arg.empty())
    return Reply(501, ehlo ? "5.5.4 Syntax: EHLO hostname" : "5.5.4 Syntax: HELO hostname");
  ResetTransaction();
  envelope_.helo = std::string(arg);
  esmtp_ = ehlo;
  if (!ehlo) return Reply(250, shared_.hostname);
  std::vector<std::string> lines = {
      shared_.hostname,      "PIPELINING", fmt::format("SIZE {}", options_.max_message_bytes),
      "ENHANCEDSTATUSCODES", "8BITMIME",   "SMTPUTF8"};
  if (shared_.tls != nullptr && !conn_->tls) lines.emplace_back("STARTTLS");
  for (std::size_t i = 0; i < lines.size(); ++i) {
    fmt::format_to(std::back_inserter(out_), "250{}{}\r\n", i + 1 < lines.size() ? '-' : ' ',
                   lines[i]);
  }
}

void Session::Mail(std::string_view arg) {
  if (envelope_.helo.empty()) return Reply(503, "5.5.1 Error: send HELO/EHLO first");
  if (in_transaction_) return Reply(503, "5.5.1 Error: nested MAIL command");
  const std::optional<PathArgument> parsed = ParsePathArgument(arg, "FROM");
  if (!parsed) return Reply(501, "5.5.4 Syntax: MAIL FROM:<address>");
  bool smtputf8 = false;
  for (const std::string& param : parsed->params) {
    const std::size_t eq = param.find('=');
    const std::string_view key = std::string_view(param).substr(0, eq);
    const std::string_view value =
        eq == std::string::npos ? std::string_view() : std::string_view(param).substr(eq + 1);
    if (!esmtp_) return Reply(555, "5.5.4 Unsupported option (say EHLO first)");
    if (http::EqualsIgnoreCase(key, "SIZE")) {
      uint64_t size = 0;
      const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), size);
      if (value.empty() || ec != std::errc() || end != value.data() + value.size()) {
        return Reply(501, "5.5.4 Bad SIZE syntax");
      }
      if (size > options_.max_message_bytes) {
        return Reply(552, "5.3.4 Message size exceeds fixed limit");
      }
    } else if (http::EqualsIgnoreCase(key, "BODY")) {
      if (!http::EqualsIgnoreCase(value, "7BIT") && !http::EqualsIgnoreCase(value, "8BITMIME")) {
        return Reply(501, "5.5.4 Bad BODY syntax");
      }
    } else if (http::EqualsIgnoreCase(param, "SMTPUTF8")) {
      smtputf8 = true;
    } else {
      return Reply(555, "5.5.4 Unsupported option");
    }
  }
  if (!parsed->path.empty()) {
    switch (CheckMailbox(parsed->path, smtputf8)) {
      case PathProblem::kNone:
        break;
      case PathProblem::kNotAscii:
        return Reply(553, "5.6.7 Must declare SMTPUTF8 to send non-ASCII addresses");
      default:
        return Reply(501, "5.1.7 Bad sender address syntax");
    }
  }
  in_transaction_ = true;
  envelope_.sender = parsed->path;
  envelope_.smtputf8 = smtputf8;
  envelope_.tls = conn_->tls.has_value();
  Reply(250, "2.1.0 Ok");
}

asio::awaitable<Session::Next> Session::Rcpt(std::string_view arg) {
  if (!in_transaction_) co_return Say(503, "5.5.1 Error: need MAIL command");
  const std::optional<PathArgument> parsed = ParsePathArgument(arg, "TO");
  if (!parsed) co_return Say(501, "5.5.4 Syntax: RCPT TO:<address>");
  if (!parsed->params.empty()) co_return Say(555, "5.5.4 Unsupported option");
  rcpt_tried_ = true;
  ++rcpts_;
  if (envelope_.recipients.size() >= options_.max_recipients) {
    ++rejected_rcpts_;
    co_return Say(452, "4.5.3 Error: too many recipients");
  }
  const std::string& address = parsed->path;
  const PathProblem problem = CheckMailbox(address, envelope_.smtputf8);
  if (problem != PathProblem::kNone) ++rejected_rcpts_;
  switch (problem) {
    case PathProblem::kNone:
      break;
    case PathProblem::kRouting:
      co_return Say(550, fmt::format("5.7.1 <{}>: Relay access denied", address));
    case PathProblem::kNotAscii:
      co_return Say(553, "5.6.7 Must declare SMTPUTF8 to send non-ASCII addresses");
    case PathProblem::kSyntax:
    case PathProblem::kTooLong:
      co_return Say(501, "5.1.3 Bad recipient address syntax");
  }
  if (shared_.stopping()) {
    Reply(421, fmt::format("4.3.2 {} Service shutting down", shared_.hostname));
    co_return End("stopped");
  }
  conn_->ClearDeadline();
  const RecipientVerdict verdict = co_await asio::co_spawn(
      *shared_.pool, CheckRecipientGuarded(shared_.policy, address), asio::use_awaitable);
  switch (verdict) {
    case RecipientVerdict::kAccept:
      envelope_.recipients.push_back(address);
      Reply(250, "2.1.5 Ok");
      break;
    case RecipientVerdict::kReject:
      ++rejected_rcpts_;
      Reply(550, fmt::format("5.7.1 <{}>: Relay access denied", address));
      break;
    case RecipientVerdict::kTempfail:
      ++rejected_rcpts_;
      Reply(451, fmt::format("4.3.0 <{}>: Temporary lookup failure", address));
      break;
  }
  co_return Next::kContinue;
}

asio::awaitable<Session::Next> Session::Data(std::string_view arg) {
  if (!arg.empty()) co_return Say(501, "5.5.4 Syntax: DATA");
  if (!in_transaction_) co_return Say(503, "5.5.1 Error: need MAIL command");
  if (envelope_.recipients.empty()) {
    co_return rcpt_tried_ ? Say(554, "5.5.1 Error: no valid recipients")
                          : Say(503, "5.5.1 Error: need RCPT command");
  }
  Reply(354, "End data with <CR><LF>.<CR><LF>");
  if (!co_await Flush()) co_return End(conn_->timed_out ? "timeout" : "disconnect");
  DataReader reader(options_.max_message_bytes);
  const Clock::time_point data_end = Clock::now() + options_.timeouts.data;
  for (;;) {
    pos_ += reader.Consume(std::string_view(in_).substr(pos_));
    if (reader.done()) break;
    const Clock::time_point deadline = std::min(data_end, Clock::now() + options_.timeouts.command);
    if (!co_await ReadMore(deadline)) co_return End(conn_->timed_out ? "timeout" : "disconnect");
  }
  ++mails_;
  bytes_in_ += reader.size();
  if (reader.too_big()) {
    ResetTransaction();
    co_return Say(552, "5.3.4 Message size exceeds fixed limit");
  }
  if (shared_.stopping()) {
    Reply(421, fmt::format("4.3.2 {} Service shutting down", shared_.hostname));
    co_return End("stopped");
  }
  conn_->ClearDeadline();
  const DeliverResult result = co_await asio::co_spawn(
      *shared_.pool, DeliverGuarded(shared_.policy, envelope_, reader.Take()), asio::use_awaitable);
  ResetTransaction();
  switch (result.kind) {
    case DeliverResult::Kind::kAccepted:
      ++accepted_;
      Reply(250, "2.0.0 Ok: queued as " + ReplyText(result.queue_id, kMaxQueueIdBytes));
      break;
    case DeliverResult::Kind::kRejected:
      Reply(result.code >= 500 && result.code <= 599 ? result.code : 554,
            ReplyText(result.text.empty() ? "5.7.1 Message rejected" : result.text,
                      kMaxPolicyTextBytes));
      break;
    case DeliverResult::Kind::kTempfail:
      Reply(451, "4.3.0 Error: temporary failure, try again later");
      break;
  }
  co_return Next::kContinue;
}

asio::awaitable<Session::Next> Session::StartTls(std::string_view arg) {
  if (shared_.tls == nullptr) {
    co_return Say(502, "5.5.1 Error: command not implemented");
  }
  if (conn_->tls) co_return Say(503, "5.5.1 Error: TLS already active");
  if (!arg.empty()) co_return Say(501, "5.5.4 Syntax: STARTTLS");
  Reply(220, "2.0.0 Ready to start TLS");
  if (!co_await Flush()) co_return End(conn_->timed_out ? "timeout" : "disconnect");
  // Whatever the client sent after STARTTLS in the clear is dropped, never
  // read as commands of the TLS session (CVE-2011-0411).
  in_.clear();
  pos_ = 0;
  discarding_ = false;
  conn_->tls.emplace(conn_->socket, *shared_.tls);
  conn_->SetDeadline(options_.timeouts.command);
  auto [ec] = co_await conn_->tls->async_handshake(asio::ssl::stream_base::server, kAwaitTuple);
  if (ec) co_return End(conn_->timed_out ? "timeout" : "tls_failed");
  // RFC 3207 §4.2: the session starts again; the client must say EHLO.
  ResetTransaction();
  envelope_.helo.clear();
  esmtp_ = false;
  co_return Next::kContinue;
}

asio::awaitable<Session::Next> Session::Command(std::string_view line) {
  if (HasControlCharacter(line)) {
    co_return Say(500, "5.5.2 Error: bad syntax");
  }
  const std::size_t space = line.find(' ');
  const std::string_view verb = line.substr(0, space);
  std::string_view arg = space == std::string_view::npos ? "" : line.substr(space + 1);
  while (!arg.empty() && (arg.front() == ' ' || arg.front() == '\t')) arg.remove_prefix(1);
  while (!arg.empty() && (arg.back() == ' ' || arg.back() == '\t')) arg.remove_suffix(1);
  auto is = [&](std::string_view name) { return http::EqualsIgnoreCase(verb, name); };

  if (is("EHLO") || is("HELO")) {
    Ehlo(verb, arg);
  } else if (is("MAIL")) {
    Mail(arg);
  } else if (is("RCPT")) {
    co_return co_await Rcpt(arg);
  } else if (is("DATA")) {
    co_return co_await Data(arg);
  } else if (is("RSET")) {
    ResetTransaction();
    Reply(250, "2.0.0 Ok");
  } else if (is("NOOP")) {
    Reply(250, "2.0.0 Ok");
  } else if (is("QUIT")) {
    Reply(221, "2.0.0 Bye");
    co_return End("quit");
  } else if (is("VRFY")) {
    if (arg.empty()) co_return Say(501, "5.5.4 Syntax: VRFY address");
    Reply(252, "2.0.0 Cannot VRFY user; try RCPT to attempt delivery");
  } else if (is("HELP")) {
    Reply(214, shared_.tls != nullptr
                   ? "2.0.0 Commands: EHLO HELO MAIL RCPT DATA RSET NOOP QUIT VRFY HELP STARTTLS"
                   : "2.0.0 Commands: EHLO HELO MAIL RCPT DATA RSET NOOP QUIT VRFY HELP");
  } else if (is("STARTTLS")) {
    co_return co_await StartTls(arg);
  } else if (is("GET") || is("POST") || is("CONNECT") || is("HEAD") || is("PUT")) {
    // An HTTP client or proxy probe (Postfix smtpd_forbidden_commands).
    Reply(221, "2.7.0 Error: I can break rules, too. Goodbye.");
    co_return End("forbidden_command");
  } else if (is("EXPN") || is("AUTH") || is("ETRN") || is("TURN") || is("ATRN") || is("BDAT") ||
             is("SEND") || is("SOML") || is("SAML")) {
    Reply(502, "5.5.1 Error: command not implemented");
  } else {
    Reply(500, "5.5.2 Error: command not recognized");
  }
  co_return Next::kContinue;
}

void Session::LogEnd(Clock::time_point start) const {
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
  spdlog::info(
      "smtpd: session={} peer={} helo={} tls={} mails={} accepted={} rcpts={} rejected_rcpts={} "
      "errors={} in={} result={} ms={}",
      id_, http::LogWord(envelope_.client_ip), http::LogWord(envelope_.helo),
      conn_->tls ? "yes" : "no", mails_, accepted_, rcpts_, rejected_rcpts_, errors_, bytes_in_,
      result_, ms.count());
}

asio::awaitable<void> Session::Run() {
  const Clock::time_point start = Clock::now();
  Reply(220, shared_.hostname + " ESMTP campaignd");
  for (;;) {
    std::string line;
    const Read read = co_await ReadLine(&line);
    if (read == Read::kEnd) {
      result_ = conn_->timed_out ? "timeout" : shared_.stopping() ? "stopped" : "disconnect";
      break;
    }
    if (read == Read::kTooLong) {
      Reply(500, "5.5.2 Error: line too long");
    } else if (co_await Command(line) == Next::kEnd) {
      break;
    }
    if (errors_ >= options_.max_errors) {
      Reply(421, fmt::format("4.7.0 {} Error: too many errors", shared_.hostname));
      result_ = "too_many_errors";
      break;
    }
  }
  if (conn_->timed_out) {  // the watchdog cancelled a read or write
    conn_->timed_out = false;
    out_.clear();
    Reply(421, fmt::format("4.4.2 {} Error: timeout exceeded", shared_.hostname));
    result_ = "timeout";
  }
  co_await Flush();
  conn_->finished = true;
  conn_->timer.cancel();
  conn_->Close();
  LogEnd(start);
}

// The session's coroutine: registration, watchdog, the session, clean-up.
asio::awaitable<void> RunSession(Shared& shared, tcp::socket socket) {
  boost::system::error_code ec;
  const auto remote = socket.remote_endpoint(ec);
  std::string peer = ec ? std::string("-") : http::CanonicalIp(remote.address().to_string());
  auto conn = std::make_shared<Conn>(std::move(socket));
  const uint64_t id = shared.Add(conn);
  if (shared.stopping()) conn->Close();  // accepted while Stop() closed the others
  asio::co_spawn(conn->socket.get_executor(), Watchdog(conn),
                 [](std::exception_ptr e) { LogCoroutineEnd("watchdog", e); });
  {
    Session session(shared, conn, id, std::move(peer));
    co_await session.Run();
  }
  shared.sessions.fetch_sub(1);
  shared.Remove(id);
}

// Over the connection limit: one 421 line written without waiting (a full
// socket buffer just loses it), then close.
void RefuseConnection(Shared& shared, tcp::socket& socket) {
  const std::string reply =
      fmt::format("421 4.7.0 {} Error: too many connections\r\n", shared.hostname);
  boost::system::error_code ec;
  socket.non_blocking(true, ec);
  if (!ec) asio::write(socket, asio::buffer(reply), ec);
  socket.shutdown(tcp::socket::shutdown_both, ec);
  socket.close(ec);
}

asio::awaitable<void> AcceptLoop(Shared& shared, Acceptor& acceptor) {
  for (;;) {
    auto [ec, socket] = co_await acceptor.async_accept(asio::make_strand(shared.io), kAwaitTuple);
    if (ec == asio::error::operation_aborted || !acceptor.is_open()) co_return;
    if (ec) {
      spdlog::warn("smtpd: accept failed: {}", ec.message());
      asio::steady_timer timer(acceptor.get_executor(), kAcceptErrorPause);
      co_await timer.async_wait(kAwaitTuple);
      continue;
    }
    if (shared.sessions.fetch_add(1) >= shared.options.max_connections) {
      shared.sessions.fetch_sub(1);
      boost::system::error_code peer_ec;
      const auto remote = socket.remote_endpoint(peer_ec);
      spdlog::warn("smtpd: peer={} refused: {} sessions open (max_connections)",
                   peer_ec ? std::string("-") : http::CanonicalIp(remote.address().to_string()),
                   shared.options.max_connections);
      tcp::socket plain(std::move(socket));
      RefuseConnection(shared, plain);
      continue;
    }
    tcp::socket plain(std::move(socket));
    const asio::any_io_executor strand = plain.get_executor();
    asio::co_spawn(strand, RunSession(shared, std::move(plain)),
                   [](std::exception_ptr e) { LogCoroutineEnd("session", e); });
  }
}

}  // namespace

SmtpServer::SmtpServer(SmtpServerOptions options, SmtpPolicy policy)
    : options_(std::move(options)), policy_(std::move(policy)) {
  assert(policy_.check_recipient && policy_.deliver);
  shared_ = std::make_unique<Shared>(options_, policy_, io_, sessions_);
}

SmtpServer::~SmtpServer() { Stop(); }

Status SmtpServer::Start() {
  assert(!running_ && io_threads_.empty());
  shared_->hostname = HostName(options_.hostname);
  if (options_.tls_cert_file.empty() != options_.tls_key_file.empty()) {
    return Status::InvalidArgument("STARTTLS needs both a certificate and a key file");
  }
  if (!options_.tls_cert_file.empty()) {
    tls_context_.emplace(asio::ssl::context::tls_server);
    CAMPAIGND_RETURN_IF_ERROR(
        http::LoadTlsContext(options_.tls_cert_file, options_.tls_key_file, *tls_context_));
    shared_->tls = &*tls_context_;
  }
  for (const std::string& endpoint : options_.listen) {
    auto acceptor = std::make_unique<Acceptor>(asio::make_strand(io_));
    if (Status status = http::OpenListener(io_, endpoint, *acceptor); !status.ok()) {
      shared_->acceptors.clear();  // nothing listens after a failed start
      return status;
    }
    shared_->acceptors.push_back(std::move(acceptor));
  }
  pool_.emplace(std::max<std::size_t>(1, options_.policy_threads));
  shared_->pool = &*pool_;
  for (auto& acceptor : shared_->acceptors) {
    asio::co_spawn(acceptor->get_executor(), AcceptLoop(*shared_, *acceptor),
                   [](std::exception_ptr e) { LogCoroutineEnd("accept loop", e); });
  }
  for (std::size_t i = 0; i < std::max<std::size_t>(1, options_.io_threads); ++i) {
    io_threads_.emplace_back([this] { io_.run(); });
  }
  running_ = true;
  spdlog::info("smtpd: listening on {} endpoint(s) as {}{}", shared_->acceptors.size(),
               shared_->hostname, tls_context_ ? ", STARTTLS offered" : "");
  return Status::Ok();
}

void SmtpServer::Stop() {
  if (!running_) return;
  running_ = false;
  {
    std::unique_lock lock(shared_->mu);
    shared_->stopping_ = true;
    for (auto& acceptor : shared_->acceptors) {
      asio::post(acceptor->get_executor(), [a = acceptor.get()] {
        boost::system::error_code ignored;
        a->close(ignored);
      });
    }
    for (const auto& [id, weak] : shared_->conns) {
      if (auto conn = weak.lock()) {
        asio::post(conn->socket.get_executor(), [weak = weak] {
          if (auto c = weak.lock()) c->Close();
        });
      }
    }
    // Sessions in a policy call end when it returns (the pool still runs).
    const auto grace_end = Clock::now() + options_.timeouts.shutdown_grace;
    if (!shared_->empty.wait_until(lock, grace_end, [&] { return shared_->conns.empty(); })) {
      spdlog::warn("smtpd: {} session(s) still open after the shutdown grace",
                   shared_->conns.size());
    }
  }
  pool_->join();
  io_.stop();
  for (std::thread& t : io_threads_) t.join();
  io_threads_.clear();
  shared_->acceptors.clear();  // they use io_'s services: gone before io_ is
  spdlog::info("smtpd: stopped");
}

uint16_t SmtpServer::BoundPort() const {
  if (shared_->acceptors.empty()) return 0;  // not started, or stopped
  boost::system::error_code ec;
  const auto endpoint = shared_->acceptors.front()->local_endpoint(ec);
  return ec ? 0 : endpoint.port();
}

}  // namespace campaignd::events
