// [[client.optin]]: the opt-in processes of one client
// (docs/decisions/0010-recipient-operations.md, "Provisioning"), and the
// rules of a process that the admin API checks too (OptInProblems).
#include <algorithm>
#include <boost/url/parse.hpp>

#include "admin/provisioning_sections.h"

namespace campaignd::admin {
namespace {

// The mailing `mailing_id` names in this [[client]] (read mailings first);
// null when there is none.
const store::Mailing* FindMailing(const ClientScope& scope, int64_t mailing_id) {
  for (const store::Mailing& m : scope.spec.mailings) {
    if (m.id == mailing_id) return &m;
  }
  return nullptr;
}

// Problems with a confirmation URL: absolute http(s), host on the client's
// redirect allowlist (else the confirm link could never redirect to it).
std::optional<std::string> UrlProblem(std::string_view url, const store::Client& client) {
  auto parsed = boost::urls::parse_absolute_uri(url);
  if (!parsed || (parsed->scheme() != "http" && parsed->scheme() != "https") ||
      parsed->host().empty()) {
    return "expected an absolute http:// or https:// URL";
  }
  const std::string host = LowerAscii(std::string(parsed->host()));
  const auto& hosts = client.redirect_hosts;
  if (std::find(hosts.begin(), hosts.end(), host) == hosts.end()) {
    return "host '" + host + "' is not in the client's redirect_hosts";
  }
  return std::nullopt;
}

}  // namespace

std::vector<OptInProblem> OptInProblems(const store::OptInProcess& process,
                                        const store::Client& client,
                                        const store::Mailing* mailing) {
  std::vector<OptInProblem> problems;
  if (process.mailing_id != 0) {
    if (mailing == nullptr || mailing->type != store::MailingType::kConfirmation) {
      problems.push_back({OptInProblem::kMailing,
                          "expected the id of a mailing of type confirmation of the client"});
    }
  } else if (process.kind != store::OptInKind::kSingle) {
    problems.push_back({OptInProblem::kMailing, "a " + std::string(store::Name(process.kind)) +
                                                    " opt-in needs its confirmation mailing"});
  }
  if (!process.confirmation_url.empty()) {
    if (auto problem = UrlProblem(process.confirmation_url, client)) {
      problems.push_back({OptInProblem::kConfirmationUrl, *problem});
    }
  }
  return problems;
}

void ReadOptIn(const toml::table& table, ClientScope& scope) {
  TableReader r(table, scope.diagnostics, "[[client.optin]]");
  ErrorCount errors(scope.diagnostics);
  store::OptInProcess p;
  const auto id = r.Id("id");
  p.name = r.Text("name", true).value_or("");
  const auto kind = r.Text("kind", true);
  const auto mailing = r.Integer("mailing");
  p.confirmation_url = r.Text("confirmation_url").value_or("");
  r.RejectUnknownKeys();
  if (kind) {
    if (auto parsed = store::ParseOptInKind(*kind)) {
      p.kind = *parsed;
    } else {
      r.Error("kind", "expected single, confirmed or double");
    }
  }
  if (mailing) p.mailing_id = *mailing;
  const store::Mailing* m = p.mailing_id == 0 ? nullptr : FindMailing(scope, p.mailing_id);
  for (const OptInProblem& problem : OptInProblems(p, scope.spec.client, m)) {
    r.Error(problem.member == OptInProblem::kMailing ? "mailing" : "confirmation_url",
            problem.message);
  }
  if (!id || !errors.Clean()) return;
  p.id = *id;
  if (scope.FirstDefinition("optin " + std::to_string(p.id), r, "id",
                            "opt-in process " + std::to_string(p.id))) {
    scope.spec.optins.push_back(std::move(p));
  }
}

}  // namespace campaignd::admin
