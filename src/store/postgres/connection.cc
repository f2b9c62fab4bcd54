#include "store/postgres/connection.h"

#include <libpq-fe.h>
#include <poll.h>

#include <charconv>
#include <utility>

#include "store/postgres/pg_error.h"
#include "store/postgres/pg_url.h"

namespace campaignd::store::postgres {
namespace {

// libpq's message without the trailing newline.
std::string Trimmed(const char* text) {
  std::string s = text != nullptr ? text : "";
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

// The array literal of `values`, each element as `append` writes it.
template <typename T, typename Append>
std::string ArrayLiteral(std::span<const T> values, const Append& append) {
  std::string literal = "{";
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i > 0) literal += ',';
    append(literal, values[i]);
  }
  return literal + "}";
}

}  // namespace

std::string IntArray(std::span<const int64_t> values) {
  return ArrayLiteral(values, [](std::string& out, int64_t v) { out += std::to_string(v); });
}

// Elements always quoted, '"' and '\' escaped.
std::string TextArray(std::span<const std::string> values) {
  return ArrayLiteral(values, [](std::string& out, const std::string& value) {
    out += '"';
    for (char c : value) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  });
}

PgResult::PgResult(PgResult&& other) noexcept : result_(std::exchange(other.result_, nullptr)) {}

PgResult::~PgResult() {
  if (result_ != nullptr) PQclear(result_);
}

int PgResult::rows() const { return PQntuples(result_); }

int64_t PgResult::affected() const {
  const char* text = PQcmdTuples(result_);
  int64_t n = 0;
  std::from_chars(text, text + std::char_traits<char>::length(text), n);
  return n;
}

bool PgResult::IsNull(int row, int column) const { return PQgetisnull(result_, row, column) != 0; }

int64_t PgResult::Int(int row, int column) const {
  const char* text = PQgetvalue(result_, row, column);
  int64_t n = 0;
  std::from_chars(text, text + PQgetlength(result_, row, column), n);
  return n;
}

std::string PgResult::Text(int row, int column) const {
  return std::string(PQgetvalue(result_, row, column), PQgetlength(result_, row, column));
}

std::string PgResult::Bytes(int row, int column) const {
  std::size_t length = 0;
  unsigned char* bytes = PQunescapeBytea(
      reinterpret_cast<const unsigned char*>(PQgetvalue(result_, row, column)), &length);
  if (bytes == nullptr) return {};
  std::string out(reinterpret_cast<const char*>(bytes), length);
  PQfreemem(bytes);
  return out;
}

bool PgResult::IsBytes(int column) const {
  constexpr Oid kByteaOid = 17;  // pg_type.dat
  return PQftype(result_, column) == kByteaOid;
}

Result<std::unique_ptr<Connection>> Connection::Open(const std::string& url,
                                                     std::chrono::seconds connect_timeout) {
  const std::string timeout = std::to_string(connect_timeout.count());
  const std::string options = "-c lock_timeout=" + std::to_string(kLockTimeout.count());
  // Ours first: settings in the URL (dbname, expanded last) override them.
  const char* keywords[] = {"connect_timeout",  "application_name", "client_encoding",
                            "keepalives",       "keepalives_idle",  "keepalives_interval",
                            "keepalives_count", "options",          "dbname",
                            nullptr};
  const char* values[] = {timeout.c_str(), "campaignd", "UTF8", "1", "30", "10", "3",
                          options.c_str(), url.c_str(), nullptr};
  PGconn* conn = PQconnectdbParams(keywords, values, /*expand_dbname=*/1);
  if (conn == nullptr) return Status::Unavailable("connect to PostgreSQL: out of memory");
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string message = ScrubPassword(Trimmed(PQerrorMessage(conn)), url);
    PQfinish(conn);
    return Status::Unavailable("connect to " + RedactUrl(url) + ": " + message);
  }
  // NOTICEs ("relation already exists, skipping") are not errors; libpq
  // would print each to stderr.
  PQsetNoticeProcessor(conn, [](void*, const char*) {}, nullptr);
  return std::unique_ptr<Connection>(new Connection(conn, url));
}

Connection::~Connection() { PQfinish(conn_); }

Status Connection::Check(PGresult* result, std::string_view purpose) {
  const bool lost = PQstatus(conn_) == CONNECTION_BAD;
  if (result == nullptr) {
    return PgError("", lost, purpose, ScrubPassword(Trimmed(PQerrorMessage(conn_)), url_));
  }
  const ExecStatusType status = PQresultStatus(result);
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return Status::Ok();
  const char* sqlstate = PQresultErrorField(result, PG_DIAG_SQLSTATE);
  const char* primary = PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY);
  const char* constraint = PQresultErrorField(result, PG_DIAG_CONSTRAINT_NAME);
  std::string message = Trimmed(primary != nullptr ? primary : PQresultErrorMessage(result));
  if (constraint != nullptr) message += " [constraint " + std::string(constraint) + "]";
  return PgError(sqlstate != nullptr ? sqlstate : "", lost, purpose,
                 ScrubPassword(std::move(message), url_));
}

Status Connection::Exec(std::string_view sql, std::string_view purpose) {
  const std::string text(sql);
  PGresult* result = PQexec(conn_, text.c_str());
  const PgResult owned(result);  // cleared on return
  return Check(result, purpose);
}

Result<std::string> Connection::Prepared(std::string_view sql, int param_count,
                                         std::string_view purpose) {
  auto it = prepared_.find(std::string(sql));
  if (it != prepared_.end()) return it->second;
  std::string name = "campaignd_" + std::to_string(prepared_.size() + 1);
  const std::string text(sql);
  PGresult* result = PQprepare(conn_, name.c_str(), text.c_str(), param_count, nullptr);
  const PgResult owned(result);  // cleared on return
  CAMPAIGND_RETURN_IF_ERROR(Check(result, std::string(purpose) + " (prepare)"));
  prepared_.emplace(text, name);
  return name;
}

Result<PgResult> Connection::Query(std::string_view sql, std::span<const SqlValue> params,
                                   std::string_view purpose) {
  const std::size_t n = params.size();
  std::vector<std::string> ints;
  ints.reserve(n);                              // no reallocation: values[] points into it
  std::vector<const char*> values(n, nullptr);  // nullptr: NULL
  std::vector<int> lengths(n, 0), formats(n, 0);
  for (std::size_t i = 0; i < n; ++i) {
    if (const auto* v = std::get_if<int64_t>(&params[i])) {
      values[i] = ints.emplace_back(std::to_string(*v)).c_str();
    } else if (const auto* s = std::get_if<std::string>(&params[i])) {
      if (s->find('\0') != std::string::npos) {
        return Status::InvalidArgument(std::string(purpose) + ": parameter $" +
                                       std::to_string(i + 1) + " contains a NUL byte");
      }
      values[i] = s->c_str();
    } else if (const auto* b = std::get_if<SqlBytes>(&params[i])) {
      values[i] = b->bytes.data();
      lengths[i] = static_cast<int>(b->bytes.size());
      formats[i] = 1;
    }
  }
  Result<std::string> name = Prepared(sql, static_cast<int>(n), purpose);
  if (!name.ok()) return name.status();
  PGresult* result = PQexecPrepared(conn_, name->c_str(), static_cast<int>(n), values.data(),
                                    lengths.data(), formats.data(), /*resultFormat=*/0);
  PgResult owned(result);
  CAMPAIGND_RETURN_IF_ERROR(Check(result, purpose));
  return owned;
}

Status Connection::Commit(std::string_view purpose) {
  if (PQtransactionStatus(conn_) == PQTRANS_INERROR) {
    Rollback();
    return Status::Internal(std::string(purpose) + ": commit after a failed statement");
  }
  Status status = Exec("COMMIT", std::string(purpose) + " (commit)");
  // A COMMIT of a failed transaction "succeeds" as ROLLBACK; the caller
  // already has that failure. A COMMIT that fails leaves nothing open.
  if (!status.ok()) Rollback();
  return status;
}

void Connection::Rollback() {
  if (PQstatus(conn_) != CONNECTION_OK || idle()) return;
  PgResult{PQexec(conn_, "ROLLBACK")};  // cleared at once
}

bool Connection::broken() const { return PQstatus(conn_) == CONNECTION_BAD; }

bool Connection::idle() const { return PQtransactionStatus(conn_) == PQTRANS_IDLE; }

bool Connection::CheckAlive() {
  if (broken()) return false;
  // An idle connection has nothing to read; if the server sent something
  // it is almost always a FATAL error before closing (restart, terminate).
  // Either way a fresh connection is the safe choice.
  pollfd fd = {PQsocket(conn_), POLLIN, 0};
  return ::poll(&fd, 1, 0) == 0;
}

int Connection::backend_pid() const { return PQbackendPID(conn_); }

std::string Connection::database() const { return PQdb(conn_); }

}  // namespace campaignd::store::postgres
