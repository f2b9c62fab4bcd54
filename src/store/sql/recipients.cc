#include "store/sql/recipients.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "core/fields.h"
#include "store/json_text.h"
#include "store/sql/events.h"
#include "store/sql/records.h"

namespace campaignd::store {
namespace {

// The primitives of one write transaction for one client.
class Writes final : public RecipientWrites {
 public:
  Writes(SqlSession& session, int64_t client_id) : s_(session), client_(client_id) {}

  Result<std::optional<Recipient>> Find(int64_t list_id, std::string_view id) override {
    return records::FindRecipient(s_, client_, list_id, id);
  }

  Result<std::vector<int64_t>> ListsOf(std::string_view id, bool ordinary_only) override {
    const SqlValue params[] = {client_, std::string(id), int64_t{ordinary_only ? 1 : 0}};
    return EachRow<int64_t>(
        s_.Query("SELECT r.list_id FROM recipients r JOIN lists l "
                 "ON l.client_id = r.client_id AND l.id = r.list_id "
                 "WHERE r.client_id = $1 AND r.recipient_id = $2 "
                 "AND ($3 = 0 OR (l.test = 0 AND l.kind <> 'transaction')) ORDER BY r.list_id",
                 params, 1, "find lists of recipient"),
        [](const SqlRow& row) { return CellInt(row, 0); });
  }

  Status Put(const Recipient& r) override { return records::PutRecipient(s_, client_, r); }

  Result<bool> Delete(int64_t list_id, std::string_view id) override {
    return Changed(records::DeleteRecipient(s_, client_, list_id, id));
  }

  Result<Suppression> CheckSuppression(int64_t list_id, std::string_view id) override {
    return records::CheckSuppression(s_, client_, list_id, id);
  }

  Status AddUnsubscribe(const Unsubscribe& u) override {
    return records::PutUnsubscribe(s_, client_, u);
  }

  Result<bool> RemoveUnsubscribe(std::string_view address) override {
    const SqlValue key[] = {client_, std::string(address)};
    return Changed(s_.Execute("DELETE FROM unsubscribes WHERE client_id = $1 AND address = $2",
                              key, "remove unsubscribe"));
  }

  Result<bool> AddBlock(const BlockEntry& e) override {
    return Changed(records::WriteBlockEntry(s_, client_, e, records::Write::kInsertNew));
  }

  Result<bool> RemoveBlock(std::string_view pattern) override {
    return Changed(records::DeleteBlockEntry(s_, client_, pattern));
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
    const SqlValue params[] = {client_, std::string(from), std::string(to)};
    for (std::string_view sql : kSql) {
      CAMPAIGND_RETURN_IF_ERROR(s_.Execute(sql, params, "rename recipient").status());
    }
    return Status::Ok();
  }

  Status RecordOptIn(const Recipient& r, OptInKind kind, TimePoint at) override {
    static constexpr events::EventType kTypes[] = {events::EventType::kSingleOptIn,
                                                   events::EventType::kConfirmedOptIn,
                                                   events::EventType::kDoubleOptIn};
    events::Event e;
    e.client_id = client_;
    e.type = kTypes[static_cast<std::size_t>(kind)];
    e.at = at;
    e.list_id = r.list_id;
    e.recipient_id = r.id;
    e.address = LowerAscii(r.id);
    e.data = nlohmann::json{{"optInProcessId", r.optin_id}, {"source", r.optin_source}}.dump(
        -1, ' ', false, nlohmann::json::error_handler_t::replace);
    return events::Append(s_, e).status();
  }

  Result<int64_t> Enqueue(const NewMail& mail) override {
    Result<std::string> fields = FieldsToJson(mail.fields);
    if (!fields.ok()) return fields.status();
    Result<int64_t> id = records::InsertMail(s_, mail, std::move(*fields));
    if (!id.ok()) return id;
    events::Counters enqueued{};
    enqueued[events::kEnqueued] = 1;
    CAMPAIGND_RETURN_IF_ERROR(
        events::AddCounts(s_, mail.client_id, mail.mailing_id, mail.created_at, enqueued));
    CAMPAIGND_RETURN_IF_ERROR(s_.AnnounceMail());
    return id;
  }

 private:
  static Result<bool> Changed(const Result<int64_t>& rows) {
    if (!rows.ok()) return rows.status();
    return *rows > 0;
  }

  SqlSession& s_;
  const int64_t client_;
};

}  // namespace

Result<std::optional<OptInProcess>> SqlRecipients::FindOptIn(int64_t client_id, int64_t id) {
  StatementSession session(runner_);  // one statement: no snapshot transaction
  return records::FindOptIn(session, client_id, id);
}

Result<std::optional<Recipient>> SqlRecipients::FindRecipient(int64_t client_id, int64_t list_id,
                                                              std::string_view id) {
  StatementSession session(runner_);
  return records::FindRecipient(session, client_id, list_id, id);
}

Result<std::optional<Unsubscribe>> SqlRecipients::FindUnsubscribe(int64_t client_id,
                                                                  std::string_view address) {
  const SqlValue key[] = {client_id, std::string(address)};
  return FirstRow<Unsubscribe>(
      runner_.Query(
          "SELECT mail_id, mailing_id, at FROM unsubscribes WHERE client_id = $1 AND address = $2",
          key, 3, "find unsubscribe"),
      [&](const SqlRow& row) {
        CellReader cells(row);
        return cells.Finish(
            Unsubscribe{std::string(address), cells.Int(0), cells.Int(1), cells.Time(2)});
      });
}

Status SqlRecipients::Write(int64_t client_id, const std::vector<std::string>& keys,
                            const Work& work) {
  std::vector<std::string> sorted = keys;
  std::sort(sorted.begin(), sorted.end());
  sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
  return runner_.Write([&](SqlSession& session) -> Status {
    for (const std::string& key : sorted) {
      CAMPAIGND_RETURN_IF_ERROR(session.LockKey(std::to_string(client_id) + ":" + key));
    }
    Writes writes(session, client_id);
    return work(writes);
  });
}

}  // namespace campaignd::store
