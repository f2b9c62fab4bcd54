#include "store/postgres/pg_recipients.h"

#include <algorithm>

#include "core/address.h"
#include "store/json_text.h"
#include "store/postgres/enqueue_batcher.h"

namespace campaignd::store::postgres {
namespace {

constexpr std::string_view kRecipientColumns =
    "list_id, recipient_id, fields, state, tracking_opt_out, optin_id, optin_at, optin_source";

// Row `i` in kRecipientColumns order.
Result<Recipient> ReadRecipient(const PgResult& rows, int i) {
  Recipient r;
  r.list_id = rows.Int(i, 0);
  r.id = rows.Text(i, 1);
  const std::string what = "recipient " + r.id + " of list " + std::to_string(r.list_id);
  Result<FieldValues> fields = FieldsFromJson(rows.Text(i, 2), what);
  if (!fields.ok()) return fields.status();
  r.fields = std::move(*fields);
  std::optional<RecipientState> state = ParseRecipientState(rows.Text(i, 3));
  if (!state) return Status::Corruption(what + ": unknown state");
  r.state = *state;
  r.tracking_opt_out = rows.Int(i, 4) != 0;
  r.optin_id = rows.Int(i, 5);
  r.optin_at = FromUnixMillis(rows.Int(i, 6));
  r.optin_source = rows.Text(i, 7);
  return r;
}

Result<std::optional<Recipient>> FindOn(Connection& conn, int64_t client_id, int64_t list_id,
                                        std::string_view id) {
  Result<PgResult> rows =
      conn.Query("SELECT " + std::string(kRecipientColumns) +
                     " FROM recipients WHERE client_id = $1 AND list_id = $2 AND recipient_id = $3",
                 Params().Int(client_id).Int(list_id).Text(id), "find recipient");
  if (!rows.ok()) return rows.status();
  if (rows->rows() == 0) return std::optional<Recipient>();
  Result<Recipient> r = ReadRecipient(*rows, 0);
  if (!r.ok()) return r.status();
  return std::optional<Recipient>(std::move(*r));
}

// The primitives of one transaction for one client.
class Writes final : public RecipientWrites {
 public:
  Writes(Connection& conn, int64_t client_id) : conn_(conn), client_(client_id) {}

  Result<std::optional<Recipient>> Find(int64_t list_id, std::string_view id) override {
    return FindOn(conn_, client_, list_id, id);
  }

  Result<std::vector<int64_t>> ListsOf(std::string_view id, bool ordinary_only) override {
    Result<PgResult> rows = conn_.Query(
        "SELECT r.list_id FROM recipients r JOIN lists l "
        "ON l.client_id = r.client_id AND l.id = r.list_id "
        "WHERE r.client_id = $1 AND r.recipient_id = $2 "
        "AND ($3 = 0 OR (l.test = 0 AND l.kind <> 'transaction')) ORDER BY r.list_id",
        Params().Int(client_).Text(id).Int(ordinary_only ? 1 : 0), "find lists of recipient");
    if (!rows.ok()) return rows.status();
    std::vector<int64_t> lists;
    for (int i = 0; i < rows->rows(); ++i) lists.push_back(rows->Int(i, 0));
    return lists;
  }

  Status Put(const Recipient& r) override {
    Result<std::string> fields = FieldsToJson(r.fields);
    if (!fields.ok()) return fields.status();
    return conn_
        .Query("INSERT INTO recipients (client_id, " + std::string(kRecipientColumns) +
                   ") VALUES ($1, $2, $3, $4::json, $5, $6, $7, $8, $9) "
                   "ON CONFLICT (client_id, list_id, recipient_id) DO UPDATE SET "
                   "fields = excluded.fields, state = excluded.state, "
                   "tracking_opt_out = excluded.tracking_opt_out, optin_id = excluded.optin_id, "
                   "optin_at = excluded.optin_at, optin_source = excluded.optin_source",
               Params()
                   .Int(client_)
                   .Int(r.list_id)
                   .Text(r.id)
                   .Text(*fields)
                   .Text(Name(r.state))
                   .Int(r.tracking_opt_out ? 1 : 0)
                   .Int(r.optin_id)
                   .Int(ToUnixMillis(r.optin_at))
                   .Text(r.optin_source),
               "put recipient")
        .status();
  }

  Result<bool> Delete(int64_t list_id, std::string_view id) override {
    return Change(
        "DELETE FROM recipients WHERE client_id = $1 AND list_id = $2 AND recipient_id = $3",
        Params().Int(client_).Int(list_id).Text(id), "delete recipient");
  }

  Result<Suppression> CheckSuppression(int64_t list_id, std::string_view id) override {
    Result<PgResult> rows = conn_.Query(
        "SELECT coalesce((SELECT json_agg(pattern) FROM blocklist WHERE client_id = $1 "
        "                   AND (pattern = $3 OR is_wildcard = 1)), '[]'), "
        "  EXISTS (SELECT 1 FROM recipients WHERE client_id = $1 AND list_id = $2 "
        "            AND recipient_id = $3 AND state = 'unsubscribed') "
        "    OR EXISTS (SELECT 1 FROM unsubscribes WHERE client_id = $1 AND address = $3), "
        "  coalesce((SELECT hard_bounces FROM bounces WHERE client_id = $1 AND address = $3), 0)",
        Params().Int(client_).Int(list_id).Text(id), "check suppression");
    if (!rows.ok()) return rows.status();
    Result<std::vector<std::string>> patterns =
        StringsFromJson(rows->Text(0, 0), "blocklist of client " + std::to_string(client_));
    if (!patterns.ok()) return patterns.status();
    Suppression s;
    for (const std::string& p : *patterns) s.blocked = s.blocked || MatchesPattern(p, id);
    s.unsubscribed = rows->Bool(0, 1);
    s.hard_bounces = static_cast<int>(rows->Int(0, 2));
    return s;
  }

  Status AddUnsubscribe(const Unsubscribe& u) override {
    return conn_
        .Query(
            "INSERT INTO unsubscribes (client_id, address, mail_id, mailing_id, at) "
            "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (client_id, address) DO UPDATE SET "
            "mail_id = excluded.mail_id, mailing_id = excluded.mailing_id, at = excluded.at",
            Params()
                .Int(client_)
                .Text(u.address)
                .Int(u.mail_id)
                .Int(u.mailing_id)
                .Int(ToUnixMillis(u.at)),
            "add unsubscribe")
        .status();
  }

  Result<bool> RemoveUnsubscribe(std::string_view address) override {
    return Change("DELETE FROM unsubscribes WHERE client_id = $1 AND address = $2",
                  Params().Int(client_).Text(address), "remove unsubscribe");
  }

  Result<bool> AddBlock(const BlockEntry& e) override {
    const bool wildcard = e.pattern.find_first_of("*?") != std::string::npos;
    return Change(
        "INSERT INTO blocklist (client_id, pattern, reason, is_wildcard) VALUES ($1, $2, $3, $4) "
        "ON CONFLICT (client_id, pattern) DO NOTHING",
        Params().Int(client_).Text(e.pattern).Text(e.reason).Int(wildcard ? 1 : 0),
        "add blocklist entry");
  }

  Result<bool> RemoveBlock(std::string_view pattern) override {
    return Change("DELETE FROM blocklist WHERE client_id = $1 AND pattern = $2",
                  Params().Int(client_).Text(pattern), "remove blocklist entry");
  }

  Status Rename(std::string_view from, std::string_view to) override {
    // $1 client, $2 old ID, $3 new ID (every statement names all three).
    static constexpr std::string_view kSql[] = {
        "UPDATE recipients SET recipient_id = $3 WHERE client_id = $1 AND recipient_id = $2",
        "INSERT INTO unsubscribes (client_id, address, mail_id, mailing_id, at) "
        "SELECT client_id, $3, mail_id, mailing_id, at FROM unsubscribes "
        "WHERE client_id = $1 AND address = $2 ON CONFLICT (client_id, address) DO NOTHING",
        "DELETE FROM unsubscribes WHERE client_id = $1 AND address = $2 AND address <> $3",
        "UPDATE mails SET recipient_id = $3 WHERE client_id = $1 AND recipient_id = $2",
    };
    for (std::string_view sql : kSql) {
      CAMPAIGND_RETURN_IF_ERROR(
          conn_.Query(sql, Params().Int(client_).Text(from).Text(to), "rename recipient").status());
    }
    return Status::Ok();
  }

  Result<int64_t> Enqueue(const NewMail& mail) override {
    Result<std::string> fields = FieldsToJson(mail.fields);
    if (!fields.ok()) return fields.status();
    static const std::string kSql =
        "WITH added AS ("
        "  INSERT INTO mails (client_id, list_id, mailing_id, recipient_id, fields, status,"
        "                     created_at, updated_at, next_attempt_at)"
        "  VALUES ($1, $2, $3, $4, $5::json, 'enqueued', $6, $6, $6) RETURNING id"
        "), event AS ("
        "  INSERT INTO mail_events (mail_id, at, status, reply)"
        "  SELECT id, $6, 'enqueued', '' FROM added"
        ") SELECT id, pg_notify('" +
        std::string(kMailChannel) + "', '') FROM added";
    Result<PgResult> rows = conn_.Query(kSql,
                                        Params()
                                            .Int(mail.client_id)
                                            .Int(mail.list_id)
                                            .Int(mail.mailing_id)
                                            .Text(mail.recipient_id)
                                            .Text(*fields)
                                            .Int(ToUnixMillis(mail.created_at)),
                                        "enqueue mail");
    if (!rows.ok()) return rows.status();
    return rows->Int(0, 0);
  }

 private:
  Result<bool> Change(std::string_view sql, const Params& params, std::string_view purpose) {
    Result<PgResult> rows = conn_.Query(sql, params, purpose);
    if (!rows.ok()) return rows.status();
    return rows->affected() > 0;
  }

  Connection& conn_;
  const int64_t client_;
};

}  // namespace

Result<std::optional<OptInProcess>> PgRecipients::FindOptIn(int64_t client_id, int64_t id) {
  Result<Pool::Lease> conn = pool_.Checkout();
  if (!conn.ok()) return conn.status();
  Result<PgResult> rows = (*conn)->Query(
      "SELECT name, kind, mailing_id, confirmation_url FROM optin_processes "
      "WHERE client_id = $1 AND id = $2",
      Params().Int(client_id).Int(id), "find opt-in process");
  if (!rows.ok()) return rows.status();
  if (rows->rows() == 0) return std::optional<OptInProcess>();
  std::optional<OptInKind> kind = ParseOptInKind(rows->Text(0, 1));
  if (!kind) return Status::Corruption("opt-in process " + std::to_string(id) + ": unknown kind");
  return std::optional<OptInProcess>(
      OptInProcess{client_id, id, rows->Text(0, 0), *kind, rows->Int(0, 2), rows->Text(0, 3)});
}

Result<std::optional<Recipient>> PgRecipients::FindRecipient(int64_t client_id, int64_t list_id,
                                                             std::string_view id) {
  Result<Pool::Lease> conn = pool_.Checkout();
  if (!conn.ok()) return conn.status();
  return FindOn(**conn, client_id, list_id, id);
}

Result<std::optional<Unsubscribe>> PgRecipients::FindUnsubscribe(int64_t client_id,
                                                                 std::string_view address) {
  Result<Pool::Lease> conn = pool_.Checkout();
  if (!conn.ok()) return conn.status();
  Result<PgResult> rows = (*conn)->Query(
      "SELECT mail_id, mailing_id, at FROM unsubscribes WHERE client_id = $1 AND address = $2",
      Params().Int(client_id).Text(address), "find unsubscribe");
  if (!rows.ok()) return rows.status();
  if (rows->rows() == 0) return std::optional<Unsubscribe>();
  return std::optional<Unsubscribe>(Unsubscribe{std::string(address), rows->Int(0, 0),
                                                rows->Int(0, 1), FromUnixMillis(rows->Int(0, 2))});
}

Status PgRecipients::Write(int64_t client_id, const std::vector<std::string>& keys,
                           const Work& work) {
  Result<Pool::Lease> conn = pool_.Checkout();
  if (!conn.ok()) return conn.status();
  Transaction transaction(**conn, "recipient operation");
  CAMPAIGND_RETURN_IF_ERROR(transaction.status());
  std::vector<std::string> sorted = keys;
  std::sort(sorted.begin(), sorted.end());
  sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
  for (const std::string& key : sorted) {
    CAMPAIGND_RETURN_IF_ERROR(
        (*conn)
            ->Query("SELECT pg_advisory_xact_lock(hashtextextended($1::text || ':' || $2::text, 0))",
                    Params().Text(std::to_string(client_id)).Text(key), "lock recipient")
            .status());
  }
  Writes writes(**conn, client_id);
  CAMPAIGND_RETURN_IF_ERROR(work(writes));
  return transaction.Commit();
}

}  // namespace campaignd::store::postgres
