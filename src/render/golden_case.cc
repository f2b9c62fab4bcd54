#include "render/golden_case.h"

#include <openssl/evp.h>

#include <algorithm>
#include <fstream>
#include <sstream>

namespace campaignd::render {
namespace {

constexpr std::string_view kInputSuffix = ".in.json";

std::string DecodeBase64(const std::string& text) {
  std::string out(text.size() / 4 * 3 + 3, '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(text.data()),
                          static_cast<int>(text.size()));
  if (n < 0) return {};
  std::size_t padding = text.ends_with("==") ? 2 : text.ends_with("=") ? 1 : 0;
  out.resize(static_cast<std::size_t>(n) - padding);
  return out;
}

MessageInput ParseInput(const nlohmann::json& j) {
  MessageInput in;
  auto text = [&](const char* key) { return j.value(key, std::string()); };
  in.from = text("from");
  in.reply_to = text("reply_to");
  in.subject = text("subject");
  in.text = text("text");
  in.html = text("html");
  in.to = text("to");
  in.fields = j.value("fields", FieldValues());
  in.field_types = j.value("field_types", std::map<std::string, std::string>());
  in.mail_id = text("mail_id");
  in.list_unsubscribe_url = text("list_unsubscribe_url");
  in.list_unsubscribe_mailto = text("list_unsubscribe_mailto");
  in.feedback_id = text("feedback_id");
  in.date = TimePoint(std::chrono::seconds(j.at("date").get<int64_t>()));
  in.boundary_seed = text("boundary_seed");
  for (const nlohmann::json& a : j.value("attachments", nlohmann::json::array())) {
    std::string data = a.contains("data_base64")
                           ? DecodeBase64(a.at("data_base64").get<std::string>())
                           : a.value("data", std::string());
    in.attachments.push_back(
        {a.value("file_name", std::string()), a.value("content_type", std::string()), data});
  }
  return in;
}

}  // namespace

std::filesystem::path GoldenDir() { return CAMPAIGND_GOLDEN_DIR; }

std::vector<std::string> GoldenCaseNames() {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(GoldenDir(), ec)) {
    std::string file = entry.path().filename().string();
    if (file.ends_with(kInputSuffix))
      names.push_back(file.substr(0, file.size() - kInputSuffix.size()));
  }
  std::sort(names.begin(), names.end());
  return names;
}

Result<std::string> ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::IOError("cannot open " + path.string());
  std::ostringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

Result<GoldenCase> LoadGoldenCase(const std::string& name) {
  Result<std::string> text = ReadFile(GoldenDir() / (name + std::string(kInputSuffix)));
  if (!text.ok()) return text.status();
  try {
    nlohmann::json j = nlohmann::json::parse(*text);
    return GoldenCase{name, ParseInput(j.at("input")), j.value("expect", nlohmann::json::object()),
                      GoldenDir() / (name + ".eml.ref")};
  } catch (const nlohmann::json::exception& e) {
    return Status::InvalidArgument(name + ".in.json: " + e.what());
  }
}

}  // namespace campaignd::render
