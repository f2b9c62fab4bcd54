// Test-only: the golden cases in tests/golden (NAME.in.json -> NAME.eml.ref,
// see tests/golden/README.md). Used by mime_test.cc (byte-for-byte
// comparison) and verify_message_test.cc (parsing and DKIM in Python).
// Errors: a malformed case file makes the loading test fail (nlohmann
// exceptions are turned into a failed Status).
#ifndef CAMPAIGND_RENDER_GOLDEN_CASE_H_
#define CAMPAIGND_RENDER_GOLDEN_CASE_H_

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/status.h"
#include "render/message.h"

namespace campaignd::render {

struct GoldenCase {
  std::string name;
  MessageInput input;
  nlohmann::json expect;            // what a parser must find (verify_message.py)
  std::filesystem::path reference;  // NAME.eml.ref
};

// tests/golden (set by CMake).
std::filesystem::path GoldenDir();

// Names of all cases (NAME of each NAME.in.json), sorted.
std::vector<std::string> GoldenCaseNames();

// Reads NAME.in.json: {"input": {...MessageInput fields...}, "expect": {...}}.
// "date" is Unix seconds; an attachment has "data" (UTF-8 text) or
// "data_base64".
Result<GoldenCase> LoadGoldenCase(const std::string& name);

// The whole file, or a failed Status.
Result<std::string> ReadFile(const std::filesystem::path& path);

}  // namespace campaignd::render

#endif  // CAMPAIGND_RENDER_GOLDEN_CASE_H_
