// Catalog: recipient lists, their fields and their recipients.
#include "store/json_text.h"
#include "store/sql/catalog.h"
#include "store/sql/records.h"

namespace campaignd::store {
namespace {

using catalog_sql::Exists;

// The lists in `rows` (client_id, id, name, kind, test) with their fields.
Status ReadLists(SqlSession& session, const std::vector<SqlRow>& rows,
                 std::vector<RecipientList>& lists) {
  for (const SqlRow& row : rows) {
    CellReader cells(row);
    RecipientList& list = lists.emplace_back();
    list.client_id = cells.Int(0);
    list.id = cells.Int(1);
    list.name = cells.Text(2);
    list.kind = cells.Enum(3, ParseListKind, "list kind");
    list.test = cells.Flag(4);
    CAMPAIGND_RETURN_IF_ERROR(cells.status());
    const SqlValue key[] = {list.client_id, list.id};
    Result<std::vector<FieldDef>> fields = EachRow<FieldDef>(
        session.Query("SELECT name, type FROM list_fields WHERE client_id = $1 AND list_id = $2 "
                      "ORDER BY position",
                      key, 2, "list fields"),
        [](const SqlRow& field) {
          return FieldDef{CellText(field, 0), CellText(field, 1)};
        });
    if (!fields.ok()) return fields.status();
    list.fields = std::move(*fields);
  }
  return Status::Ok();
}

}  // namespace

Result<std::vector<RecipientList>> Catalog::ListLists(int64_t client_id, const PageRequest& page) {
  Result<int64_t> after = catalog_sql::IntCursor(page);
  if (!after.ok()) return after.status();
  std::vector<RecipientList> lists;
  Status status = runner_.Read([&](SqlSession& session) -> Status {
    const SqlValue params[] = {client_id, *after, static_cast<int64_t>(page.limit)};
    Result<std::vector<SqlRow>> rows = session.Query(
        "SELECT client_id, id, name, kind, test FROM lists WHERE client_id = $1 AND id > $2 "
        "ORDER BY id LIMIT $3",
        params, 5, "list lists");
    if (!rows.ok()) return rows.status();
    return ReadLists(session, *rows, lists);
  });
  if (!status.ok()) return status;
  return lists;
}

Result<Change> Catalog::CreateList(RecipientList& list) {
  return catalog_sql::Decide(runner_, [&](SqlSession& session) -> Result<Change> {
    Result<bool> free = catalog_sql::ClaimId(session, "lists", list.client_id, list.id);
    if (!free.ok()) return free.status();
    if (!*free) return Change::kConflict;
    CAMPAIGND_RETURN_IF_ERROR(
        records::WriteList(session, list.client_id, list, records::Write::kInsert).status());
    return Change::kDone;
  });
}

Result<Change> Catalog::UpdateList(const RecipientList& list) {
  return catalog_sql::DecideIfExists(
      runner_, "lists", list.client_id, list.id, [&](SqlSession& session) -> Result<Change> {
        CAMPAIGND_RETURN_IF_ERROR(
            records::WriteList(session, list.client_id, list, records::Write::kUpdate).status());
        return Change::kDone;
      });
}

Result<Change> Catalog::DeleteList(int64_t client_id, int64_t list_id) {
  return catalog_sql::DecideIfExists(
      runner_, "lists", client_id, list_id, [&](SqlSession& session) -> Result<Change> {
        const SqlValue key[] = {client_id, list_id};
        Result<bool> used =
            Exists(session,
                   "SELECT 1 FROM mailing_lists WHERE client_id = $1 AND list_id = $2 "
                   "UNION ALL SELECT 1 FROM codes WHERE client_id = $1 AND list_id = $2",
                   key, "find list users");
        if (!used.ok()) return used.status();
        if (*used) return Change::kConflict;
        for (std::string_view sql :
             {"DELETE FROM recipients WHERE client_id = $1 AND list_id = $2",
              "DELETE FROM list_fields WHERE client_id = $1 AND list_id = $2",
              "DELETE FROM lists WHERE client_id = $1 AND id = $2"}) {
          CAMPAIGND_RETURN_IF_ERROR(session.Execute(sql, key, "delete list").status());
        }
        return Change::kDone;
      });
}

Result<std::vector<Recipient>> Catalog::ListRecipients(int64_t client_id, int64_t list_id,
                                                       const PageRequest& page) {
  const SqlValue params[] = {client_id, list_id, page.after, static_cast<int64_t>(page.limit)};
  return EachRow<Recipient>(
      runner_.Query("SELECT recipient_id, fields, state FROM recipients WHERE client_id = $1 AND "
                    "list_id = $2 AND recipient_id > $3 ORDER BY recipient_id LIMIT $4",
                    params, 3, "list recipients"),
      [&](const SqlRow& row) {
        CellReader cells(row);
        Recipient recipient{list_id, cells.Text(0),
                            cells.Decode(1, FieldsFromJson, "recipient fields"),
                            cells.Enum(2, ParseRecipientState, "recipient state")};
        return cells.Finish(std::move(recipient));
      });
}

Result<Change> Catalog::UpsertRecipients(int64_t client_id, int64_t list_id,
                                         std::span<const Recipient> recipients) {
  return catalog_sql::DecideIfExists(
      runner_, "lists", client_id, list_id, [&](SqlSession& session) -> Result<Change> {
        CAMPAIGND_RETURN_IF_ERROR(
            records::UpsertRecipients(session, client_id, list_id, recipients));
        return Change::kDone;
      });
}

Result<Change> Catalog::DeleteRecipient(int64_t client_id, int64_t list_id,
                                        std::string_view recipient_id) {
  return catalog_sql::WriteOne(runner_, [&](SqlSession& session) {
    return records::DeleteRecipient(session, client_id, list_id, recipient_id);
  });
}

}  // namespace campaignd::store
