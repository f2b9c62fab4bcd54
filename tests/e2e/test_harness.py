#!/usr/bin/python3
"""Self-test of the e2e harness, without campaignd: the relay (STARTTLS,
AUTH, forced replies), smtp-sink and its faults, DKIM verification of
messages signed here (and that a tampered one fails), the raw HTTP client
(exact bytes, keep-alive, multipart) and the TOML writer."""

import email
import email.policy
import http.server
import smtplib
import ssl
import threading
import tomllib
import unittest

import harness
import httpraw
import mailcheck
import world

MESSAGE = (b"From: Shop <shop@example.com>\r\nTo: john.smith@example.com\r\n"
           b"Subject: Thank you, John\r\nMessage-ID: <1-1-ABC@example.com>\r\n\r\n"
           b"Hello John, your order is on its way.\r\n")


class RelayAndSinkTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.work = harness.Workdir("selftest")
        cls.addClassCleanup(cls.work.cleanup)

    def smtp_tls(self, port):
        s = smtplib.SMTP("127.0.0.1", port, timeout=10)
        s.starttls(context=ssl.create_default_context(cafile=str(self.work.tls_cert()[0])))
        return s

    def test_relay_requires_starttls_and_auth_and_records_them(self):
        relay = harness.Relay(self.work, "relay1").start()
        self.addCleanup(relay.stop)
        plain = smtplib.SMTP("127.0.0.1", relay.port, timeout=10)
        self.assertEqual(plain.mail("shop@example.com")[0], 530)  # STARTTLS first
        plain.close()
        s = self.smtp_tls(relay.port)
        with self.assertRaises(smtplib.SMTPAuthenticationError):
            s.login(harness.SMTP_USER, "wrong")
        s.login(harness.SMTP_USER, harness.SMTP_PASS)
        s.sendmail("shop@example.com", ["john.smith@example.com"], MESSAGE)
        s.quit()
        got = relay.wait_messages(1)
        self.assertEqual(len(got), 1)
        self.assertEqual(got[0].raw, MESSAGE)
        self.assertEqual(got[0].meta["tls"], True)
        self.assertEqual(got[0].meta["user"], harness.SMTP_USER)
        self.assertEqual(got[0].mail_id, "1-1-ABC")
        self.assertIn(f"127.0.0.1:{relay.port}?starttls=required&cafile=", relay.transport_url())

    def test_relay_forced_reply(self):
        relay = harness.Relay(self.work, "relay2", reply_codes=["RCPT:550:bounce"]).start()
        self.addCleanup(relay.stop)
        s = self.smtp_tls(relay.port)
        s.login(harness.SMTP_USER, harness.SMTP_PASS)
        with self.assertRaises(smtplib.SMTPRecipientsRefused):
            s.sendmail("shop@example.com", ["bounce@example.com"], MESSAGE)
        s.quit()
        self.assertEqual(relay.messages(), [])

    def test_sink_faults_and_dumps(self):
        sink = harness.SmtpSink(self.work, "sink1", ["-r", "RCPT"]).start()
        self.addCleanup(sink.stop)
        with smtplib.SMTP("127.0.0.1", sink.port, timeout=10) as s:
            with self.assertRaises(smtplib.SMTPRecipientsRefused) as refused:
                s.sendmail("shop@example.com", ["john.smith@example.com"], MESSAGE)
        code = refused.exception.recipients["john.smith@example.com"][0]
        self.assertEqual(code // 100, 4)
        sink.stop()
        sink.start(faults=[])
        with smtplib.SMTP("127.0.0.1", sink.port, timeout=10) as s:
            s.sendmail("shop@example.com", ["john.smith@example.com"], MESSAGE)
        harness.wait_for(lambda: sink.mail_ids() == ["1-1-ABC"], what="one dump")


class DkimTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.work = harness.Workdir("selftest-dkim")
        cls.addClassCleanup(cls.work.cleanup)

    def check(self, algorithm):
        key = mailcheck.make_dkim_key(self.work.path, "example.com", "s1", algorithm)
        signed = mailcheck.sign_dkim(MESSAGE, key)
        results = mailcheck.verify_dkim(signed, [key])
        self.assertEqual(len(results), 1)
        tags, ok = results[0]
        self.assertTrue(ok)
        self.assertEqual((tags["a"], tags["d"], tags["s"]), (algorithm, "example.com", "s1"))
        tampered = signed.replace(b"Thank you, John", b"Thank you, Joan")
        self.assertFalse(mailcheck.verify_dkim(tampered, [key])[0][1])
        self.assertFalse(mailcheck.verify_dkim(signed, [])[0][1])  # no DNS record

    def test_ed25519(self):
        self.check("ed25519-sha256")

    def test_rsa(self):
        self.check("rsa-sha256")

    def test_unsigned_has_no_results(self):
        self.assertEqual(mailcheck.verify_dkim(MESSAGE, []), [])


class Echo(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        out = self.headers["Content-Type"].encode() + b"\n" + body
        self.send_response(200)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)

    do_GET = do_POST

    def log_message(self, *args):
        pass


class HttpClientTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Echo)
        threading.Thread(target=cls.httpd.serve_forever, daemon=True).start()
        cls.addClassCleanup(cls.httpd.server_close)
        cls.addClassCleanup(cls.httpd.shutdown)
        cls.port = cls.httpd.server_address[1]

    def test_keep_alive_and_exact_bytes(self):
        with httpraw.Connection(self.port) as c:
            for text in ("a=1", "b=2"):
                r = c.request(httpraw.build_request(
                    "POST", "/x", [("Content-Type", "t/x")], text.encode()))
                self.assertEqual(r.status, 200)
                self.assertEqual(r.body, b"t/x\n" + text.encode())
                self.assertTrue(r.raw.startswith(b"HTTP/1.1 200 OK\r\n"))
                self.assertTrue(r.raw.endswith(b"\r\n\r\n" + r.body))

    def test_multipart_parses(self):
        ctype, body = httpraw.multipart_body(
            httpraw.java_parts([("firstname", "Jürgen"), ("bmMailingId", "5000")], "ISO-8859-1"))
        msg = email.message_from_bytes(b"Content-Type: " + ctype.encode() + b"\r\n\r\n" + body,
                                       policy=email.policy.default)
        parts = list(msg.iter_parts())
        self.assertEqual(parts[0].get_param("name", header="content-disposition"), "firstname")
        self.assertEqual(parts[0].get_payload(decode=True), "Jürgen".encode("latin-1"))
        self.assertEqual(parts[1].get_payload(decode=True), b"5000")

    def test_encode_pairs(self):
        self.assertEqual(httpraw.encode_pairs([("a", "x y+z"), ("b", httpraw.Raw("a+b@x"))]),
                         "a=x+y%2Bz&b=a+b@x")
        self.assertEqual(httpraw.encode_pairs([("n", "Jürgen")], "iso-8859-1"), "n=J%FCrgen")


class TomlTest(unittest.TestCase):
    def test_world_round_trips(self):
        clients = world.standard_world("file:/tmp/x", "keys/a.pem", "keys/b.pem")
        clients[0]["recipient"][0]["fields"]["firstname"] = 'Jo"hn\r\nBcc: x@evil.com'
        parsed = tomllib.loads(world.provisioning_toml(clients))
        self.assertEqual(parsed["client"][0]["recipient"][0]["fields"]["firstname"],
                         'Jo"hn\r\nBcc: x@evil.com')
        self.assertEqual(parsed["client"][1]["code"][0]["code"], world.BOOK_CODE)
        self.assertEqual(parsed["client"][0]["list"][0]["fields"][1],
                         {"name": "orders", "type": "int"})
        config = tomllib.loads(world.config_toml(dict(harness.FAST_CONFIG, role="api")))
        self.assertEqual(config["role"], "api")
        self.assertEqual(config["idle_poll"], "100ms")


if __name__ == "__main__":
    unittest.main()
