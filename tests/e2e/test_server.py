#!/usr/bin/python3
"""The server process: graceful SIGTERM with a request in flight, --help of
every command, and the log (one line per request and per delivery attempt,
never a code or the SMTP password)."""

import re
import signal
import subprocess
import threading
import time
import unittest

import harness
import mailcheck
import world
from e2ecase import E2ETestCase, Stack
from httpraw import build_request, encode_pairs

SEND = [("bmRecipientId", world.JOHN), ("bmMailingId", str(world.MAILING))]
ACCESS_LINE = re.compile(r"\breq=\d+\b.*\bpath=/http/")


class GracefulStopTest(E2ETestCase):
    def setUp(self):
        self.stack = Stack(f"server-{self._testMethodName}")
        self.addCleanup(self.stack.close)
        self.server = self.stack.up()

    def in_background(self, fn):
        box = {}
        thread = threading.Thread(target=lambda: box.setdefault("result", fn()))
        thread.start()
        return thread, box

    def test_sigterm_while_request_waits_on_the_database(self):
        before = mailcheck.mail_count(self.server.db)
        with mailcheck.exclusive_lock(self.server.db):
            thread, box = self.in_background(self.server.send_mail)
            time.sleep(0.7)  # the request is now blocked on the lock
            self.server.proc.send_signal(signal.SIGTERM)
            time.sleep(0.5)
        thread.join(20)
        mail_id = self.assertEnqueued(box.get("result"))
        self.assertEqual(self.server.proc.wait(20), 0, self.server.log())
        self.assertEqual(mailcheck.mail_count(self.server.db), before + 1)
        # Stored for real: the next start delivers it.
        self.server.start()
        self.server.wait_status(mail_id, "sent")

    def test_sigterm_while_request_body_is_arriving(self):
        body = encode_pairs(SEND).encode()
        conn = self.server.connect(timeout=20)
        self.addCleanup(conn.close)
        conn.send(build_request("POST", f"/http/form/{world.CODE}/sendeventmail",
                                [("Content-Type", "application/x-www-form-urlencoded")],
                                body)[:-len(body)] + body[:10])
        time.sleep(0.3)
        self.server.proc.send_signal(signal.SIGTERM)
        time.sleep(0.5)
        conn.send(body[10:])
        mail_id = self.assertEnqueued(conn.read_response())
        self.assertEqual(self.server.proc.wait(20), 0, self.server.log())
        self.server.start()
        self.server.wait_status(mail_id, "sent")

    def test_sigterm_when_idle_exits_zero_and_stops_listening(self):
        port = self.server.port
        self.assertEqual(self.server.stop(), 0, self.server.log())
        self.assertFalse(harness.port_open(port))


class HelpTest(E2ETestCase):
    # Flags each command must accept and document (the interface in the brief).
    FLAGS = {"apply": ["--db", "--config"], "serve": ["--db", "--config", "--role"],
             "mail": ["--db", "--config"], "inbound": ["--db", "--config", "--recipient"]}
    POSITIONALS = {"apply": "FILE", "mail": "MAILID"}
    # The server settings of the config file, each also a documented flag.
    SERVE_KEYS = ["listen", "public_url", "delivery_workers", "claim_batch", "lease",
                  "min_backoff", "max_backoff", "lifetime", "idle_poll", "status_retention",
                  "trusted_proxies", "tls_listen", "tls_cert", "tls_key", "log_level",
                  "inbound_listen", "inbound_tls_cert", "inbound_tls_key"]

    def run_bin(self, *args):
        return subprocess.run([harness.campaignd_bin(), *args], capture_output=True, text=True,
                              timeout=30)

    def described(self, text):
        """{'--flag' or 'POSITIONAL': description} of a CLI help text; a
        description may stand on the next, further indented line."""
        entries, last = {}, None
        for line in text.splitlines():
            # "  --flag TYPE ...   description": TYPE words are upper-case
            # (HOST:PORT, URL, TEXT REQUIRED); a long one leaves one blank.
            m = re.match(r"^\s+(?:-\w,)?(--[\w-]+|[A-Z]+)(?: (?:[A-Z][A-Z0-9:._]*|\.\.\.))*"
                         r"(?:\s+(.*))?$", line)
            if m:
                last = m.group(1)
                entries[last] = (m.group(2) or "").strip()
            elif last and line.startswith(" " * 10) and not entries[last]:
                entries[last] = line.strip()
        return entries

    def test_top_level_help(self):
        done = self.run_bin("--help")
        self.assertEqual(done.returncode, 0, done.stderr)
        for sub in self.FLAGS:
            self.assertRegex(done.stdout, rf"(?m)^\s+{sub}\s+\S", f"{sub} not described")

    def test_each_subcommand_documents_its_flags(self):
        for sub, flags in self.FLAGS.items():
            with self.subTest(sub=sub):
                done = self.run_bin(sub, "--help")
                self.assertEqual(done.returncode, 0, done.stderr)
                entries = self.described(done.stdout)
                wanted = flags + ([self.POSITIONALS[sub]] if sub in self.POSITIONALS else [])
                if sub == "serve":
                    wanted += ["--" + k.replace("_", "-") for k in self.SERVE_KEYS]
                for flag in wanted:
                    self.assertIn(flag, entries, f"{sub} --help lacks {flag}:\n{done.stdout}")
                for flag, text in entries.items():
                    self.assertTrue(text, f"{sub}: {flag} has no description")

    def test_unknown_flag_and_command_fail(self):
        for args in (("serve", "--no-such-flag"), ("no-such-command",), ("apply",), ("mail",)):
            with self.subTest(args=args):
                done = self.run_bin(*args)
                self.assertNotEqual(done.returncode, 0)
                self.assertTrue((done.stdout + done.stderr).strip())


class ApplyTest(E2ETestCase):
    """`campaignd apply` prints a generated code once; the code works; a bad
    file changes nothing."""

    def test_generated_code_is_shown_once_and_works(self):
        stack = Stack("server-apply")
        self.addCleanup(stack.close)
        stack.shoe["code"].append(world.code("generated", None, 100))
        first = stack.server.apply(stack.clients)
        codes = re.findall(r"[A-Za-z0-9]{32}", first.stdout)
        self.assertEqual(len(codes), 1, first.stdout)
        again = stack.server.apply(stack.clients)
        self.assertNotIn(codes[0], again.stdout + again.stderr)
        server = stack.server.start()
        self.assertAnswer(server.call("nop", code=codes[0]), "ok")
        self.assertNotIn(codes[0], server.log())

    def test_bad_file_changes_nothing(self):
        stack = Stack("server-apply-bad")
        self.addCleanup(stack.close)
        stack.server.apply(stack.clients)
        stack.shoe["mailing"][0]["subject"] = "Changed"
        stack.shoe["mailing"].append(world.mailing(5999, [999]))  # no list 999
        done = stack.server.apply(stack.clients, check=False)
        self.assertNotEqual(done.returncode, 0)
        self.assertRegex(done.stderr + done.stdout, r"provision\.toml:\d+: .*999")
        subjects = mailcheck.db_query(stack.server.db,
                                      "SELECT subject FROM mailings WHERE id = 5000")
        self.assertEqual(subjects, [("Thank you, {firstname}",)])


class LogTest(E2ETestCase):
    @classmethod
    def setUpClass(cls):
        cls.stack = Stack("server-log")
        cls.addClassCleanup(cls.stack.close)
        cls.slow = harness.Relay(cls.stack.work, "slow", reply_codes=["RCPT:451"]).start()
        cls.addClassCleanup(cls.slow.stop)
        cls.stack.clients.append(world.small_client(3, "Slow", cls.slow.transport_url(),
                                                    "SLOW-CODE-3", 300, 7000,
                                                    [("s@client3.example", "Sy", 1)]))
        cls.server = cls.stack.up(log_level="debug")

    def access_lines(self):
        return [line for line in self.server.log().splitlines() if ACCESS_LINE.search(line)]

    def test_one_line_per_request(self):
        before = len(self.access_lines())
        requests = [
            lambda: self.server.call("nop"),
            lambda: self.server.call("sendeventmail", SEND),
            lambda: self.server.call("sendeventmail", SEND, method="POST"),
            lambda: self.server.call("sendeventmail", SEND, method="MULTIPART"),
            lambda: self.server.call("nop", code="NOSUCHCODE1"),
            lambda: self.server.call("frobnicate"),
            lambda: self.server.call("getsendstatus", [("bmMailId", "garbage")]),
        ]
        for request in requests:
            self.assertEqual(request().status, 200)
        lines = harness.wait_for(lambda: (ls := self.access_lines()) and
                                 len(ls) >= before + len(requests) and ls, 5,
                                 what="access log lines")
        time.sleep(0.3)
        self.assertEqual(len(self.access_lines()) - before, len(requests), "\n".join(lines))
        for line in lines[before:]:
            self.assertIn("/http/form/***/", line)

    def test_one_line_per_delivery_attempt(self):
        sent = self.assertEnqueued(self.server.send_mail())
        self.server.wait_status(sent, "sent")
        started = time.monotonic()
        deferred = self.assertEnqueued(self.server.send_mail("s@client3.example", 7000,
                                                             "SLOW-CODE-3"))
        self.server.wait_status(deferred, "sending", "SLOW-CODE-3")
        time.sleep(3.5)  # a few retries (backoff 1 s doubling to 2 s)
        most = int(time.monotonic() - started) + 1  # min_backoff is 1 s
        self.assertEqual(self.attempts_logged(sent), [1])
        logged = self.attempts_logged(deferred)
        self.assertEqual(logged, list(range(1, len(logged) + 1)), "one line per attempt")
        self.assertGreaterEqual(len(logged), 2)
        self.assertLessEqual(len(logged), most)
        # As many lines as the attempts the mail records.
        history = self.server.mail(deferred).stdout
        recorded = int(re.search(r"(?m)^attempts\s+(\d+)$", history).group(1))
        self.assertIn(recorded, (len(logged), len(logged) + 1), history)  # one may be running

    def attempts_logged(self, mail_id):
        """The attempt numbers of the log lines about delivering `mail_id`."""
        return [int(m.group(1)) for line in self.server.log().splitlines()
                if (m := re.search(rf"\bdelivery mail={re.escape(mail_id)}\b.*\battempt=(\d+)",
                                   line, re.IGNORECASE))]

    def test_log_never_contains_secrets(self):
        self.server.call("nop")
        mail_id = self.assertEnqueued(self.server.send_mail())
        self.server.wait_status(mail_id, "sent")
        self.server.call("nop", code=world.BOOK_CODE)
        self.server.call("getsendstatus", [("bmMailId", mail_id)])
        logs = self.server.all_logs()
        self.assertTrue(logs.strip(), "empty log")
        for secret in (world.CODE, world.BOOK_CODE, "SLOW-CODE-3", harness.SMTP_PASS):
            self.assertNotIn(secret, logs)
            self.assertNotIn(secret.lower(), logs.lower())


if __name__ == "__main__":
    unittest.main()
