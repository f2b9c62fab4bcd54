// libcurl's global state, set up once per process and never torn down
// (other threads may still hold handles at exit): the SMTP transport and the
// webhook dispatcher (webhook/) call InitCurl before their first handle.
// Threads: any (std::call_once). Errors: false when curl_global_init failed.
#ifndef CAMPAIGND_DELIVER_CURL_INIT_H_
#define CAMPAIGND_DELIVER_CURL_INIT_H_

namespace campaignd::deliver {

bool InitCurl();

}  // namespace campaignd::deliver

#endif  // CAMPAIGND_DELIVER_CURL_INIT_H_
