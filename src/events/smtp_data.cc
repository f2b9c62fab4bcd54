#include "events/smtp_data.h"

#include <algorithm>

namespace campaignd::events {

void DataReader::Keep(char c) {
  ++size_;
  if (size_ > max_bytes_) return;
  if (message_.size() == message_.capacity()) {
    // Grow as std::string would, but never past the limit.
    message_.reserve(std::min(max_bytes_, std::max<std::size_t>(4096, 2 * message_.capacity())));
  }
  message_.push_back(c);
}

std::size_t DataReader::Consume(std::string_view in) {
  std::size_t i = 0;
  while (i < in.size() && state_ != State::kDone) {
    const char c = in[i++];
    switch (state_) {
      case State::kLineStart:
        if (c == '.') {
          state_ = State::kDot;
        } else {
          state_ = c == '\r' ? State::kCr : State::kText;
          if (c != '\r') Keep(c);
        }
        break;
      case State::kDot:  // the leading dot is dropped; what follows is kept
        if (c == '\r') {
          state_ = State::kDotCr;
        } else {
          Keep(c);
          state_ = State::kText;
        }
        break;
      case State::kDotCr:
        if (c == '\n') {
          state_ = State::kDone;
        } else {  // ".\r" then data: the CR was a bare CR of the line
          Keep('\r');
          --i;
          state_ = State::kText;
        }
        break;
      case State::kText:
        if (c == '\r') {
          state_ = State::kCr;
        } else {
          Keep(c);
        }
        break;
      case State::kCr:
        Keep('\r');
        if (c == '\n') {
          Keep('\n');
          state_ = State::kLineStart;
        } else if (c != '\r') {
          Keep(c);
          state_ = State::kText;
        }  // "\r\r": the second CR may start CRLF; stay
        break;
      case State::kDone:
        break;
    }
  }
  return i;
}

}  // namespace campaignd::events
