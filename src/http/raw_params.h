// RawParams: the parameters of one request as they came off the wire, after
// percent-decoding but before the charset is known (request.cc turns them
// into core/params.h Params). Filled by url_decode.cc and multipart.cc.
// Input: untrusted bytes. Threads: plain values.
#ifndef CAMPAIGND_HTTP_RAW_PARAMS_H_
#define CAMPAIGND_HTTP_RAW_PARAMS_H_

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "http/charset.h"

namespace campaignd::http {

struct RawParam {
  std::string name;   // bytes in the request's charset
  std::string value;  // bytes in `charset`, or in the request's charset
  // Set when the value names its own charset (a multipart part's
  // Content-Type charset=); it then beats bmEncoding.
  std::optional<Charset> charset;
};

struct RawFile {
  std::string field_name;
  std::string file_name;
  std::string content_type;
  std::string data;
};

struct RawParams {
  std::vector<RawParam> params;  // in arrival order, repeats kept
  std::vector<RawFile> files;

  // Parameters and files counted together against limits::kMaxParams.
  std::size_t count() const { return params.size() + files.size(); }
};

}  // namespace campaignd::http

#endif  // CAMPAIGND_HTTP_RAW_PARAMS_H_
