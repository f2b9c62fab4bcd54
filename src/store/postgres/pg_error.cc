#include "store/postgres/pg_error.h"

#include <string>

namespace campaignd::store::postgres {

Status::Code ClassifySqlState(std::string_view sqlstate, bool connection_lost) {
  using Code = Status::Code;
  if (connection_lost) return Code::kUnavailable;
  const std::string_view cls = sqlstate.substr(0, 2);
  if (cls == "08" || cls == "53") return Code::kUnavailable;
  if (sqlstate == "57P01" || sqlstate == "57P02" || sqlstate == "57P03") return Code::kUnavailable;
  if (sqlstate == "40001" || sqlstate == "40P01") return Code::kUnavailable;
  if (sqlstate == "55P03") return Code::kUnavailable;  // lock_timeout (kLockTimeout)
  if (cls == "23" || cls == "22") return Code::kInvalidArgument;
  if (sqlstate == "XX001" || sqlstate == "XX002") return Code::kCorruption;
  return Code::kIOError;
}

Status PgError(std::string_view sqlstate, bool connection_lost, std::string_view purpose,
               std::string_view message) {
  std::string text(purpose);
  text += ": ";
  text += message.empty() ? std::string_view("unknown PostgreSQL error") : message;
  if (!sqlstate.empty()) text += " (SQLSTATE " + std::string(sqlstate) + ")";
  switch (ClassifySqlState(sqlstate, connection_lost)) {
    case Status::Code::kUnavailable:
      return Status::Unavailable(std::move(text));
    case Status::Code::kInvalidArgument:
      return Status::InvalidArgument(std::move(text));
    case Status::Code::kCorruption:
      return Status::Corruption(std::move(text));
    default:
      return Status::IOError(std::move(text));
  }
}

}  // namespace campaignd::store::postgres
