#include "deliver/curl_init.h"

#include <curl/curl.h>

#include <mutex>

namespace campaignd::deliver {

bool InitCurl() {
  static std::once_flag once;
  static CURLcode result = CURLE_OK;
  std::call_once(once, [] { result = curl_global_init(CURL_GLOBAL_DEFAULT); });
  return result == CURLE_OK;
}

}  // namespace campaignd::deliver
