#include "queue/signer_cache.h"

#include "core/fields.h"

namespace campaignd::queue {

bool DomainAligned(const std::string& domain, const std::string& key_domain) {
  std::string d = LowerAscii(domain), k = LowerAscii(key_domain);
  if (k.empty()) return false;
  if (d == k) return true;
  return d.size() > k.size() && d.compare(d.size() - k.size(), k.size(), k) == 0 &&
         d[d.size() - k.size() - 1] == '.';
}

std::vector<std::shared_ptr<const render::DkimSigner>> SignerCache::SignersFor(
    const std::vector<store::DkimKey>& keys, const std::string& from_domain,
    std::vector<std::string>* problems) {
  std::vector<std::shared_ptr<const render::DkimSigner>> out;
  for (const store::DkimKey& key : keys) {
    if (!DomainAligned(from_domain, key.domain)) continue;
    std::string id = key.domain + '\0' + key.selector + '\0' + key.algorithm + '\0' +
                     key.private_key_pem;
    std::lock_guard lock(mu_);
    auto it = signers_.find(id);
    if (it == signers_.end()) {
      auto signer = render::DkimSigner::Load(key.domain, key.selector, key.algorithm,
                                             key.private_key_pem);
      if (!signer.ok()) {
        problems->push_back("DKIM key " + key.selector + "._domainkey." + key.domain + ": " +
                            signer.status().message());
        continue;
      }
      it = signers_.emplace(id, std::make_shared<render::DkimSigner>(std::move(signer).value()))
               .first;
    }
    out.push_back(it->second);
  }
  return out;
}

}  // namespace campaignd::queue
