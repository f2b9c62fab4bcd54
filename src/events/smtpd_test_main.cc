// Test-only: the inbound SMTP listener on 127.0.0.1 with a fixed policy, for
// smtpd_smtplib_test.py (Python's smtplib as a real client). Accepts mail
// for *@bounce.example, refuses every other recipient, writes each message
// to DIR/<n>.eml and answers "queued as <n>". Prints "port=N" when it
// listens (the log goes to stderr); stops when its stdin closes.
// Usage: smtpd_test_main DIR [CERT KEY]
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <fstream>
#include <iostream>
#include <string>

#include "events/smtp_server.h"

int main(int argc, char** argv) {
  using namespace campaignd::events;
  if (argc != 2 && argc != 4) {
    std::cerr << "usage: smtpd_test_main DIR [CERT KEY]\n";
    return 2;
  }
  spdlog::set_default_logger(spdlog::stderr_logger_mt("smtpd"));  // stdout: the port only
  const std::string dir = argv[1];
  SmtpServerOptions options;
  options.listen = {"127.0.0.1:0"};
  options.hostname = "mx.campaignd.test";
  options.max_message_bytes = 100000;
  if (argc == 4) {
    options.tls_cert_file = argv[2];
    options.tls_key_file = argv[3];
  }
  std::atomic<int> next{1};
  SmtpPolicy policy{[](std::string_view address) {
                      return address.ends_with("@bounce.example") ? RecipientVerdict::kAccept
                                                                  : RecipientVerdict::kReject;
                    },
                    [&](const Envelope& envelope, std::string message) {
                      const std::string id = std::to_string(next++);
                      std::ofstream(dir + "/" + id + ".eml", std::ios::binary) << message;
                      std::ofstream(dir + "/" + id + ".env")
                          << envelope.sender << "\n"
                          << envelope.recipients.size() << "\n"
                          << (envelope.tls ? "tls" : "plain") << "\n";
                      return DeliverResult::Accepted(id);
                    }};
  SmtpServer server(options, policy);
  if (campaignd::Status status = server.Start(); !status.ok()) {
    std::cerr << status.ToString() << "\n";
    return 1;
  }
  std::cout << "port=" << server.BoundPort() << std::endl;
  std::string ignored;
  while (std::getline(std::cin, ignored)) {
  }
  server.Stop();
  return 0;
}
