// SmtpTranscript: what the relay said during one libcurl transfer (its reply
// lines and the command each answers), and ClassifySmtpOutcome(), which turns
// that into a DeliveryResult. Fed by SmtpTransport's CURLOPT_DEBUGFUNCTION.
// Input: reply lines from the relay (untrusted, size-capped here); command
// lines are inspected only for their verb, never stored (AUTH carries secrets).
// Threads: one transcript per transfer, used by one thread.
// Errors: none; classification is total.
#ifndef CAMPAIGND_DELIVER_SMTP_TRANSCRIPT_H_
#define CAMPAIGND_DELIVER_SMTP_TRANSCRIPT_H_

#include <string>
#include <string_view>

#include "deliver/transport.h"

namespace campaignd::deliver {

class SmtpTranscript {
 public:
  // One line the relay sent (CURLINFO_HEADER_IN), with or without CRLF.
  // A reply to QUIT is ignored (libcurl sends QUIT when it drops a cached
  // connection, possibly during the next transfer).
  void OnReplyLine(std::string_view line);
  // One line libcurl sent (CURLINFO_HEADER_OUT). Only SMTP verbs are kept;
  // SASL continuation lines leave the command at AUTH.
  void OnCommandLine(std::string_view line);

  // Code of the last complete reply, 0 if none.
  int last_code() const { return last_code_; }
  // The last complete reply: "250 2.0.0 Ok: queued as X"; the lines of a
  // multi-line reply are joined by a space, the code given once.
  const std::string& last_reply() const { return last_reply_; }
  // Verb of the command the last reply answers ("" for the greeting).
  const std::string& last_reply_command() const { return last_reply_command_; }
  // Verb of the last command sent ("" before the first).
  const std::string& last_command() const { return command_; }
  // True when the relay sent any line during this transfer.
  bool heard_anything() const { return heard_anything_; }

 private:
  std::string command_;  // verb of the last command sent
  std::string partial_;  // reply being assembled (multi-line)
  int partial_code_ = 0;
  bool ignore_next_reply_ = false;  // the next reply answers QUIT
  bool heard_anything_ = false;
  int last_code_ = 0;
  std::string last_reply_;
  std::string last_reply_command_;
};

// The outcome of one transfer. `transfer_ok`: libcurl reported success;
// `response_code`: CURLINFO_RESPONSE_CODE, the code of the last reply (the
// transcript supplies its text); `error_text`: libcurl's message for a
// failure ("Couldn't connect to server: ..."). Rules, in order:
//   success                                  -> kDelivered, the final reply
//   auth reply (530, 534, 535, 538) or a
//     failure answering AUTH                 -> kTemporaryFailure: a
//     configuration problem must not bounce the recipient; the reply says so
//   5xx answering MAIL, RCPT or DATA (or the
//     final ".")                             -> kPermanentFailure (answering
//                                               MAIL: sender_refused)
//   any other 4xx/5xx (greeting, EHLO,
//     STARTTLS)                              -> kTemporaryFailure, that reply
//   no failing reply (connect, TLS, timeout,
//     connection lost)                       -> kTemporaryFailure, smtp_code 0,
//                                               reply = error_text
DeliveryResult ClassifySmtpOutcome(bool transfer_ok, int response_code,
                                   const SmtpTranscript& transcript, std::string_view error_text);

}  // namespace campaignd::deliver

#endif  // CAMPAIGND_DELIVER_SMTP_TRANSCRIPT_H_
