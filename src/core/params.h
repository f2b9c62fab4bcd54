// Params: the decoded parameters of one API request (query and body merged),
// and the files of a multipart body. Built by http/, read by auth/ and ops/.
// Input: values are UTF-8 (http/ decoded the charset); names are exact and
// case-sensitive (behaviour.md §2). For a repeated name the first value wins.
#ifndef CAMPAIGND_CORE_PARAMS_H_
#define CAMPAIGND_CORE_PARAMS_H_

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace campaignd {

struct UploadedFile {
  std::string field_name;  // the multipart part name (must be "bmFile")
  std::string file_name;
  std::string content_type;
  std::string data;
};

class Params {
 public:
  // Appends a parameter; a name already present keeps its first value.
  void Add(std::string name, std::string value);
  void AddFile(UploadedFile file) { files_.push_back(std::move(file)); }

  // The first value of `name`, or nullopt.
  std::optional<std::string_view> Get(std::string_view name) const;
  // True when present with a non-empty value.
  bool Has(std::string_view name) const;
  // behaviour.md §2: true, 1, yes, on (any case) are true; all else false.
  bool GetBool(std::string_view name) const;

  // All parameters in arrival order, first value per name.
  const std::vector<std::pair<std::string, std::string>>& all() const { return params_; }
  // Parameters not starting with "bm": recipient field values.
  std::vector<std::pair<std::string, std::string>> FieldValues() const;
  const std::vector<UploadedFile>& files() const { return files_; }
  std::size_t size() const { return params_.size(); }

 private:
  std::vector<std::pair<std::string, std::string>> params_;
  std::vector<UploadedFile> files_;
};

// The boolean rule of behaviour.md §2 on one value.
bool ParseBool(std::string_view value);

}  // namespace campaignd

#endif  // CAMPAIGND_CORE_PARAMS_H_
