// DataReader: the message of an SMTP DATA command, as the client's bytes
// arrive (RFC 5321 §4.5.2): the end is "<CRLF>.<CRLF>" (the data starts at
// a line start), a leading '.' of a line is removed ("dot-unstuffing"), all
// other bytes are kept as sent (a bare CR or LF is data, never a line end).
// At most `max_bytes` of the message are held: the rest is counted and
// dropped, so a 50 MB stream costs `max_bytes` of memory, not 50 MB.
// Callers: events/smtp_server.cc. Input: untrusted bytes, any size.
// Threads: one reader per message, not shared.
#ifndef CAMPAIGND_EVENTS_SMTP_DATA_H_
#define CAMPAIGND_EVENTS_SMTP_DATA_H_

#include <cstddef>
#include <string>
#include <string_view>

namespace campaignd::events {

class DataReader {
 public:
  explicit DataReader(std::size_t max_bytes) : max_bytes_(max_bytes) {}

  // Reads `in` up to and including the final ".\r\n"; returns the bytes
  // consumed (all of `in` unless the end was in it). REQUIRES: !done().
  std::size_t Consume(std::string_view in);

  bool done() const { return state_ == State::kDone; }
  // The message was longer than max_bytes (its end was still read).
  bool too_big() const { return size_ > max_bytes_; }
  // Message bytes after unstuffing, including those dropped over the limit.
  std::size_t size() const { return size_; }
  // The message (CRLF line ends as sent, without the final ".\r\n").
  // REQUIRES: done() && !too_big().
  std::string Take() { return std::move(message_); }

 private:
  enum class State {
    kLineStart,  // after CRLF (or at the start)
    kDot,        // a '.' at a line start, not yet kept
    kDotCr,      // ".\r" at a line start
    kText,       // inside a line
    kCr,         // a '\r' inside a line, not yet kept
    kDone,
  };
  void Keep(char c);

  const std::size_t max_bytes_;
  State state_ = State::kLineStart;
  std::size_t size_ = 0;
  std::string message_;  // capacity never above max_bytes_
};

}  // namespace campaignd::events

#endif  // CAMPAIGND_EVENTS_SMTP_DATA_H_
