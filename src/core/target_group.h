// TargetGroup: a filter over recipient fields (behaviour.md §1):
//   comparisons = != < <= > >= of a field with a literal (number, 'text',
//   date 2024-01-01), field CONTAINS 'x', field IS EMPTY, AND / OR / NOT,
//   parentheses; keywords case-insensitive, field names case-insensitive.
//   e.g.  country = 'DE' AND NOT (orders < 1)
// Parsed once when a mailing is saved (a malformed expression is refused
// then, never at send time); Matches() is evaluated per mail by queue/.
// Input: untrusted text, bounded by kMaxExpressionBytes. Threads: immutable
// after Parse, safe to share.
#ifndef CAMPAIGND_CORE_TARGET_GROUP_H_
#define CAMPAIGND_CORE_TARGET_GROUP_H_

#include <memory>
#include <string>
#include <string_view>

#include "core/fields.h"
#include "core/status.h"

namespace campaignd {

class TargetGroup {
 public:
  static constexpr std::size_t kMaxExpressionBytes = 4096;

  // InvalidArgument naming the position and the problem when malformed.
  // An empty (or all-space) expression matches every recipient.
  static Result<TargetGroup> Parse(std::string_view expression);

  // Comparison rules: an unquoted number literal compares as a number with
  // a value that parses as one (10 > 9); a quoted literal is always text
  // (zip = '01234' does not match 1234); everything else compares as text
  // (ISO dates compare correctly as text). A
  // missing field is the empty string. CONTAINS is case-insensitive (ASCII);
  // = != < <= > >= on text are exact, byte-wise comparisons.
  bool Matches(const FieldValues& fields) const;

  const std::string& expression() const { return expression_; }

 private:
  struct Node;
  std::string expression_;
  std::shared_ptr<const Node> root_;  // null: matches everything
};

}  // namespace campaignd

#endif  // CAMPAIGND_CORE_TARGET_GROUP_H_
