"""Outbound webhooks (events.md §4) against real HTTP receivers (Python's
http.server on 127.0.0.1): a subscription made through the admin API gets
signed JSON batches (the signature checked here in Python and with the
README's one-line openssl command), with its keyAuth header; a receiver
that answers 500 and comes back gets every event afterwards; a hanging one
is a timeout; a redirect is a failure and is not followed; a suspended
subscription is re-activated by "retry" and gets what was pending; bad
subscriptions are refused (422, nothing stored); `campaignd apply` creates
one with a generated signing secret shown once and kept by a re-apply; the
CLI lists them; and without webhooks_allow_private a 127.0.0.1 target is
refused with no connection made.

The events are written into the events table and its outbox by SQL here:
nothing in this branch writes events on state changes yet (the wiring is
another part of issue 11); the rows are what events::Append writes.
Run: CAMPAIGND_BIN=build/campaignd /usr/bin/python3 tests/e2e/test_webhooks.py -v
"""

import json
import re
import subprocess
import time
import unittest

import database
import harness
from adminapi import ADMIN_KEY, AdminApi
from e2ecase import E2ETestCase, Stack
from receiver import Receiver, signature_ok

SHOE = 1


def openssl_signature(secret, t, body):
    """The README's one-line check, run by the shell as written there."""
    done = subprocess.run(
        ["sh", "-c", "printf '%s.%s' \"$t\" \"$body\" | openssl dgst -sha256 -hmac \"$secret\""],
        env={"t": t, "body": body.decode(), "secret": secret, "PATH": "/usr/bin:/bin"},
        capture_output=True, text=True, check=True)
    return done.stdout.strip().split()[-1]


class WebhookCase(E2ETestCase):
    allow_private = True

    @classmethod
    def setUpClass(cls):
        cls.stack = Stack("webhooks", relay=False)
        cls.admin_port = harness.free_port()
        settings = dict(admin_listen=f"127.0.0.1:{cls.admin_port}", admin_key=ADMIN_KEY,
                        webhook_retry_base="300ms", webhook_timeout="1s",
                        webhook_batch_wait="50ms", webhook_batch=50)
        if cls.allow_private:
            settings["webhooks_allow_private"] = True
        try:
            cls.server = cls.stack.up(**settings)
            cls.api = AdminApi(cls.admin_port)
            harness.wait_for(cls.admin_ready, 10, what="the admin API listening")
        except BaseException:
            cls.stack.close()
            raise

    @classmethod
    def admin_ready(cls):
        try:
            return AdminApi(cls.admin_port, key=None).request("GET", "/openapi.yaml")[0] == 200
        except OSError:
            return False

    @classmethod
    def tearDownClass(cls):
        cls.stack.close()

    def setUp(self):
        self.receivers = []

    def tearDown(self):
        for r in self.receivers:
            r.close()

    def receiver(self, mode="ok"):
        r = Receiver(mode)
        self.receivers.append(r)
        return r

    def subscribe(self, url, **extra):
        body = {"url": url, "types": ["unsubscribe", "blocklist"], **extra}
        return self.api.ok("POST", f"/admin/v1/clients/{SHOE}/webhooks", body, want=201)

    def seed(self, webhook_id, n, recipient="r{}@example.com", type_="unsubscribe"):
        """n events of client 1, queued for `webhook_id`, as events::Append writes them."""
        db = self.server.db
        now = int(time.time() * 1000)
        for i in range(n):
            rcpt = recipient.format(i)
            database.execute(db, "INSERT INTO events (client_id, type, at, mail_seq, mailing_id, "
                                 "list_id, recipient_id, address, data) VALUES "
                                 f"({SHOE}, '{type_}', {now}, NULL, 0, 100, '{rcpt}', '{rcpt}', "
                                 "'{\"source\":\"api\"}')")
            database.execute(db, "INSERT INTO webhook_outbox (client_id, webhook_id, event_id) "
                                 f"SELECT {SHOE}, {webhook_id}, max(id) FROM events")
        return [rcpt for rcpt in (recipient.format(i) for i in range(n))]

    def attempts(self, webhook_id):
        return self.api.ok("GET", f"/admin/v1/clients/{SHOE}/webhooks/{webhook_id}/attempts")["items"]

    def wait_events(self, receiver, n, timeout=15):
        harness.wait_for(lambda: len({e["id"] for e in receiver.events()}) >= n, timeout,
                         what=f"{n} events at the receiver")


class WebhookTest(WebhookCase):
    def test_signed_batches_with_key_auth(self):
        r = self.receiver()
        hook = self.subscribe(r.url(), auth="keyAuth", auth_name="X-Api-Key", auth_secret="k3y")
        secret = hook["signing_secret"]
        self.assertRegex(secret, r"^[0-9a-f]{64}$")
        shown = self.api.ok("GET", f"/admin/v1/clients/{SHOE}/webhooks/{hook['id']}")
        self.assertNotIn("signing_secret", shown)
        self.assertNotIn("k3y", json.dumps(shown))
        self.assertEqual((shown["state"], shown["auth"], shown["auth_name"]),
                         ("activated", "keyAuth", "X-Api-Key"))
        listed = self.api.ok("GET", f"/admin/v1/clients/{SHOE}/webhooks")["items"]
        self.assertNotIn(secret, json.dumps(listed))

        rcpts = self.seed(hook["id"], 3)
        self.wait_events(r, 3)
        path, headers, body = r.requests[0]
        self.assertEqual(path, "/hook")
        self.assertEqual(headers["Content-Type"], "application/json")
        self.assertEqual(headers["X-Api-Key"], "k3y")
        self.assertTrue(signature_ok(secret, headers, body))
        self.assertFalse(signature_ok("0" * 64, headers, body))
        t, v1 = re.fullmatch(r"t=(\d+),v1=(\w+)", headers["X-Campaignd-Signature"]).groups()
        self.assertLess(abs(int(t) - time.time()), 60)
        self.assertEqual(openssl_signature(secret, t, body), v1)
        events = r.events()
        self.assertEqual([e["recipient"] for e in events], rcpts)
        for e in events:
            self.assertRegex(e["id"], r"^\d+$")
            self.assertEqual((e["type"], e["client"], e["list"], e["source"]),
                             ("unsubscribe", SHOE, 100, "api"))
            self.assertRegex(e["time"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
        attempts = self.attempts(hook["id"])
        self.assertTrue(attempts)
        self.assertEqual(attempts[0]["http_status"], 200)
        self.assertEqual(attempts[0]["response"], "thanks")

    def test_receiver_down_then_back_gets_everything(self):
        r = self.receiver("fail")
        hook = self.subscribe(r.url())
        rcpts = self.seed(hook["id"], 5)
        harness.wait_for(lambda: len(self.attempts(hook["id"])) >= 2, 15,
                         what="two failed attempts")
        failed = self.attempts(hook["id"])
        self.assertTrue(all(a["http_status"] == 500 and a["error"] == "HTTP 500" for a in failed),
                        failed)
        self.assertGreater(self.api.ok("GET", f"/admin/v1/clients/{SHOE}/webhooks/{hook['id']}")
                           ["failed_attempts"], 0)
        more = self.seed(hook["id"], 2, recipient="late{}@example.com")
        r.set_mode("ok")
        self.wait_events(r, 7)
        delivered = {}
        with r.lock:
            ok_bodies = [b for (_, _, b) in r.requests]
        for body in ok_bodies[len(failed):]:
            for e in json.loads(body):
                delivered[e["id"]] = e["recipient"]
        self.assertEqual(sorted(delivered.values()), sorted(rcpts + more))
        shown = self.api.ok("GET", f"/admin/v1/clients/{SHOE}/webhooks/{hook['id']}")
        self.assertEqual((shown["state"], shown["failed_attempts"], shown["failing_since"]),
                         ("activated", 0, None))

    def test_hanging_receiver_times_out(self):
        r = self.receiver("hang")
        hook = self.subscribe(r.url())
        self.seed(hook["id"], 1)
        harness.wait_for(lambda: self.attempts(hook["id"]), 15, what="an attempt")
        attempt = self.attempts(hook["id"])[-1]
        self.assertEqual((attempt["http_status"], attempt["error"]), (0, "timeout after 1000 ms"))
        self.assertLess(attempt["duration_ms"], 3000)
        self.api.ok("DELETE", f"/admin/v1/clients/{SHOE}/webhooks/{hook['id']}", want=204)

    def test_redirect_is_a_failure_and_not_followed(self):
        r = self.receiver("redirect")
        hook = self.subscribe(r.url())
        self.seed(hook["id"], 1)
        harness.wait_for(lambda: self.attempts(hook["id"]), 15, what="an attempt")
        attempt = self.attempts(hook["id"])[-1]
        self.assertEqual(attempt["http_status"], 302)
        self.assertIn("redirect not followed", attempt["error"])
        time.sleep(0.5)
        self.assertEqual({p for (p, _, _) in r.requests}, {"/hook"})
        self.api.ok("DELETE", f"/admin/v1/clients/{SHOE}/webhooks/{hook['id']}", want=204)

    def test_retry_now_reactivates_a_suspended_webhook(self):
        r = self.receiver()
        hook = self.subscribe(r.url(), auth="basicAuth", auth_name="shop", auth_secret="pw")
        base = f"/admin/v1/clients/{SHOE}/webhooks/{hook['id']}"
        # As Failed() leaves it after 24 h of failures.
        database.execute(self.server.db, "UPDATE webhooks SET state = 'suspended', attempts = 9, "
                                         f"failing_since = 1 WHERE client_id = {SHOE} AND id = {hook['id']}")
        self.seed(hook["id"], 2)
        time.sleep(1.0)
        self.assertEqual(r.requests, [])
        self.assertEqual(self.api.ok("GET", base)["state"], "suspended")
        shown = self.api.ok("POST", f"{base}/retry", {})
        self.assertEqual((shown["state"], shown["failed_attempts"]), ("activated", 0))
        self.wait_events(r, 2)
        self.assertEqual(r.requests[0][1]["Authorization"], "Basic c2hvcDpwdw==")
        # Deactivated: nothing more is sent; retry refuses; activate works.
        self.api.ok("POST", f"{base}/deactivate", {})
        status, answer, _ = self.api.request("POST", f"{base}/retry", {})
        self.assertEqual(status, 409, answer)
        self.assertEqual(self.api.ok("POST", f"{base}/activate", {})["state"], "activated")

    def test_bad_subscriptions_are_refused(self):
        url = self.receiver().url()
        before = self.api.ok("GET", f"/admin/v1/clients/{SHOE}/webhooks")["items"]
        for body, want in [
            ({"url": "ftp://127.0.0.1/x", "types": ["open"]}, "url: expected an http"),
            ({"url": "http://u:p@127.0.0.1/x", "types": ["open"]}, "url: must not carry"),
            ({"url": "127.0.0.1/x", "types": ["open"]}, "url: expected an absolute"),
            ({"url": url, "types": ["opened"]}, "types: unknown event type 'opened'"),
            ({"url": url, "types": []}, "types: expected at least one"),
            ({"url": url, "types": ["open"], "auth": "keyAuth", "auth_name": "Host",
              "auth_secret": "x"}, "auth_name: header Host is set by campaignd"),
            ({"url": url, "types": ["open"], "auth": "keyAuth", "auth_name": "X-Key",
              "auth_secret": "a\r\nX-Evil: 1"}, "auth_secret: must not contain a line break"),
            ({"url": url, "types": ["open"], "auth": "basicAuth", "auth_name": "a:b",
              "auth_secret": "x"}, "auth_name: a basicAuth user must not contain ':'"),
            ({"url": url, "types": ["open"], "auth": "oauth"}, "auth: expected none"),
            ({"url": url, "types": ["open"], "secret": "x"}, "secret: unknown member"),
        ]:
            status, answer, _ = self.api.request("POST", f"/admin/v1/clients/{SHOE}/webhooks", body)
            self.assertEqual(status, 422, (body, answer))
            self.assertIn(want, answer["error"]["message"], body)
        self.assertEqual(self.api.ok("GET", f"/admin/v1/clients/{SHOE}/webhooks")["items"], before)
        status, _, _ = self.api.request("GET", f"/admin/v1/clients/{SHOE}/webhooks/999")
        self.assertEqual(status, 404)

    def test_apply_and_cli(self):
        r = self.receiver()
        secret_file = self.stack.work.path / "hook.secret"
        secret_file.write_text("file-key\n")
        self.stack.shoe["webhook"] = [{"id": 50, "url": r.url("/applied"), "types": ["bounce"],
                                       "auth": "keyAuth", "auth_name": "X-Key",
                                       "auth_secret_file": "hook.secret"}]
        try:
            done = self.server.apply(self.stack.clients)
            match = re.search(r"signing secret of webhook 50 of client 1: ([0-9a-f]{64})",
                              done.stdout)
            self.assertIsNotNone(match, done.stdout)
            again = self.server.apply(self.stack.clients)
            self.assertNotIn("signing secret", again.stdout)  # kept, not shown again
            self.seed(50, 1, type_="bounce")
            self.wait_events(r, 1)
            _, headers, body = r.requests[0]
            self.assertEqual(headers["X-Key"], "file-key")
            self.assertTrue(signature_ok(match.group(1), headers, body))
            listed = self.server.run("webhook", "list", "--client", "1", "--json", "--db",
                                     self.server.db_arg)
            self.assertEqual(listed.returncode, 0, listed.stderr)
            self.assertIn(50, [w["id"] for w in json.loads(listed.stdout)["items"]])
            self.assertNotIn("file-key", listed.stdout)
            bad = self.server.run("webhook", "create", "--client", "1", "--url", "gopher://x/",
                                  "--type", "open", "--db", self.server.db_arg)
            self.assertEqual(bad.returncode, 1)
            self.assertIn("url: expected an http", bad.stderr)
        finally:
            del self.stack.shoe["webhook"]


class LoopbackRefusedTest(WebhookCase):
    allow_private = False

    def test_loopback_target_is_refused_without_the_allow_key(self):
        r = self.receiver()
        hook = self.subscribe(r.url())
        self.seed(hook["id"], 1)
        harness.wait_for(lambda: self.attempts(hook["id"]), 15, what="an attempt")
        attempt = self.attempts(hook["id"])[-1]
        self.assertEqual(attempt["http_status"], 0)
        self.assertIn("refused: the target is a private or internal address", attempt["error"])
        self.assertNotIn("127.0.0.1", attempt["error"])  # the client does not learn the address
        time.sleep(0.5)
        self.assertEqual((r.connections, r.requests), (0, []))


if __name__ == "__main__":
    unittest.main()
