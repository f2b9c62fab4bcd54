// SqlEngine: what both engines build the same way from their SqlRunner -
// the Directory, Provisioner, Attachments, MailingLookup and Recipients of
// store/sql/ - and the Engine accessors over them. An engine derives from
// it and keeps only its own parts: connections, runner, queue (sql/queue.h
// plus its engine's Claim/Enqueue/RecordBatch) and coordination.
// Threads: as store.h.
#ifndef CAMPAIGND_STORE_SQL_ENGINE_H_
#define CAMPAIGND_STORE_SQL_ENGINE_H_

#include <memory>

#include "store/sql/attachments.h"
#include "store/sql/directory.h"
#include "store/sql/recipients.h"
#include "store/store.h"

namespace campaignd::store {

class SqlEngine : public Engine {
 public:
  Directory& directory() override { return parts_->directory; }
  Provisioner& provisioner() override { return parts_->provisioner; }
  Attachments& attachments() override { return parts_->attachments; }
  MailingLookup& mailing_lookup() override { return parts_->mailing_lookup; }
  Recipients& recipients() override { return parts_->recipients; }
  // sql_session.h over the engine's connections.
  SqlRunner& runner() { return parts_->runner; }

 protected:
  // Builds the parts over `runner`: called once from the derived engine's
  // constructor body (its runner is a member built after this base).
  // REQUIRES: `runner` outlives every use of the parts (Close).
  void BuildParts(SqlRunner& runner) { parts_ = std::make_unique<Parts>(runner); }

 private:
  struct Parts {
    explicit Parts(SqlRunner& r)
        : runner(r), directory(r), provisioner(r), attachments(r), mailing_lookup(r),
          recipients(r) {}
    SqlRunner& runner;
    SqlDirectory directory;
    Provisioner provisioner;
    SqlAttachments attachments;
    MailingLookup mailing_lookup;
    SqlRecipients recipients;
  };
  std::unique_ptr<Parts> parts_;
};

}  // namespace campaignd::store

#endif  // CAMPAIGND_STORE_SQL_ENGINE_H_
