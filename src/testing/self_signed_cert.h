// Test-only: a self-signed certificate and key (EC P-256, CN=localhost) in
// a fresh temp dir, made by the openssl CLI and removed with the object.
// Callers: the TLS tests of http/ and events/ (the listeners' STARTTLS and
// TLS endpoints). Threads: one object per test.
#ifndef CAMPAIGND_TESTING_SELF_SIGNED_CERT_H_
#define CAMPAIGND_TESTING_SELF_SIGNED_CERT_H_

#include <cstdlib>
#include <filesystem>
#include <string>

namespace campaignd::testing {

class SelfSignedCert {
 public:
  SelfSignedCert() {
    char pattern[] = "/tmp/campaignd-tls-XXXXXX";
    dir_ = mkdtemp(pattern);
    const std::string cmd =
        "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 "
        "-subj /CN=localhost -keyout " +
        key() + " -out " + cert() + " >/dev/null 2>&1";
    ok_ = std::system(cmd.c_str()) == 0;
  }
  ~SelfSignedCert() { std::filesystem::remove_all(dir_); }
  SelfSignedCert(const SelfSignedCert&) = delete;
  SelfSignedCert& operator=(const SelfSignedCert&) = delete;

  // False when the openssl CLI failed (the files are missing then).
  bool ok() const { return ok_; }
  std::string cert() const { return (dir_ / "cert.pem").string(); }
  std::string key() const { return (dir_ / "key.pem").string(); }

 private:
  std::filesystem::path dir_;
  bool ok_ = false;
};

}  // namespace campaignd::testing

#endif  // CAMPAIGND_TESTING_SELF_SIGNED_CERT_H_
