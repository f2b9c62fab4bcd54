// PostgreSQL URLs ("postgresql://user:password@host:port/dbname?options",
// also "postgres://"): the few things campaignd does with one besides
// handing it to libpq: hide its password in every message and log line.
// Threads: pure functions. Input: an operator's URL, not validated here
// (libpq reports what it cannot parse).
#ifndef CAMPAIGND_STORE_POSTGRES_PG_URL_H_
#define CAMPAIGND_STORE_POSTGRES_PG_URL_H_

#include <string>
#include <string_view>

namespace campaignd::store::postgres {

// True for "postgresql://..." and "postgres://...".
bool IsPostgresUrl(std::string_view url);

// `url` with its password (if any) replaced by "***"; any scheme://user:password@
// URL, so a mistyped scheme does not show the password either.
std::string RedactUrl(std::string_view url);

// `message` with every occurrence of `url`'s password (raw and
// percent-decoded) replaced by "***". For messages libpq builds.
std::string ScrubPassword(std::string message, std::string_view url);

}  // namespace campaignd::store::postgres

#endif  // CAMPAIGND_STORE_POSTGRES_PG_URL_H_
