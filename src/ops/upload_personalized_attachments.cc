#include "ops/upload_personalized_attachments.h"

#include "auth/code_hash.h"
#include "core/limits.h"

namespace campaignd::ops {
namespace {

constexpr std::string_view kFilePart = "bmFile";

}  // namespace

Result<Reply> UploadPersonalizedAttachments(const Context& ctx) {
  const store::Client& client = ctx.caller.client;
  if (!client.attachments) {
    return Reply::Failure(Token::kVetoed, "Personalized attachments are not enabled.");
  }
  const std::vector<UploadedFile>& files = ctx.params.files();
  for (const UploadedFile& f : files) {
    if (f.field_name != kFilePart) {
      return Reply::Failure(Token::kSyntaxError, "Invalid file-parameter name '" + f.field_name +
                                                     "' - must be 'bmFile'.");
    }
  }
  if (files.empty()) return Reply::Failure(Token::kSyntaxError, "No files uploaded.");
  if (files.size() > limits::kMaxUploadFiles) {
    return Reply::Failure(Token::kSyntaxError, "Too many files (at most " +
                                                   std::to_string(limits::kMaxUploadFiles) + ").");
  }
  std::size_t total = 0;
  for (const UploadedFile& f : files) total += f.data.size();
  if (total > limits::kMaxUploadBytes) {
    return Reply::Failure(Token::kSyntaxError, "Files too large (at most " +
                                                   std::to_string(limits::kMaxUploadBytes) +
                                                   " bytes together).");
  }

  if (ctx.deps.attachments == nullptr) return Status::Internal("no attachment store wired");
  const std::string token = auth::GenerateCode();
  store::NewUpload upload;
  upload.client_id = client.id;
  upload.key = auth::HashCode(token);
  upload.created_at = ctx.deps.clock.Now();
  upload.expires_at = upload.created_at + limits::kAttachmentLifetime;
  for (const UploadedFile& f : files) {
    // A part without a Content-Type is application/octet-stream (RFC 7578 §4.4).
    upload.files.push_back({f.file_name,
                            f.content_type.empty() ? "application/octet-stream" : f.content_type,
                            f.data});
  }
  Status stored = ctx.deps.attachments->StoreUpload(upload);
  if (!stored.ok()) return stored;
  return Reply::Success(Token::kOk, token);
}

}  // namespace campaignd::ops
