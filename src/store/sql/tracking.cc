// RecordTrackingHits: the batch's lock keys (one per mail, sorted), then per
// hit one read of its mail (with the recipient's opt-out) and, unless the
// batch already decided it, one of an earlier event of its type; then one
// AppendAll for the batch.
#include "store/sql/tracking.h"

#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <tuple>
#include <vector>

#include "core/fields.h"
#include "core/mail_status.h"
#include "store/sql/events.h"

namespace campaignd::store::events {
namespace {

struct MailRow {
  int64_t list_id = 0;
  int64_t mailing_id = 0;
  std::string recipient_id;
  bool sent = false;
  TimePoint updated_at;
  bool opted_out = false;
};

Result<std::optional<MailRow>> FindMail(SqlSession& session, int64_t client_id, int64_t seq) {
  const SqlValue key[] = {client_id, seq};
  return FirstRow<MailRow>(
      session.Query("SELECT m.list_id, m.mailing_id, m.recipient_id, m.status, m.updated_at, "
                    "r.tracking_opt_out FROM mails m LEFT JOIN recipients r "
                    "ON r.client_id = m.client_id AND r.list_id = m.list_id "
                    "AND r.recipient_id = m.recipient_id WHERE m.client_id = $1 AND m.id = $2",
                    key, 6, "tracked mail"),
      [](const SqlRow& row) {
        CellReader cells(row);
        MailRow m{cells.Int(0),  cells.Int(1),
                  cells.Text(2), cells.Text(3) == MailStatusName(MailStatus::kSent),
                  cells.Time(4), cells.Flag(5)};
        return cells.Finish(std::move(m));
      });
}

Result<bool> HasEarlier(SqlSession& session, int64_t client_id, int64_t seq, EventType type) {
  const SqlValue key[] = {seq, client_id, std::string(Name(type))};
  Result<std::vector<SqlRow>> rows = session.Query(
      "SELECT 1 FROM events WHERE mail_seq = $1 AND client_id = $2 AND type = $3 LIMIT 1", key, 1,
      "earlier tracking event");
  if (!rows.ok()) return rows.status();
  return !rows->empty();
}

}  // namespace

Result<int64_t> RecordTrackingHits(SqlSession& session, std::span<const TrackingHit> hits) {
  std::vector<Event> events;
  std::map<std::pair<int64_t, int64_t>, std::optional<MailRow>> mails;  // (client, seq)
  std::set<std::tuple<int64_t, int64_t, bool>> seen;                    // (client, seq, click)
  // `first` is decided by reading the table: another process's batch for
  // the same mail waits for this one's commit (and sees its events), in
  // sorted key order so two batches never wait for each other.
  std::set<std::string> locks;
  for (const TrackingHit& hit : hits) {
    locks.insert("track:" + std::to_string(hit.client_id) + ":" + std::to_string(hit.mail_seq));
  }
  for (const std::string& key : locks) CAMPAIGND_RETURN_IF_ERROR(session.LockKey(key));
  for (const TrackingHit& hit : hits) {
    const auto key = std::pair(hit.client_id, hit.mail_seq);
    auto found = mails.find(key);
    if (found == mails.end()) {
      Result<std::optional<MailRow>> read = FindMail(session, hit.client_id, hit.mail_seq);
      if (!read.ok()) return read.status();
      found = mails.emplace(key, std::move(*read)).first;
    }
    const std::optional<MailRow>& mail = found->second;
    if (!mail || mail->mailing_id != hit.mailing_id || mail->opted_out) continue;
    const EventType type = hit.click ? EventType::kClick : EventType::kOpen;
    bool first = seen.emplace(hit.client_id, hit.mail_seq, hit.click).second;
    if (first) {
      Result<bool> earlier = HasEarlier(session, hit.client_id, hit.mail_seq, type);
      if (!earlier.ok()) return earlier.status();
      first = !*earlier;
    }
    nlohmann::json data = {{"userAgent", hit.user_agent}, {"ip", hit.ip}};
    if (hit.click) data["url"] = hit.url;
    Event e;
    e.client_id = hit.client_id;
    e.type = type;
    e.at = hit.at;
    e.mail_seq = hit.mail_seq;
    e.mailing_id = mail->mailing_id;
    e.list_id = mail->list_id;
    e.recipient_id = mail->recipient_id;
    e.address = LowerAscii(mail->recipient_id);
    e.data = data.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    e.first = first;
    e.machine = hit.machine || (hit.click && mail->sent && hit.at >= mail->updated_at &&
                                hit.at - mail->updated_at < kMachineClickWindow);
    e.link_index = hit.click ? hit.link_index : -1;
    events.push_back(std::move(e));
  }
  if (events.empty()) return int64_t{0};
  CAMPAIGND_RETURN_IF_ERROR(AppendAll(session, events));
  return static_cast<int64_t>(events.size());
}

TrackingRecorder::TrackingRecorder(SqlRunner& runner, Failed failed, std::size_t max_pending)
    : runner_(runner),
      failed_(std::move(failed)),
      max_pending_(max_pending),
      commit_([this](std::span<TrackingHit*> batch) { Run(batch); }, [](TrackingHit&) {}) {}

TrackingRecorder::~TrackingRecorder() { Close(); }

void TrackingRecorder::Close() { commit_.Close(); }

bool TrackingRecorder::Record(TrackingHit hit) {
  if (commit_.pending() >= max_pending_ ||
      commit_.Queue(std::make_unique<TrackingHit>(std::move(hit))) != nullptr) {
    dropped_.fetch_add(1);
    return false;
  }
  return true;
}

void TrackingRecorder::Run(std::span<TrackingHit*> batch) {
  std::vector<TrackingHit> hits;
  hits.reserve(batch.size());
  for (TrackingHit* hit : batch) hits.push_back(std::move(*hit));
  int64_t written = 0;
  Status status = runner_.Write([&](SqlSession& session) -> Status {
    Result<int64_t> n = RecordTrackingHits(session, hits);
    if (!n.ok()) return n.status();
    written = *n;
    return Status::Ok();
  });
  if (status.ok()) {
    recorded_.fetch_add(static_cast<uint64_t>(written));
  } else if (failed_) {
    failed_(status, hits.size());
  }
}

}  // namespace campaignd::store::events
