// TargetGroup: tokenizer, recursive-descent parser to an immutable AST, and
// its evaluation. Grammar (keywords case-insensitive):
//   or      := and (OR and)*
//   and     := not (AND not)*
//   not     := NOT not | primary
//   primary := '(' or ')' | field op literal | field CONTAINS 'text'
//            | field IS EMPTY | field IS NOT EMPTY
//   op := = != < <= > >=    literal := number | 'text' ('' escapes ') | date
// AND/OR nodes are n-ary, so a long flat chain does not deepen the tree;
// nesting (parentheses and NOT) is limited to kMaxDepth.
#include "core/target_group.h"

#include <vector>

#include "core/field_value.h"

namespace campaignd {
namespace {

constexpr int kMaxDepth = 64;
// A number or date token longer than this is cut short in error messages.
constexpr std::size_t kMaxQuotedTokenChars = 32;

enum class TokKind { kEnd, kLParen, kRParen, kOp, kWord, kNumber, kText, kDate };

struct Tok {
  TokKind kind;
  std::string text;  // kText: the unescaped content; otherwise as written
  std::size_t pos;   // byte offset in the expression
};

// A comparison operator is the set of orderings it accepts.
constexpr unsigned kLess = 1, kEqual = 2, kGreater = 4;
enum class Kind { kAnd, kOr, kNot, kCompare, kContains, kIsEmpty, kIsNotEmpty };

struct Expr {
  explicit Expr(Kind k) : kind(k) {}
  Kind kind;
  std::vector<Expr> children;  // kAnd, kOr: two or more; kNot: one
  std::string field;           // lower-case
  unsigned accept = 0;         // kCompare: kLess | kEqual | kGreater
  std::string literal;         // kCompare: as written; kContains: lower-cased
  bool numeric = false;        // kCompare: the literal is an unquoted number
};

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsWordStart(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool IsWordChar(char c) { return IsWordStart(c) || IsDigit(c) || c == '.' || c == '-'; }
bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// [+-]?digits(.digits)?
bool IsNumber(std::string_view s) {
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) s.remove_prefix(1);
  std::size_t i = 0;
  while (i < s.size() && IsDigit(s[i])) ++i;
  if (i == 0) return false;
  if (i == s.size()) return true;
  if (s[i] != '.' || i + 1 == s.size()) return false;
  for (++i; i < s.size(); ++i) {
    if (!IsDigit(s[i])) return false;
  }
  return true;
}

// Exact comparison of two IsNumber() strings: -1, 0 or 1.
int CompareNumbers(std::string_view a, std::string_view b) {
  struct Parts {
    bool negative = false;
    std::string_view whole, fraction;  // no leading / trailing zeros
  };
  auto split = [](std::string_view s) {
    Parts p;
    if (s[0] == '+' || s[0] == '-') {
      p.negative = s[0] == '-';
      s.remove_prefix(1);
    }
    std::size_t dot = s.find('.');
    p.whole = s.substr(0, dot);
    p.fraction = dot == std::string_view::npos ? std::string_view() : s.substr(dot + 1);
    while (!p.whole.empty() && p.whole.front() == '0') p.whole.remove_prefix(1);
    while (!p.fraction.empty() && p.fraction.back() == '0') p.fraction.remove_suffix(1);
    if (p.whole.empty() && p.fraction.empty()) p.negative = false;  // -0 == 0
    return p;
  };
  Parts x = split(a), y = split(b);
  if (x.negative != y.negative) return x.negative ? -1 : 1;
  int magnitude = 0;
  if (x.whole.size() != y.whole.size()) {
    magnitude = x.whole.size() < y.whole.size() ? -1 : 1;
  } else if (int c = x.whole.compare(y.whole); c != 0) {
    magnitude = c < 0 ? -1 : 1;
  } else if (int f = x.fraction.compare(y.fraction); f != 0) {
    magnitude = f < 0 ? -1 : 1;
  }
  return x.negative ? -magnitude : magnitude;
}

// 1-based column of byte offset `pos`, counted in UTF-8 code points.
std::size_t Column(std::string_view expr, std::size_t pos) {
  std::size_t column = 1;
  for (std::size_t i = 0; i < pos && i < expr.size(); ++i) {
    if ((static_cast<unsigned char>(expr[i]) & 0xC0) != 0x80) ++column;
  }
  return column;
}

Status ErrorAt(std::string_view expr, std::size_t pos, std::string what) {
  return Status::InvalidArgument("column " + std::to_string(Column(expr, pos)) + ": " + what);
}

// Printable form of a character for an error message (no raw controls).
std::string DescribeChar(char c) {
  auto u = static_cast<unsigned char>(c);
  if (u > 32 && u < 127) return std::string("'") + c + "'";
  static constexpr char kHex[] = "0123456789ABCDEF";
  return std::string("byte 0x") + kHex[u >> 4] + kHex[u & 15];
}

// Reads 'text' starting at expr[*i] == '\''; '' stands for one quote.
Status LexText(std::string_view expr, std::size_t* i, std::string* out) {
  std::size_t start = *i;
  for (std::size_t j = start + 1; j < expr.size(); ++j) {
    char c = expr[j];
    if (c == '\'') {
      if (j + 1 < expr.size() && expr[j + 1] == '\'') {
        out->push_back('\'');
        ++j;
        continue;
      }
      *i = j + 1;
      return Status::Ok();
    }
    auto u = static_cast<unsigned char>(c);
    if ((u < 32 && c != '\t') || u == 127) {
      return ErrorAt(expr, j, "control character " + DescribeChar(c) + " in a text literal");
    }
    out->push_back(c);
  }
  return ErrorAt(expr, start, "unterminated text literal");
}

Status Lex(std::string_view expr, std::vector<Tok>* toks) {
  std::size_t i = 0;
  while (i < expr.size()) {
    char c = expr[i];
    std::size_t start = i;
    if (IsSpace(c)) {
      ++i;
    } else if (c == '(' || c == ')') {
      toks->push_back({c == '(' ? TokKind::kLParen : TokKind::kRParen, std::string(1, c), start});
      ++i;
    } else if (c == '=' || c == '<' || c == '>' || (c == '!' && expr.substr(i, 2) == "!=")) {
      i += (c != '=' && i + 1 < expr.size() && expr[i + 1] == '=') ? 2 : 1;
      toks->push_back({TokKind::kOp, std::string(expr.substr(start, i - start)), start});
    } else if (c == '\'') {
      Tok tok{TokKind::kText, "", start};
      CAMPAIGND_RETURN_IF_ERROR(LexText(expr, &i, &tok.text));
      toks->push_back(std::move(tok));
    } else if (IsDigit(c) ||
               ((c == '+' || c == '-') && i + 1 < expr.size() && IsDigit(expr[i + 1]))) {
      ++i;
      while (i < expr.size() && (IsWordChar(expr[i]) || expr[i] == '+')) ++i;
      std::string text(expr.substr(start, i - start));
      TokKind kind = IsNumber(text) ? TokKind::kNumber
                     : IsCalendarDate(text) ? TokKind::kDate
                                    : TokKind::kEnd;
      if (kind == TokKind::kEnd) {
        return ErrorAt(expr, start,
                       "invalid number or date '" + text.substr(0, kMaxQuotedTokenChars) + "'");
      }
      toks->push_back({kind, std::move(text), start});
    } else if (IsWordStart(c)) {
      while (i < expr.size() && IsWordChar(expr[i])) ++i;
      toks->push_back({TokKind::kWord, std::string(expr.substr(start, i - start)), start});
    } else {
      return ErrorAt(expr, start, "unexpected character " + DescribeChar(c));
    }
  }
  toks->push_back({TokKind::kEnd, "", expr.size()});
  return Status::Ok();
}

bool IsKeyword(const Tok& tok, std::string_view keyword) {
  return tok.kind == TokKind::kWord && LowerAscii(tok.text) == keyword;
}

bool IsAnyKeyword(const Tok& tok) {
  for (std::string_view k : {"and", "or", "not", "contains", "is", "empty"}) {
    if (IsKeyword(tok, k)) return true;
  }
  return false;
}

std::string DescribeTok(const Tok& tok) {
  if (tok.kind == TokKind::kEnd) return "the end of the expression";
  if (tok.kind == TokKind::kText) return "a text literal";
  return "'" + tok.text.substr(0, kMaxQuotedTokenChars) + "'";
}

unsigned ToAccept(std::string_view op) {
  if (op == "=") return kEqual;
  if (op == "!=") return kLess | kGreater;
  if (op == "<") return kLess;
  if (op == "<=") return kLess | kEqual;
  if (op == ">") return kGreater;
  return kGreater | kEqual;
}

class Parser {
 public:
  Parser(std::string_view expr, std::vector<Tok> toks) : expr_(expr), toks_(std::move(toks)) {}

  Result<Expr> ParseAll() {
    Result<Expr> root = ParseOr(0);
    if (root.ok() && Peek().kind != TokKind::kEnd) {
      return Expected("AND, OR or the end of the expression");
    }
    return root;
  }

 private:
  const Tok& Peek() const { return toks_[next_]; }
  const Tok& Take() { return toks_[next_ == toks_.size() - 1 ? next_ : next_++]; }
  Status Expected(std::string what) const {
    return ErrorAt(expr_, Peek().pos, "expected " + what + ", found " + DescribeTok(Peek()));
  }

  // AND and OR: `sub` (one level down) separated by `keyword`.
  Result<Expr> ParseChain(int depth, std::string_view keyword, Kind kind) {
    Result<Expr> first = keyword == "or" ? ParseChain(depth, "and", Kind::kAnd) : ParseNot(depth);
    if (!first.ok() || !IsKeyword(Peek(), keyword)) return first;
    Expr chain(kind);
    chain.children.push_back(std::move(*first));
    while (IsKeyword(Peek(), keyword)) {
      Take();
      Result<Expr> next = keyword == "or" ? ParseChain(depth, "and", Kind::kAnd) : ParseNot(depth);
      if (!next.ok()) return next;
      chain.children.push_back(std::move(*next));
    }
    return chain;
  }
  Result<Expr> ParseOr(int depth) { return ParseChain(depth, "or", Kind::kOr); }

  Result<Expr> ParseNot(int depth) {
    if (!IsKeyword(Peek(), "not")) return ParsePrimary(depth);
    if (depth >= kMaxDepth) return TooDeep();
    Take();
    Result<Expr> operand = ParseNot(depth + 1);
    if (!operand.ok()) return operand;
    Expr negation(Kind::kNot);
    negation.children.push_back(std::move(*operand));
    return negation;
  }

  Status TooDeep() const {
    return ErrorAt(expr_, Peek().pos,
                   "nesting deeper than " + std::to_string(kMaxDepth) + " levels");
  }

  Result<Expr> ParsePrimary(int depth) {
    if (Peek().kind == TokKind::kLParen) {
      if (depth >= kMaxDepth) return TooDeep();
      Take();
      Result<Expr> inner = ParseOr(depth + 1);
      if (!inner.ok()) return inner;
      if (Peek().kind != TokKind::kRParen) return Expected("')'");
      Take();
      return inner;
    }
    if (Peek().kind != TokKind::kWord || IsAnyKeyword(Peek()))
      return Expected("a field name or '('");
    return ParseCondition(Take());
  }

  Result<Expr> ParseCondition(const Tok& field_tok) {
    Expr e(Kind::kCompare);
    e.field = LowerAscii(field_tok.text);
    if (Peek().kind == TokKind::kOp) {
      const Tok& op = Take();
      e.accept = ToAccept(op.text);
      TokKind k = Peek().kind;
      if (k != TokKind::kNumber && k != TokKind::kText && k != TokKind::kDate) {
        return Expected("a literal after '" + op.text + "'");
      }
      e.numeric = k == TokKind::kNumber;
      e.literal = Take().text;
      return e;
    }
    if (IsKeyword(Peek(), "contains")) {
      Take();
      if (Peek().kind != TokKind::kText) return Expected("a quoted text after CONTAINS");
      e.kind = Kind::kContains;
      e.literal = LowerAscii(Take().text);
      return e;
    }
    if (IsKeyword(Peek(), "is")) {
      Take();
      e.kind = Kind::kIsEmpty;
      if (IsKeyword(Peek(), "not")) {
        Take();
        e.kind = Kind::kIsNotEmpty;
      }
      if (!IsKeyword(Peek(), "empty")) return Expected("EMPTY after IS or IS NOT");
      Take();
      return e;
    }
    return Expected("an operator, CONTAINS or IS after '" + field_tok.text + "'");
  }

  std::string_view expr_;
  std::vector<Tok> toks_;
  std::size_t next_ = 0;
};

// Whether ordering `c` (<0, 0, >0) is accepted by `accept`.
bool Accepts(unsigned accept, int c) {
  return accept & (c < 0 ? kLess : c > 0 ? kGreater : kEqual);
}

bool Eval(const Expr& e, const FieldValues& fields) {
  switch (e.kind) {
    case Kind::kAnd:
      for (const Expr& c : e.children) {
        if (!Eval(c, fields)) return false;
      }
      return true;
    case Kind::kOr:
      for (const Expr& c : e.children) {
        if (Eval(c, fields)) return true;
      }
      return false;
    case Kind::kNot:
      return !Eval(e.children.front(), fields);
    default:
      break;
  }
  auto it = fields.find(e.field);
  std::string_view value = it == fields.end() ? std::string_view() : it->second;
  switch (e.kind) {
    case Kind::kIsEmpty:
      return value.empty();
    case Kind::kIsNotEmpty:
      return !value.empty();
    case Kind::kContains:
      return LowerAscii(value).find(e.literal) != std::string::npos;
    default:
      break;
  }
  if (e.numeric && IsNumber(value)) {
    return Accepts(e.accept, CompareNumbers(value, e.literal));
  }
  return Accepts(e.accept, value.compare(e.literal));
}

}  // namespace

struct TargetGroup::Node {
  Expr root;
};

Result<TargetGroup> TargetGroup::Parse(std::string_view expression) {
  if (expression.size() > kMaxExpressionBytes) {
    return Status::InvalidArgument("expression longer than " + std::to_string(kMaxExpressionBytes) +
                                   " bytes");
  }
  std::vector<Tok> toks;
  CAMPAIGND_RETURN_IF_ERROR(Lex(expression, &toks));
  TargetGroup group;
  group.expression_ = std::string(expression);
  if (toks.size() == 1) return group;  // only kEnd: matches everything
  Result<Expr> root = Parser(expression, std::move(toks)).ParseAll();
  if (!root.ok()) return root.status();
  group.root_ = std::make_shared<const Node>(Node{std::move(*root)});
  return group;
}

bool TargetGroup::Matches(const FieldValues& fields) const {
  return root_ == nullptr || Eval(root_->root, fields);
}

}  // namespace campaignd
