#include "admin/cli/run.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <memory>

#include "admin/cli/progress.h"
#include "admin/commands.h"
#include "config/toml_reader.h"

namespace campaignd::admin::cli {
namespace {

// Control characters but line ends and tabs as spaces (a mail body shown on
// a terminal).
std::string PrintableText(std::string text) {
  for (char& c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if ((byte < 0x20 && c != '\n' && c != '\t') || byte == 0x7f) c = ' ';
  }
  return text;
}

int Fail(const RunOptions& o, std::ostream& err, const std::string& message, int code) {
  err << "campaignd " << o.command << ": " << message << "\n";
  return code;
}

// "message (code)" of an API error answer; the raw body when it is not one.
std::string ErrorText(const api::AdminResponse& response) {
  const Json body = Json::parse(response.body, nullptr, /*allow_exceptions=*/false);
  if (body.is_object() && body.contains("error") && body["error"].is_object()) {
    const Json& e = body["error"];
    return CellText(e.value("message", Json(""))) + " (" + CellText(e.value("code", Json("?"))) +
           ", HTTP " + std::to_string(response.status) + ")";
  }
  return "HTTP " + std::to_string(response.status) + ": " + PrintableText(response.body);
}

std::string MessageText(const Json& object) {
  Json headers = object;
  std::string bodies;
  for (const char* part : {"text", "html"}) {
    if (!object.contains(part)) continue;
    headers.erase(part);
    const Json& value = object[part];
    bodies += std::string("\n--- ") + part + " ---\n" +
              PrintableText(value.is_string() ? value.get<std::string>() : CellText(value));
    if (!bodies.empty() && bodies.back() != '\n') bodies += "\n";
  }
  return RenderRecord(headers) + bodies;
}

// The answer of a successful request, without --json.
void PrintAnswer(const Invocation& inv, const api::AdminResponse& response, std::ostream& out) {
  if (inv.shape == Shape::kEmpty) {
    out << inv.done << "\n";
    return;
  }
  const Json body = Json::parse(response.body, nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded()) {
    out << PrintableText(response.body) << "\n";
    return;
  }
  if (inv.shape == Shape::kPage) {
    out << RenderPage(body, inv.columns);
    if (body.is_object() && body.value("next_cursor", Json()).is_string()) {
      out << "more: --cursor " << body["next_cursor"].get<std::string>() << "\n";
    }
    return;
  }
  if (inv.shape == Shape::kMessage && body.is_object()) {
    out << MessageText(body);
    return;
  }
  out << RenderRecord(body);
  if (!inv.shown_once.empty() && body.is_object() && body.contains(inv.shown_once)) {
    out << "The " << inv.shown_once << " above is shown only now: store it.\n";
  }
}

// Copies a CSV answer to `download_file` or `out`.
int WriteCsv(const Invocation& inv, const api::AdminResponse& response, const RunOptions& o,
             std::ostream& out, std::ostream& err) {
  std::ofstream file;
  std::ostream* sink = &out;
  if (!inv.download_file.empty()) {
    file.open(inv.download_file, std::ios::binary | std::ios::trunc);
    if (!file) {
      return Fail(o, err, inv.download_file + ": cannot write: " + std::strerror(errno),
                  kExitBadInput);
    }
    sink = &file;
  }
  Status s = Status::Ok();
  if (response.stream) {
    s = response.stream([sink](std::string_view chunk) {
      sink->write(chunk.data(), static_cast<std::streamsize>(chunk.size()));
      return *sink ? Status::Ok() : Status::IOError("write failed");
    });
  } else {
    sink->write(response.body.data(), static_cast<std::streamsize>(response.body.size()));
  }
  sink->flush();
  if (s.ok() && !*sink) s = Status::IOError("write failed");
  if (!s.ok()) return Fail(o, err, "export stopped: " + s.ToString(), kExitDatabaseError);
  return kExitOk;
}

// Attaches `inv.upload_file` to `request` as a streamed text/csv body.
Status AttachUpload(const Invocation& inv, const RunOptions& o, std::ostream& err,
                    api::AdminRequest& request) {
  const auto size = config::RegularFileSize(inv.upload_file);
  if (!size.ok()) return size.status();
  auto file = std::make_shared<std::ifstream>(inv.upload_file, std::ios::binary);
  if (!*file) {
    return Status::InvalidArgument("cannot read " + inv.upload_file + ": " + std::strerror(errno));
  }
  auto progress =
      std::make_shared<ImportProgress>(err, o.progress_terminal, static_cast<std::uint64_t>(*size));
  request.content_type = "text/csv";
  request.body_reader = [file, progress, name = inv.upload_file]() -> Result<std::string> {
    std::string chunk(kUploadChunkBytes, '\0');
    file->read(chunk.data(), static_cast<std::streamsize>(chunk.size()));
    chunk.resize(static_cast<std::size_t>(file->gcount()));
    if (file->bad()) return Status::IOError(name + ": read error");
    if (chunk.empty()) {
      progress->Finish();
      return chunk;
    }
    progress->Advance(chunk);
    return chunk;
  };
  return Status::Ok();
}

}  // namespace

int ExitCodeFor(int http_status) {
  if (http_status >= 200 && http_status < 300) return kExitOk;
  if (http_status >= 500) return kExitDatabaseError;
  return kExitBadInput;
}

Result<api::AdminRequest> RequestFor(const Invocation& inv) {
  api::AdminRequest request;
  request.method = inv.method;
  request.target = inv.target;
  request.as = api::Principal{.admin = true};
  if (!inv.body) return request;
  request.content_type = "application/json";
  try {
    request.body = inv.body->dump();
  } catch (const Json::exception& e) {
    return Status::InvalidArgument(std::string("a value is not valid UTF-8 (") + e.what() + ")");
  }
  return request;
}

int RunInvocation(const Invocation& inv, const api::AdminContext& context, const RunOptions& o,
                  std::ostream& out, std::ostream& err) {
  auto request = RequestFor(inv);
  if (!request.ok()) return Fail(o, err, request.status().message(), kExitBadInput);
  if (!inv.upload_file.empty()) {
    errno = 0;
    if (Status s = AttachUpload(inv, o, err, *request); !s.ok()) {
      return Fail(o, err, s.message(), kExitBadInput);
    }
  }
  const api::AdminResponse response = api::HandleAdmin(*request, context);
  if (response.status >= 300) {
    if (o.json) out << response.body << "\n";
    return Fail(o, err, ErrorText(response), ExitCodeFor(response.status));
  }
  if (inv.shape == Shape::kCsv) return WriteCsv(inv, response, o, out, err);
  if (o.json) {
    if (!response.body.empty()) out << response.body << "\n";
    return kExitOk;
  }
  PrintAnswer(inv, response, out);
  return kExitOk;
}

}  // namespace campaignd::admin::cli
