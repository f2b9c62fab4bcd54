// Routes: CSV import (streamed into the store in batches) and export
// (streamed out page by page) of a list's recipients.
#include <algorithm>

#include "admin/api/csv.h"
#include "admin/api/json_model.h"
#include "admin/api/list_lookup.h"
#include "admin/api/routes.h"

namespace campaignd::admin::api {
namespace {

// Rows per store transaction: large enough that a million rows are a few
// hundred commits, small enough that one batch is a short write.
constexpr std::size_t kImportBatchRows = 5000;
// Rejected rows reported by number and reason; the rest are only counted.
constexpr std::size_t kMaxReportedErrors = 100;
// Recipients read per page while exporting.
constexpr std::size_t kExportPageRows = 1000;

struct Columns {
  int address = -1;
  int state = -1;
  std::vector<std::pair<int, std::string>> fields;  // column, field name
};

// Maps the header row to the list's fields; a problem names the column.
Problem ReadHeader(const std::vector<std::string>& header, const store::RecipientList& list,
                   Columns& columns) {
  for (std::size_t i = 0; i < header.size(); ++i) {
    std::string name = header[i];
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return std::tolower(c); });
    const int column = static_cast<int>(i);
    if (name == "email" || name == "recipient_id") {
      columns.address = column;
    } else if (name == "state") {
      columns.state = column;
    } else if (std::any_of(list.fields.begin(), list.fields.end(),
                           [&](const store::FieldDef& f) { return f.name == name; })) {
      columns.fields.emplace_back(column, name);
    } else {
      return "column '" + header[i] + "' is not a field of the list";
    }
  }
  if (columns.address < 0) return "the header needs an 'email' (or 'recipient_id') column";
  return std::nullopt;
}

struct Import {
  const Call& call;
  const store::RecipientList& list;
  Columns columns;
  std::vector<store::Recipient> batch;
  std::size_t rows = 0, stored = 0, rejected = 0;
  Json errors = Json::array();

  void Reject(std::size_t row, std::string message) {
    ++rejected;
    if (errors.size() < kMaxReportedErrors) {
      errors.push_back({{"row", row}, {"message", std::move(message)}});
    }
  }

  void Add(std::vector<std::string> cells) {
    const std::size_t row = ++rows + 1;  // the header is row 1
    for (std::string& cell : cells) cell = CsvCellValue(std::move(cell));
    if (cells.size() != columns.fields.size() + 1 + (columns.state >= 0 ? 1 : 0)) {
      return Reject(row, "expected as many values as the header has columns");
    }
    store::Recipient r;
    r.list_id = list.id;
    Result<std::string> address =
        NormaliseAddress(cells[columns.address], call.context.address_literals);
    if (!address.ok()) return Reject(row, address.status().message());
    r.id = *address;
    if (columns.state >= 0 && !cells[columns.state].empty()) {
      auto state = store::ParseRecipientState(cells[columns.state]);
      if (!state) return Reject(row, "state: expected active, unsubscribed or pending");
      r.state = *state;
    }
    for (const auto& [column, name] : columns.fields) r.fields[name] = cells[column];
    if (Problem p = CheckFieldValues(list, r.fields)) return Reject(row, *p);
    batch.push_back(std::move(r));
  }

  Status Flush() {
    if (batch.empty()) return Status::Ok();
    Result<store::Change> change = call.catalog().UpsertRecipients(call.client_id, list.id, batch);
    if (!change.ok()) return change.status();
    if (*change == store::Change::kNotFound) return Status::NotFound("the list was deleted");
    stored += batch.size();
    batch.clear();
    return Status::Ok();
  }
};

}  // namespace

AdminResponse ImportRecipients(const Call& call) {
  if (!call.request.content_type.starts_with("text/csv")) {
    return ErrorAnswer(415, "unsupported_media_type", "expected text/csv");
  }
  AdminResponse error;
  std::optional<store::RecipientList> list = PathList(call, &error);
  if (!list) return error;
  Import import{call, *list, {}, {}};
  CsvReader reader;
  bool header_read = false, done = false;
  std::string whole = call.request.body;  // used when there is no reader
  while (!done) {
    std::string chunk;
    if (call.request.body_reader) {
      Result<std::string> next = call.request.body_reader();
      if (!next.ok()) return ErrorAnswer(400, "bad_request", next.status().message());
      chunk = std::move(*next);
    } else {
      chunk = std::move(whole);
      whole.clear();
    }
    if (chunk.empty()) {
      reader.Finish();
      done = true;
    } else {
      reader.Feed(chunk);
    }
    if (reader.error()) return Invalid(*reader.error());
    while (auto row = reader.Next()) {
      if (!header_read) {
        if (Problem p = ReadHeader(*row, *list, import.columns)) return Invalid(*p);
        header_read = true;
        continue;
      }
      import.Add(std::move(*row));
      if (import.batch.size() >= kImportBatchRows) {
        if (Status s = import.Flush(); !s.ok()) return StoreFailure(s);
      }
    }
  }
  if (!header_read) return Invalid("the CSV is empty: a header row is required");
  if (Status s = import.Flush(); !s.ok()) return StoreFailure(s);
  return JsonAnswer(200, Json{{"rows", import.rows},
                              {"stored", import.stored},
                              {"rejected", import.rejected},
                              {"errors", std::move(import.errors)}});
}

AdminResponse ExportRecipients(const Call& call) {
  AdminResponse error;
  std::optional<store::RecipientList> list = PathList(call, &error);
  if (!list) return error;
  AdminResponse response;
  response.content_type = "text/csv; charset=utf-8";
  store::Catalog* catalog = &call.catalog();
  const int64_t client_id = call.client_id;
  response.stream = [catalog, client_id, list = *list](const BodyWriter& write) -> Status {
    std::vector<std::string> header = {"email", "state"};
    for (const auto& f : list.fields) header.push_back(f.name);
    CAMPAIGND_RETURN_IF_ERROR(write(CsvLine(header)));
    store::PageRequest page{.after = "", .limit = kExportPageRows};
    while (true) {
      Result<std::vector<store::Recipient>> rows =
          catalog->ListRecipients(client_id, list.id, page);
      if (!rows.ok()) return rows.status();
      std::string out;
      for (const auto& r : *rows) {
        std::vector<std::string> cells = {r.id, std::string(store::Name(r.state))};
        for (const auto& f : list.fields) {
          auto it = r.fields.find(f.name);
          cells.push_back(it == r.fields.end() ? "" : it->second);
        }
        out += CsvLine(cells);
      }
      if (!out.empty()) CAMPAIGND_RETURN_IF_ERROR(write(out));
      if (rows->size() < page.limit) return Status::Ok();
      page.after = rows->back().id;
    }
  };
  return response;
}

}  // namespace campaignd::admin::api
