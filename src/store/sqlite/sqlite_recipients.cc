#include "store/sqlite/sqlite_recipients.h"

#include "core/address.h"
#include "store/json_text.h"

namespace campaignd::store::sqlite {
namespace {

constexpr std::string_view kRecipientColumns =
    "list_id, recipient_id, fields, state, tracking_opt_out, optin_id, optin_at, optin_source";

// A recipient row in kRecipientColumns order.
Result<Recipient> ReadRecipient(const Statement& row) {
  Recipient r;
  r.list_id = row.ColumnInt(0);
  r.id = row.ColumnText(1);
  const std::string what = "recipient " + r.id + " of list " + std::to_string(r.list_id);
  Result<FieldValues> fields = FieldsFromJson(row.ColumnText(2), what);
  if (!fields.ok()) return fields.status();
  r.fields = std::move(*fields);
  std::optional<RecipientState> state = ParseRecipientState(row.ColumnText(3));
  if (!state) return Status::Corruption(what + ": unknown state");
  r.state = *state;
  r.tracking_opt_out = row.ColumnInt(4) != 0;
  r.optin_id = row.ColumnInt(5);
  r.optin_at = FromUnixMillis(row.ColumnInt(6));
  r.optin_source = row.ColumnText(7);
  return r;
}

// The primitives of one writer unit for one client.
class Writes final : public RecipientWrites {
 public:
  Writes(Database& db, int64_t client_id) : db_(db), client_(client_id) {}

  Result<std::optional<Recipient>> Find(int64_t list_id, std::string_view id) override {
    Result<Statement> q = db_.Prepare(
        "SELECT " + std::string(kRecipientColumns) +
            " FROM recipients WHERE client_id = ?1 AND list_id = ?2 AND recipient_id = ?3",
        "find recipient");
    if (!q.ok()) return q.status();
    Result<bool> row = q->BindInt(1, client_).BindInt(2, list_id).BindText(3, id).Step();
    if (!row.ok()) return row.status();
    if (!*row) return std::optional<Recipient>();
    Result<Recipient> r = ReadRecipient(*q);
    if (!r.ok()) return r.status();
    return std::optional<Recipient>(std::move(*r));
  }

  Result<std::vector<int64_t>> ListsOf(std::string_view id, bool ordinary_only) override {
    Result<Statement> q = db_.Prepare(
        "SELECT r.list_id FROM recipients r JOIN lists l "
        "ON l.client_id = r.client_id AND l.id = r.list_id "
        "WHERE r.client_id = ?1 AND r.recipient_id = ?2 "
        "AND (?3 = 0 OR (l.test = 0 AND l.kind <> 'transaction')) ORDER BY r.list_id",
        "find lists of recipient");
    if (!q.ok()) return q.status();
    std::vector<int64_t> lists;
    q->BindInt(3, ordinary_only ? 1 : 0);
    CAMPAIGND_RETURN_IF_ERROR(q->BindInt(1, client_).BindText(2, id).ForEachRow([&] {
      lists.push_back(q->ColumnInt(0));
      return Status::Ok();
    }));
    return lists;
  }

  Status Put(const Recipient& r) override {
    Result<std::string> fields = FieldsToJson(r.fields);
    if (!fields.ok()) return fields.status();
    Result<Statement> q = db_.Prepare(
        "INSERT INTO recipients (client_id, " + std::string(kRecipientColumns) +
            ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) "
            "ON CONFLICT (client_id, list_id, recipient_id) DO UPDATE SET "
            "fields = excluded.fields, state = excluded.state, "
            "tracking_opt_out = excluded.tracking_opt_out, optin_id = excluded.optin_id, "
            "optin_at = excluded.optin_at, optin_source = excluded.optin_source",
        "put recipient");
    if (!q.ok()) return q.status();
    return q->BindInt(1, client_)
        .BindInt(2, r.list_id)
        .BindText(3, r.id)
        .BindText(4, *fields)
        .BindText(5, Name(r.state))
        .BindInt(6, r.tracking_opt_out ? 1 : 0)
        .BindInt(7, r.optin_id)
        .BindInt(8, ToUnixMillis(r.optin_at))
        .BindText(9, r.optin_source)
        .Run();
  }

  Result<bool> Delete(int64_t list_id, std::string_view id) override {
    return Change(
        "DELETE FROM recipients WHERE client_id = ?1 AND list_id = ?2 AND recipient_id = ?3",
        "delete recipient", [&](Statement& q) { q.BindInt(2, list_id).BindText(3, id); });
  }

  Result<Suppression> CheckSuppression(int64_t list_id, std::string_view id) override {
    Suppression s;
    Result<Statement> blocks = db_.Prepare(
        "SELECT pattern, is_wildcard FROM blocklist WHERE client_id = ?1 "
        "AND (pattern = ?2 AND is_wildcard = 0 OR is_wildcard = 1)",
        "check blocklist");
    if (!blocks.ok()) return blocks.status();
    CAMPAIGND_RETURN_IF_ERROR(blocks->BindInt(1, client_).BindText(2, id).ForEachRow([&] {
      s.blocked =
          s.blocked || blocks->ColumnInt(1) == 0 || MatchesPattern(blocks->ColumnText(0), id);
      return Status::Ok();
    }));
    Result<Statement> q = db_.Prepare(
        "SELECT EXISTS (SELECT 1 FROM recipients WHERE client_id = ?1 AND list_id = ?2 "
        "                 AND recipient_id = ?3 AND state = 'unsubscribed') "
        "    OR EXISTS (SELECT 1 FROM unsubscribes WHERE client_id = ?1 AND address = ?3), "
        "  (SELECT hard_bounces FROM bounces WHERE client_id = ?1 AND address = ?3)",
        "check suppression");
    if (!q.ok()) return q.status();
    Result<bool> row = q->BindInt(1, client_).BindInt(2, list_id).BindText(3, id).Step();
    if (!row.ok()) return row.status();
    s.unsubscribed = q->ColumnInt(0) != 0;
    s.hard_bounces = q->ColumnIsNull(1) ? 0 : static_cast<int>(q->ColumnInt(1));
    return s;
  }

  Status AddUnsubscribe(const Unsubscribe& u) override {
    Result<Statement> q = db_.Prepare(
        "INSERT INTO unsubscribes (client_id, address, mail_id, mailing_id, at) "
        "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (client_id, address) DO UPDATE SET "
        "mail_id = excluded.mail_id, mailing_id = excluded.mailing_id, at = excluded.at",
        "add unsubscribe");
    if (!q.ok()) return q.status();
    return q->BindInt(1, client_)
        .BindText(2, u.address)
        .BindInt(3, u.mail_id)
        .BindInt(4, u.mailing_id)
        .BindInt(5, ToUnixMillis(u.at))
        .Run();
  }

  Result<bool> RemoveUnsubscribe(std::string_view address) override {
    return Change("DELETE FROM unsubscribes WHERE client_id = ?1 AND address = ?2",
                  "remove unsubscribe", [&](Statement& q) { q.BindText(2, address); });
  }

  Result<bool> AddBlock(const BlockEntry& e) override {
    return Change(
        "INSERT INTO blocklist (client_id, pattern, reason, is_wildcard) "
        "VALUES (?1, ?2, ?3, ?4) ON CONFLICT (client_id, pattern) DO NOTHING",
        "add blocklist entry", [&](Statement& q) {
          q.BindText(2, e.pattern).BindText(3, e.reason);
          q.BindInt(4, e.pattern.find_first_of("*?") != std::string::npos ? 1 : 0);
        });
  }

  Result<bool> RemoveBlock(std::string_view pattern) override {
    return Change("DELETE FROM blocklist WHERE client_id = ?1 AND pattern = ?2",
                  "remove blocklist entry", [&](Statement& q) { q.BindText(2, pattern); });
  }

  Status Rename(std::string_view from, std::string_view to) override {
    // ?1 client, ?2 old ID, ?3 new ID (every statement names all three).
    static constexpr std::string_view kSql[] = {
        "UPDATE recipients SET recipient_id = ?3 WHERE client_id = ?1 AND recipient_id = ?2",
        "INSERT OR IGNORE INTO unsubscribes (client_id, address, mail_id, mailing_id, at) "
        "SELECT client_id, ?3, mail_id, mailing_id, at FROM unsubscribes "
        "WHERE client_id = ?1 AND address = ?2",
        "DELETE FROM unsubscribes WHERE client_id = ?1 AND address = ?2 AND address <> ?3",
        "UPDATE mails SET recipient_id = ?3 WHERE client_id = ?1 AND recipient_id = ?2",
    };
    for (std::string_view sql : kSql) {
      Result<Statement> q = db_.Prepare(sql, "rename recipient");
      if (!q.ok()) return q.status();
      CAMPAIGND_RETURN_IF_ERROR(q->BindInt(1, client_).BindText(2, from).BindText(3, to).Run());
    }
    return Status::Ok();
  }

  Result<int64_t> Enqueue(const NewMail& mail) override {
    Result<std::string> fields = FieldsToJson(mail.fields);
    if (!fields.ok()) return fields.status();
    Result<Statement> insert = db_.Prepare(
        "INSERT INTO mails (client_id, list_id, mailing_id, recipient_id, fields, status, "
        "created_at, updated_at, next_attempt_at) "
        "VALUES (?1, ?2, ?3, ?4, ?5, 'enqueued', ?6, ?6, ?6) RETURNING id",
        "enqueue mail");
    if (!insert.ok()) return insert.status();
    const int64_t at = ToUnixMillis(mail.created_at);
    Result<bool> row = insert->BindInt(1, mail.client_id)
                           .BindInt(2, mail.list_id)
                           .BindInt(3, mail.mailing_id)
                           .BindText(4, mail.recipient_id)
                           .BindText(5, *fields)
                           .BindInt(6, at)
                           .Step();
    if (!row.ok()) return row.status();
    const int64_t id = insert->ColumnInt(0);
    CAMPAIGND_RETURN_IF_ERROR(insert->Run());
    Result<Statement> event = db_.Prepare(
        "INSERT INTO mail_events (mail_id, at, status, reply) VALUES (?1, ?2, 'enqueued', '')",
        "record mail event");
    if (!event.ok()) return event.status();
    CAMPAIGND_RETURN_IF_ERROR(event->BindInt(1, id).BindInt(2, at).Run());
    return id;
  }

 private:
  // Runs `sql` (?1 = the client, the rest bound by `bind`); whether it
  // changed a row.
  template <typename Bind>
  Result<bool> Change(std::string_view sql, std::string_view purpose, Bind bind) {
    Result<Statement> q = db_.Prepare(sql, purpose);
    if (!q.ok()) return q.status();
    q->BindInt(1, client_);
    bind(*q);
    CAMPAIGND_RETURN_IF_ERROR(q->Run());
    return db_.Changes() > 0;
  }

  Database& db_;
  const int64_t client_;
};

}  // namespace

Result<std::optional<OptInProcess>> SqliteRecipients::FindOptIn(int64_t client_id, int64_t id) {
  Result<ReadPool::Lease> db = readers_.Checkout();
  if (!db.ok()) return db.status();
  Result<Statement> q = (*db)->Prepare(
      "SELECT name, kind, mailing_id, confirmation_url FROM optin_processes "
      "WHERE client_id = ?1 AND id = ?2",
      "find opt-in process");
  if (!q.ok()) return q.status();
  Result<bool> row = q->BindInt(1, client_id).BindInt(2, id).Step();
  if (!row.ok()) return row.status();
  if (!*row) return std::optional<OptInProcess>();
  std::optional<OptInKind> kind = ParseOptInKind(q->ColumnText(1));
  if (!kind) return Status::Corruption("opt-in process " + std::to_string(id) + ": unknown kind");
  return std::optional<OptInProcess>(
      OptInProcess{client_id, id, q->ColumnText(0), *kind, q->ColumnInt(2), q->ColumnText(3)});
}

Result<std::optional<Recipient>> SqliteRecipients::FindRecipient(int64_t client_id, int64_t list_id,
                                                                 std::string_view id) {
  Result<ReadPool::Lease> db = readers_.Checkout();
  if (!db.ok()) return db.status();
  return Writes(**db, client_id).Find(list_id, id);  // a read: safe on a reader
}

Result<std::optional<Unsubscribe>> SqliteRecipients::FindUnsubscribe(int64_t client_id,
                                                                     std::string_view address) {
  Result<ReadPool::Lease> db = readers_.Checkout();
  if (!db.ok()) return db.status();
  Result<Statement> q = (*db)->Prepare(
      "SELECT mail_id, mailing_id, at FROM unsubscribes WHERE client_id = ?1 AND address = ?2",
      "find unsubscribe");
  if (!q.ok()) return q.status();
  Result<bool> row = q->BindInt(1, client_id).BindText(2, address).Step();
  if (!row.ok()) return row.status();
  if (!*row) return std::optional<Unsubscribe>();
  return std::optional<Unsubscribe>(Unsubscribe{std::string(address), q->ColumnInt(0),
                                                q->ColumnInt(1), FromUnixMillis(q->ColumnInt(2))});
}

Status SqliteRecipients::Write(int64_t client_id, const std::vector<std::string>& /*keys*/,
                               const Work& work) {
  return writer_.Submit([&](Database& db) -> Status {
    Writes writes(db, client_id);
    return work(writes);
  });
}

}  // namespace campaignd::store::sqlite
