#include "ops/update_fields.h"

#include "ops/field_input.h"
#include "ops/recipient_op.h"
#include "ops/request_values.h"

namespace campaignd::ops {
namespace {

struct Request {
  int64_t list_id = 0;
  std::string id;
  std::optional<std::string> new_id;  // set only when it differs from id
  bool overwrite = false;
  std::vector<FieldChange> changes;
  const store::RecipientList* list = nullptr;
};

// Renames req.id to req.new_id in every list, replacing whatever records
// the new ID had. REQUIRES: bmOverwrite, or the new ID is in no list.
Status Rename(store::RecipientWrites& w, const Request& req, const std::vector<int64_t>& taken) {
  for (int64_t list_id : taken) {
    auto deleted = w.Delete(list_id, *req.new_id);
    if (!deleted.ok()) return deleted.status();
  }
  return w.Rename(req.id, *req.new_id);
}

}  // namespace

Result<Reply> UpdateFields(const Context& ctx) {
  auto target = TargetList(ctx);
  if (!target.ok()) return target.status();
  if (auto* reply = std::get_if<Reply>(&*target)) return *reply;
  const store::RecipientList& list = std::get<store::RecipientList>(*target);
  if (list.kind == store::ListKind::kTransaction) return Reply::WrongTag(505);
  auto recipient = RequestRecipient(ctx);
  if (auto* reply = std::get_if<Reply>(&recipient)) return *reply;

  Request req;
  req.list_id = list.id;
  req.list = &list;
  req.id = std::get<Address>(recipient).str();
  if (auto text = ctx.params.Get("bmNewRecipientId"); text && !text->empty()) {
    auto new_id = Address::Parse(*text, ctx.deps.settings.address_literals);
    if (!new_id.ok()) return Reply::Failure(Token::kSyntaxError);
    if (new_id->str() != req.id) req.new_id = new_id->str();
  }
  req.overwrite = ctx.params.GetBool("bmOverwrite");
  auto changes = FieldChanges(ctx.params, list, /*allow_modifiers=*/true,
                              /*sanitize=*/ctx.params.GetBool("bmSanitize"));
  if (!changes.ok()) return Reply::Failure(Token::kSyntaxError);
  req.changes = std::move(*changes);

  std::vector<std::string> keys = {req.id};
  if (req.new_id) keys.push_back(*req.new_id);
  Reply reply = Reply::Success(Token::kOk);
  Status written = ctx.deps.recipients.Write(
      ctx.caller.client.id, keys, [&](store::RecipientWrites& w) -> Status {
        auto existing = w.Find(req.list_id, req.id);
        if (!existing.ok()) return existing.status();
        if (!existing->has_value()) {
          reply = Reply::Failure(Token::kNotFound);
          return Status::Ok();
        }
        store::Recipient r = **existing;
        if (!ApplyFieldChanges(req.changes, *req.list, r.fields).ok()) {
          reply = Reply::Failure(Token::kSyntaxError);
          return Status::Ok();
        }
        std::vector<int64_t> taken;
        if (req.new_id) {
          auto lists = w.ListsOf(*req.new_id, /*ordinary_only=*/false);
          if (!lists.ok()) return lists.status();
          if (!lists->empty() && !req.overwrite) {
            reply = Reply::Failure(Token::kDuplicate);
            return Status::Ok();
          }
          taken = std::move(*lists);
        }
        CAMPAIGND_RETURN_IF_ERROR(w.Put(r));
        return req.new_id ? Rename(w, req, taken) : Status::Ok();
      });
  if (!written.ok()) return written;
  return reply;
}

}  // namespace campaignd::ops
