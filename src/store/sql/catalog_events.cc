// Catalog: a mail's and a client's events, the statistics and the bounce
// counter reset (events.md §1, §2, §5), over sql/events.h and records.h.
#include "store/sql/catalog.h"
#include "store/sql/events.h"
#include "store/sql/records.h"

namespace campaignd::store {

Result<std::vector<events::StoredEvent>> Catalog::MailEvents(int64_t client_id, int64_t mail_seq) {
  return ReadResult<std::vector<events::StoredEvent>>(runner_, [&](SqlSession& session) {
    return events::MailEvents(session, client_id, mail_seq);
  });
}

Result<std::vector<events::StoredEvent>> Catalog::ClientEvents(int64_t client_id,
                                                               const PageRequest& page) {
  Result<int64_t> after = catalog_sql::IntCursor(page);
  if (!after.ok()) return after.status();
  return ReadResult<std::vector<events::StoredEvent>>(runner_, [&](SqlSession& session) {
    return events::ClientEvents(session, client_id, *after, static_cast<int>(page.limit));
  });
}

Result<std::vector<events::StatsRow>> Catalog::Stats(int64_t client_id,
                                                     std::optional<int64_t> mailing_id,
                                                     TimePoint from, TimePoint to,
                                                     events::Step step) {
  return ReadResult<std::vector<events::StatsRow>>(runner_, [&](SqlSession& session) {
    return events::Stats(session, client_id, mailing_id, from, to, step);
  });
}

Result<std::vector<events::LinkClicks>> Catalog::LinkStats(int64_t client_id, int64_t mailing_id,
                                                           TimePoint from, TimePoint to) {
  return ReadResult<std::vector<events::LinkClicks>>(runner_, [&](SqlSession& session) {
    return events::LinkStats(session, client_id, mailing_id, from, to);
  });
}

Result<Change> Catalog::ResetBounces(int64_t client_id, std::string_view address) {
  return catalog_sql::Decide(runner_, [&](SqlSession& session) -> Result<Change> {
    CAMPAIGND_RETURN_IF_ERROR(records::SetBounces(session, client_id, address, 0));
    return Change::kDone;
  });
}

}  // namespace campaignd::store
