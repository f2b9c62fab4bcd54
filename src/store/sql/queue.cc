#include "store/sql/queue.h"

#include <future>
#include <memory>
#include <nlohmann/json.hpp>

#include "core/fields.h"
#include "store/json_text.h"
#include "store/sql/events.h"

namespace campaignd::store {

std::string MailColumns(std::string_view prefix) {
  std::string columns;
  for (std::string_view name : {"id", "client_id", "list_id", "mailing_id", "recipient_id",
                                "fields", "status", "attempts", "created_at", "updated_at",
                                "next_attempt_at", "last_reply"}) {
    if (!columns.empty()) columns += ", ";
    columns += std::string(prefix) + std::string(name);
  }
  return columns;
}

Result<Mail> MailFromRow(const SqlRow& row) {
  CellReader cells(row);
  Mail mail{cells.Int(1), cells.Int(0), cells.Int(2), cells.Int(3), cells.Text(4)};
  const std::string what = "mail " + std::to_string(mail.id);
  mail.fields = cells.Decode(5, FieldsFromJson, what + " fields");
  mail.status = cells.Enum(6, ParseMailStatus, what + ": status");
  mail.attempts = static_cast<int>(cells.Int(7));
  mail.created_at = cells.Time(8);
  mail.updated_at = cells.Time(9);
  mail.next_attempt_at = cells.Time(10);
  mail.last_reply = cells.Text(11);
  return cells.Finish(std::move(mail));
}

std::string RecordedColumns(std::string_view prefix) {
  const std::string p(prefix);
  return p + "client_id, " + p + "list_id, " + p + "mailing_id, " + p + "recipient_id";
}

Result<Recorded> RecordedFromRow(const SqlRow& row, int first, const Outcome& outcome) {
  CellReader cells(row);
  return cells.Finish(Recorded{&outcome, cells.Int(first), cells.Int(first + 1),
                               cells.Int(first + 2), cells.Text(first + 3)});
}

Status AppendOutcomeEvents(SqlSession& session, std::span<const Recorded> recorded) {
  std::vector<events::Event> appended;
  std::vector<events::CountsAt> failed;
  for (const Recorded& r : recorded) {
    const Outcome& o = *r.outcome;
    events::Event e;
    e.client_id = r.client_id;
    e.at = o.at;
    e.mail_seq = o.mail_id;
    e.mailing_id = r.mailing_id;
    e.list_id = r.list_id;
    e.recipient_id = r.recipient_id;
    e.address = LowerAscii(r.recipient_id);
    nlohmann::json data = nlohmann::json::object();
    bool has_event = true;
    if (o.status == MailStatus::kSent) {
      e.type = events::EventType::kSent;
      data = {{"relay", o.relay}, {"reply", o.reply}};
    } else if (o.status == MailStatus::kBlacklisted) {
      e.type = events::EventType::kFilteredByBlocklist;  // counts `failed` itself
      data = {{"pattern", o.pattern}};
    } else if (IsFinal(o.status)) {
      failed.push_back({r.client_id, r.mailing_id, o.at, {}});
      failed.back().counts[events::kFailed] = 1;
      has_event = o.hard_bounce;
      e.type = events::EventType::kBounce;
      e.hard = true;
      data = {{"status", o.status_code}, {"diagnostic", o.reply}, {"reportingMta", o.relay}};
    } else {
      has_event = false;  // deferred: no event yet
    }
    if (!has_event) continue;
    e.data = data.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    appended.push_back(std::move(e));
  }
  if (appended.empty() && failed.empty()) return Status::Ok();
  return events::AppendAll(session, appended, failed);
}

std::string DueMailsQuery(std::string_view columns, bool retries, std::string_view not_excluded,
                          std::string_view limit) {
  return "SELECT " + std::string(columns) +
         " FROM mails WHERE status IN ('enqueued', 'sending') AND attempts " +
         (retries ? "> 0" : "= 0") +
         " AND next_attempt_at <= $1 AND (lease_until IS NULL OR lease_until <= $1) AND " +
         std::string(not_excluded) + " ORDER BY next_attempt_at, id LIMIT " + std::string(limit);
}

Result<int64_t> SqlQueue::Enqueue(const NewMail& mail) {
  // Shared: the engine's thread may still be inside set_value when get()
  // returns here.
  auto promise = std::make_shared<std::promise<Result<int64_t>>>();
  std::future<Result<int64_t>> id = promise->get_future();
  EnqueueAsync(mail, [promise](Result<int64_t> result) { promise->set_value(std::move(result)); });
  return id.get();
}

std::vector<Status> SqlQueue::RecordBatch(std::span<const Outcome> outcomes) {
  std::vector<Status> results(outcomes.size(), Status::Ok());
  std::vector<std::size_t> valid;
  for (std::size_t i = 0; i < outcomes.size(); ++i) {
    if (outcomes[i].status != MailStatus::kEnqueued) {
      valid.push_back(i);
    } else {
      results[i] = Status::InvalidArgument("record: a mail cannot go back to enqueued");
    }
  }
  if (!valid.empty()) Record(outcomes, valid, results);
  return results;
}

Status LostClaim(const Outcome& outcome) {
  return Status::NotFound("mail " + std::to_string(outcome.mail_id) + " is not claimed by worker " +
                          outcome.worker);
}

Status SqlQueue::ReleaseClaims(std::string_view worker) {
  const SqlValue params[] = {std::string(worker)};
  return runner_
      .Execute("UPDATE mails SET lease_owner = NULL, lease_until = NULL WHERE lease_owner = $1",
               params, "release claims")
      .status();
}

Status SqlQueue::ReleaseClaim(std::string_view worker, int64_t mail_id) {
  const SqlValue params[] = {mail_id, std::string(worker)};
  return runner_
      .Execute("UPDATE mails SET lease_owner = NULL, lease_until = NULL "
               "WHERE id = $1 AND lease_owner = $2",
               params, "release claim")
      .status();
}

Result<std::optional<Mail>> FindMail(SqlSession& session, int64_t client_id, int64_t mail_id) {
  static const std::string kFind =
      "SELECT " + MailColumns() + " FROM mails WHERE id = $1 AND client_id = $2";
  const SqlValue params[] = {mail_id, client_id};
  return FirstRow<Mail>(session.Query(kFind, params, 12, "find mail"), MailFromRow);
}

Result<std::optional<Mail>> SqlQueue::FindMail(int64_t client_id, int64_t mail_id) {
  StatementSession session(runner_);
  return store::FindMail(session, client_id, mail_id);
}

Result<std::vector<MailEvent>> SqlQueue::History(int64_t client_id, int64_t mail_id) {
  const SqlValue params[] = {mail_id, client_id};
  return EachRow<MailEvent>(
      runner_.Query(
          "SELECT e.at, e.status, e.reply FROM mail_events e JOIN mails m ON m.id = e.mail_id "
          "WHERE e.mail_id = $1 AND m.client_id = $2 ORDER BY e.id",
          params, 3, "read mail history"),
      [&](const SqlRow& row) {
        CellReader cells(row);
        const std::string what = "mail " + std::to_string(mail_id) + ": event status";
        return cells.Finish(
            MailEvent{cells.Time(0), cells.Enum(1, ParseMailStatus, what), cells.Text(2)});
      });
}

}  // namespace campaignd::store
