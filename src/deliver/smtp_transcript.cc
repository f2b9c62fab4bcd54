#include "deliver/smtp_transcript.h"

#include <array>
#include <cctype>

namespace campaignd::deliver {
namespace {

constexpr std::array<std::string_view, 12> kVerbs = {"EHLO", "HELO", "STARTTLS", "AUTH",
                                                     "MAIL", "RCPT", "DATA",     "RSET",
                                                     "NOOP", "QUIT", "VRFY",     "BDAT"};

// Calls `fn` for each line of `data` without its CR/LF.
template <typename Fn>
void ForEachLine(std::string_view data, Fn fn) {
  while (!data.empty()) {
    std::size_t nl = data.find('\n');
    std::string_view line = data.substr(0, nl);
    data.remove_prefix(nl == std::string_view::npos ? data.size() : nl + 1);
    while (!line.empty() && (line.back() == '\r' || line.back() == '\n')) line.remove_suffix(1);
    if (!line.empty()) fn(line);
  }
}

// The reply code at the start of `line`, 0 if it has none.
int ReplyCode(std::string_view line) {
  if (line.size() < 3) return 0;
  for (int i = 0; i < 3; ++i) {
    if (!std::isdigit(static_cast<unsigned char>(line[i]))) return 0;
  }
  if (line.size() > 3 && line[3] != ' ' && line[3] != '-') return 0;
  return (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
}

bool IsAuthCode(int code) { return code == 530 || code == 534 || code == 535 || code == 538; }

void AppendCapped(std::string& out, std::string_view text) {
  if (out.size() >= limits::kMaxReplyTextBytes) return;
  out.append(text.substr(0, limits::kMaxReplyTextBytes - out.size()));
}

}  // namespace

void SmtpTranscript::OnReplyLine(std::string_view data) {
  ForEachLine(data, [this](std::string_view line) {
    heard_anything_ = true;
    int code = ReplyCode(line);
    bool more = code != 0 && line.size() > 3 && line[3] == '-';
    std::string_view text = code != 0 ? line.substr(std::min<std::size_t>(4, line.size())) : line;
    if (partial_.empty()) {
      partial_code_ = code;
      AppendCapped(partial_, code != 0 ? line.substr(0, 3) : std::string_view());
    }
    if (!text.empty()) {
      if (!partial_.empty()) AppendCapped(partial_, " ");
      AppendCapped(partial_, text);
    }
    if (more) return;
    if (ignore_next_reply_) {
      ignore_next_reply_ = false;
    } else {
      last_code_ = partial_code_;
      last_reply_ = std::move(partial_);
      last_reply_command_ = command_;
    }
    partial_.clear();
    partial_code_ = 0;
  });
}

void SmtpTranscript::OnCommandLine(std::string_view data) {
  ForEachLine(data, [this](std::string_view line) {
    std::string verb;
    for (char c : line.substr(0, line.find(' '))) {
      verb.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
    }
    for (std::string_view known : kVerbs) {
      if (verb != known) continue;
      command_ = verb;
      if (verb == "QUIT") ignore_next_reply_ = true;
      return;
    }
  });
}

DeliveryResult ClassifySmtpOutcome(bool transfer_ok, int response_code,
                                   const SmtpTranscript& transcript, std::string_view error_text) {
  const int code = response_code != 0 ? response_code : transcript.last_code();
  std::string text = transcript.last_code() == code && !transcript.last_reply().empty()
                         ? transcript.last_reply()
                         : std::to_string(code);
  if (transfer_ok) return {DeliveryKind::kDelivered, code, std::move(text)};

  const std::string& command = transcript.last_reply_command();
  const bool failing_reply = code >= 400 && code <= 599;
  if (failing_reply && (IsAuthCode(code) || command == "AUTH")) {
    return {DeliveryKind::kTemporaryFailure, code,
            text +
                " (authentication with the relay failed: check the transport's user and "
                "password; the recipient is not at fault)"};
  }
  if (!failing_reply) {
    return {DeliveryKind::kTemporaryFailure, 0, std::string(error_text)};
  }
  if (code >= 500 && (command == "MAIL" || command == "RCPT" || command == "DATA")) {
    return {DeliveryKind::kPermanentFailure, code, std::move(text), command == "MAIL"};
  }
  return {DeliveryKind::kTemporaryFailure, code, std::move(text)};
}

}  // namespace campaignd::deliver
