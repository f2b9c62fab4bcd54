// SignerCache: DKIM signers loaded once per distinct key (domain, selector,
// algorithm, key bytes) and reused for every mail; a key changed by
// `campaignd apply` is a new entry, loaded on first use.
// Threads: safe; signing runs outside the lock.
#ifndef CAMPAIGND_QUEUE_SIGNER_CACHE_H_
#define CAMPAIGND_QUEUE_SIGNER_CACHE_H_

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "render/dkim.h"
#include "store/model.h"

namespace campaignd::queue {

class SignerCache {
 public:
  // Signers of `keys` whose domain is `from_domain` or a parent of it
  // (DKIM alignment). A key that fails to load is skipped and reported in
  // `problems` (the mail is still sent, unsigned by that key).
  std::vector<std::shared_ptr<const render::DkimSigner>> SignersFor(
      const std::vector<store::DkimKey>& keys, const std::string& from_domain,
      std::vector<std::string>* problems);

 private:
  std::mutex mu_;
  std::map<std::string, std::shared_ptr<const render::DkimSigner>> signers_;  // guarded by mu_
};

// True when `domain` equals `key_domain` or ends with "." + key_domain
// (ASCII case-insensitive).
bool DomainAligned(const std::string& domain, const std::string& key_domain);

}  // namespace campaignd::queue

#endif  // CAMPAIGND_QUEUE_SIGNER_CACHE_H_
