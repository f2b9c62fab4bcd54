// The open and click events (events.md §3; docs/decisions/0021-tracking.md):
// the writer of a batch of tracking hits (RecordTrackingHits) and the
// recorder that batches them off the request path (TrackingRecorder: the
// redirect and the pixel answer from memory; their events are written by
// its thread, one write transaction per batch). What a hit becomes is
// decided here, at write time: the mail it names (unknown, or of another
// mailing: nothing), the recipient's tracking opt-out (nothing recorded),
// `first` (no earlier event of its type for the mail, in the table or
// earlier in the batch) and a click within a second of delivery (machine).
// Threads: RecordTrackingHits: the session's; TrackingRecorder: Record from
// any thread. Errors: the engine's Status; a failed batch is logged by the
// caller of the recorder's `failed` and dropped (a hit is not worth a retry
// loop that could hold the writer).
#ifndef CAMPAIGND_STORE_SQL_TRACKING_H_
#define CAMPAIGND_STORE_SQL_TRACKING_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>

#include "core/clock.h"
#include "core/status.h"
#include "store/group_commit.h"
#include "store/sql_session.h"

namespace campaignd::store::events {

// One verified fetch of a tracked link or the pixel.
struct TrackingHit {
  int64_t client_id = 0;
  int64_t mail_seq = 0;
  int64_t mailing_id = 0;  // the token's; a mail of another mailing records nothing
  bool click = false;      // else an open
  int link_index = -1;     // click: the link's index in the mailing
  std::string url;         // click: where it led
  std::string user_agent;  // capped by the caller
  std::string ip;          // already truncated or "" (not stored)
  bool machine = false;    // a HEAD request or a known scanner's agent
  TimePoint at;
};

// A click this soon after the mail was sent is a scanner's, not a reader's.
inline constexpr std::chrono::seconds kMachineClickWindow{1};

// Writes the events of `hits` inside the caller's transaction (AppendAll).
// The number of events written.
Result<int64_t> RecordTrackingHits(SqlSession& session, std::span<const TrackingHit> hits);

// Batches hits into write transactions of RecordTrackingHits on its own
// thread (GroupCommit). At most `max_pending` hits wait; more are dropped
// and counted (a flood of fetches must not grow memory without bound).
class TrackingRecorder {
 public:
  using Failed = std::function<void(const Status&, std::size_t hits)>;
  // REQUIRES: `runner` outlives this (Close).
  TrackingRecorder(SqlRunner& runner, Failed failed, std::size_t max_pending = 100000);
  ~TrackingRecorder();
  TrackingRecorder(const TrackingRecorder&) = delete;
  TrackingRecorder& operator=(const TrackingRecorder&) = delete;

  // Queues `hit`; false when it was dropped (full, or closed).
  bool Record(TrackingHit hit);
  // Writes every queued hit, then stops the thread. Idempotent.
  void Close();

  uint64_t recorded() const { return recorded_.load(); }
  uint64_t dropped() const { return dropped_.load(); }
  std::size_t pending() const { return commit_.pending(); }

 private:
  void Run(std::span<TrackingHit*> batch);

  SqlRunner& runner_;
  const Failed failed_;
  const std::size_t max_pending_;
  std::atomic<uint64_t> recorded_{0};
  std::atomic<uint64_t> dropped_{0};
  GroupCommit<TrackingHit> commit_;  // last: its thread uses the members above
};

}  // namespace campaignd::store::events

#endif  // CAMPAIGND_STORE_SQL_TRACKING_H_
