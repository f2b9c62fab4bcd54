#!/usr/bin/env python3
"""The inbound SMTP listener driven by Python's smtplib (a real, independent
client): a DSN to a bounce address is accepted byte for byte, an open-relay
probe is refused, STARTTLS works. Runs src/events/smtpd_test_main.

  smtpd_smtplib_test.py BUILD/src/events/smtpd_test_main
"""
import os
import smtplib
import ssl
import subprocess
import sys
import tempfile
import unittest

MAIN = None

DSN = (
    "From: Mail Delivery System <MAILER-DAEMON@mx.example>\r\n"
    "To: bounces+1-1-ZRPCCFKTB31DS84H@bounce.example\r\n"
    "Subject: Undelivered Mail Returned to Sender\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: multipart/report; report-type=delivery-status; boundary=\"B\"\r\n"
    "\r\n"
    "--B\r\n"
    "Content-Type: text/plain\r\n"
    "\r\n"
    ".a line that starts with a dot\r\n"
    "--B\r\n"
    "Content-Type: message/delivery-status\r\n"
    "\r\n"
    "Final-Recipient: rfc822; user@shop.example\r\n"
    "Action: failed\r\n"
    "Status: 5.1.1\r\n"
    "--B--\r\n"
)


class SmtplibTest(unittest.TestCase):
    def start(self, tls=False):
        self.dir = tempfile.mkdtemp(prefix="campaignd-smtpd-")
        args = [MAIN, self.dir]
        if tls:
            cert, key = os.path.join(self.dir, "cert.pem"), os.path.join(self.dir, "key.pem")
            subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                            "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1",
                            "-subj", "/CN=localhost", "-keyout", key, "-out", cert],
                           check=True, capture_output=True)
            args += [cert, key]
        self.proc = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL, text=True)
        line = self.proc.stdout.readline()
        self.assertTrue(line.startswith("port="), line)
        self.port = int(line.strip().split("=")[1])

    def tearDown(self):
        self.proc.stdin.close()
        self.assertEqual(self.proc.wait(timeout=10), 0)

    def read(self, name):
        with open(os.path.join(self.dir, name), "rb") as f:
            return f.read()

    def test_dsn_is_accepted_byte_for_byte(self):
        self.start()
        with smtplib.SMTP("127.0.0.1", self.port, timeout=10) as smtp:
            code, text = smtp.ehlo("mx.example")
            self.assertEqual(code, 250)
            self.assertIn(b"PIPELINING", text)
            self.assertTrue(smtp.has_extn("size"))
            refused = smtp.sendmail("", ["bounces+1-1-ZRPCCFKTB31DS84H@bounce.example"], DSN)
            self.assertEqual(refused, {})
        # smtplib dot-stuffed ".a line"; the server removed the dot again.
        self.assertEqual(self.read("1.eml"), DSN.encode())
        self.assertEqual(self.read("1.env"), b"\n1\nplain\n")

    def test_open_relay_probes_are_refused(self):
        self.start()
        probes = ["victim@foreign.example", "@bounce.example:victim@foreign.example",
                  "victim%foreign.example@bounce.example", "foreign.example!victim@bounce.example",
                  '"victim@foreign.example"@bounce.example']
        for probe in probes:
            with smtplib.SMTP("127.0.0.1", self.port, timeout=10) as smtp:
                with self.assertRaises(smtplib.SMTPRecipientsRefused) as caught:
                    smtp.sendmail("probe@relay-test.example", [probe], "Subject: relay\r\n\r\nx\r\n")
                code, text = caught.exception.recipients[probe]
                self.assertEqual(code, 550, probe)
                self.assertIn(b"5.7.1", text)
        self.assertFalse(any(n.endswith(".eml") for n in os.listdir(self.dir)))

    def test_size_limit_is_announced_and_enforced(self):
        self.start()
        with smtplib.SMTP("127.0.0.1", self.port, timeout=10) as smtp:
            smtp.ehlo()
            self.assertEqual(smtp.esmtp_features["size"], "100000")
            with self.assertRaises(smtplib.SMTPSenderRefused) as caught:
                smtp.sendmail("", ["b@bounce.example"], "x" * 200000)  # SIZE= says it first
            self.assertEqual(caught.exception.smtp_code, 552)

    def test_starttls(self):
        self.start(tls=True)
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        with smtplib.SMTP("127.0.0.1", self.port, timeout=10) as smtp:
            smtp.starttls(context=context)
            self.assertEqual(smtp.sendmail("", ["b@bounce.example"], DSN), {})
        self.assertEqual(self.read("1.env"), b"\n1\ntls\n")


if __name__ == "__main__":
    MAIN = sys.argv.pop(1)
    unittest.main()
