"""Issue 15, items 2, 5 and 9 (docs/decisions/0014-relay-policy.md), against the
real server on both engines:

- a client API key trying file:/abs, file:///etc/cron.d, file:../../.. or an
  smtp:// host:port the operator did not allow (PUT .../relay and PATCH) gets
  403 naming the rule; the stored transport is unchanged (mail still reaches
  the old relay), nothing is created on disk and nothing connects to the port;
- a relay the operator allows (client_relay_hosts) is chosen by the client key
  and delivers (aiosmtpd);
- the operator's own file: outbox outside outbox_root is refused by the admin
  API, the CLI and `campaignd apply`; a symbolic link below the root is not
  followed at delivery (deferred, nothing written through it);
- credentials to a relay without STARTTLS: no AUTH ever reaches the relay
  (its AUTH counter stays 0) and the mail is deferred naming STARTTLS, until the
  operator writes allow_plain_auth=true; starttls=optional with a password to a
  remote host is refused; a client key cannot say allow_plain_auth;
- a recipient user@[127.0.0.1]: syntax_error on the public API, 422 on the
  admin API, an error in the provisioning file; with allow_address_literals
  the same recipient is accepted and delivered with the literal as RCPT TO.

Run: CAMPAIGND_BIN=build/campaignd /usr/bin/python3 tests/e2e/test_tenants_transport.py -v
"""

import os
import select
import socket
import tempfile
import unittest
from pathlib import Path

import harness
import world
from adminapi import ADMIN_KEY, AdminApi
from e2ecase import E2ETestCase, Stack

LITERAL = "john@[127.0.0.1]"
FILE_REFUSED = ("transport: a file: transport writes on the server: only the operator sets one; "
                "a client key may choose an smtp:// or smtps:// relay the operator allows")
LITERAL_REFUSED = "address literals like [192.0.2.1] are not allowed (allow_address_literals)"


def start_with_admin(stack, **settings):
    """Starts the stack's server with the admin API; returns the admin client."""
    port = harness.free_port()
    stack.up(admin_listen=f"127.0.0.1:{port}", admin_key=ADMIN_KEY, **settings)

    def ready():
        try:
            return AdminApi(port, key=None).request("GET", "/openapi.yaml")[0] == 200
        except OSError:
            return False
    harness.wait_for(ready, 10, what="the admin API listening")
    return AdminApi(port)


def attempts(history, text):
    """Events of a `campaignd mail` history whose reply contains `text`."""
    return sum(1 for line in history.splitlines()
               if text in line and not line.startswith("last reply"))


class Listener:
    """A TCP port that is listened on and records whether anyone connected."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]

    def connected(self):
        return bool(select.select([self.sock], [], [], 0)[0])

    def close(self):
        self.sock.close()


class RelayPolicyTest(E2ETestCase):
    @classmethod
    def setUpClass(cls):
        cls.stack = Stack("tenants_transport")
        try:
            work = cls.stack.work
            # The relay the operator allows client keys to choose: plain, no AUTH.
            cls.allowed = harness.Relay(work, "allowed", tls=False, auth=False).start()
            # A relay offering AUTH but no STARTTLS (item 5).
            cls.plain = harness.Relay(work, "plain-auth", tls=False, auth=True).start()
            cls.probe = Listener()  # an internal port a client key must not reach
            cls.api = start_with_admin(cls.stack, lifetime="60s", client_relay_hosts=[
                f"127.0.0.1:{cls.allowed.port}", "*.relay.example"])
            cls.server = cls.stack.server
            key1 = cls.api.ok("POST", "/admin/v1/clients/1/keys", {"name": "shoe"})["key"]
            key2 = cls.api.ok("POST", "/admin/v1/clients/2/keys", {"name": "books"})["key"]
            cls.shoe = cls.api.with_key(key1)
            cls.books = cls.api.with_key(key2)
        except BaseException:
            cls.tearDownClass()
            raise

    @classmethod
    def tearDownClass(cls):
        if getattr(cls, "probe", None):
            cls.probe.close()
        for relay in (getattr(cls, "allowed", None), getattr(cls, "plain", None)):
            if relay:
                relay.stop()
        cls.stack.close()

    def relay_of(self, client):
        return self.api.ok("GET", f"/admin/v1/clients/{client}/relay")["transport"]

    def keep_relay(self, client):
        """Restores the client's provisioned relay (as the operator) when the test ends."""
        url = self.stack.clients[client - 1]["transport"]
        self.addCleanup(self.api.ok, "PUT", f"/admin/v1/clients/{client}/relay",
                        {"transport": url})

    def history(self, mail_id):
        return self.server.mail(mail_id.upper()).stdout

    # --- item 2: a client key never chooses files or internal hosts ------
    def test_client_key_cannot_choose_files_or_internal_hosts(self):
        self.keep_relay(1)
        before = self.relay_of(1)
        escape = self.stack.work.path.parent / (self.stack.work.path.name + "-escape")
        cron = Path("/etc/cron.d")
        cron_before = sorted(os.listdir(cron)) if cron.is_dir() else None
        for url in (f"file:{escape}", f"file://{escape}/x", "file:///etc/cron.d",
                    "file:../../..", "file:outbox-of-my-choice"):
            for method, path, body in (("PUT", "/admin/v1/clients/1/relay", {"transport": url}),
                                       ("PATCH", "/admin/v1/clients/1",
                                        {"name": "Shoe Store", "transport": url})):
                status, answer, _ = self.shoe.request(method, path, body)
                self.assertEqual(status, 403, f"{method} {url}: {answer}")
                self.assertEqual(answer, {"error": {"code": "forbidden",
                                                    "message": FILE_REFUSED}})
        listed = (f" is not one the operator allows for client keys (client_relay_hosts: "
                  f"127.0.0.1:{self.allowed.port}, *.relay.example)")
        for url, where in ((f"smtp://127.0.0.1:{self.probe.port}", f"127.0.0.1:{self.probe.port}"),
                           (f"smtp://u:pw@127.0.0.1:{self.stack.relay.port}?starttls=required",
                            f"127.0.0.1:{self.stack.relay.port}"),
                           ("smtp://127.0.0.1", "127.0.0.1:25"),
                           ("smtps://[::1]:465", "[::1]:465"),
                           ("smtp://mx.relay.example:2525", "mx.relay.example:2525")):
            status, answer, _ = self.shoe.request("PUT", "/admin/v1/clients/1/relay",
                                                  {"transport": url})
            self.assertEqual(status, 403, f"{url}: {answer}")
            self.assertEqual(answer["error"]["message"], f"transport: relay {where}{listed}")
        status, answer, _ = self.shoe.request(
            "PUT", "/admin/v1/clients/1/relay",
            {"transport": f"smtp://127.0.0.1:{self.allowed.port}?cafile=/etc/shadow"})
        self.assertEqual((status, answer["error"]["message"]),
                         (403, "transport: cafile= names a file on the server: only the operator "
                               "sets it"))
        # Nothing changed, nothing was made, nothing connected.
        self.assertEqual(self.relay_of(1), before)
        self.assertFalse(escape.exists())
        self.assertEqual(sorted(os.listdir(cron)) if cron.is_dir() else None, cron_before)
        mail_id = self.assertEnqueued(self.server.send_mail())
        self.server.wait_status(mail_id, "sent")
        self.assertIn(mail_id.upper().encode(), b"".join(m.raw for m in self.stack.relay.messages()))
        self.assertFalse(self.probe.connected(), "something connected to the probed port")

    def test_client_key_chooses_an_allowed_relay_that_delivers(self):
        self.keep_relay(2)
        url = f"smtp://127.0.0.1:{self.allowed.port}?connections=2"
        self.assertEqual(self.books.ok("PUT", "/admin/v1/clients/2/relay", {"transport": url}),
                         {"transport": url})
        self.assertEqual(self.relay_of(2), url)
        mail_id = self.assertEnqueued(self.server.send_mail(
            recipient="anna.reader@books.example", mailing=world.BOOK_MAILING,
            code=world.BOOK_CODE))
        self.server.wait_status(mail_id, "sent", code=world.BOOK_CODE)
        got = self.allowed.wait_messages(1)
        self.assertEqual([m.meta["rcpt_tos"] for m in got if mail_id.upper().encode() in m.raw],
                         [["anna.reader@books.example"]])
        # A client key may not weaken TLS even towards an allowed relay.
        status, answer, _ = self.books.request("PUT", "/admin/v1/clients/2/relay", {
            "transport": f"smtp://u:p@127.0.0.1:{self.allowed.port}?starttls=never"
                         "&allow_plain_auth=true"})
        self.assertEqual((status, answer["error"]["message"]),
                         (403, "transport: allow_plain_auth=: only the operator may let a "
                               "password travel without TLS"))
        self.assertEqual(self.relay_of(2), url)

    # --- the operator's file: outboxes stay below outbox_root ------------
    def test_operator_file_outbox_stays_below_the_root(self):
        self.keep_relay(1)
        before = self.relay_of(1)
        outside = self.stack.work.path.parent / (self.stack.work.path.name + "-op-outside")
        for url, message in (
                (f"file:{outside}", f"file transport directory '{outside}' is absolute; give a "
                                    f"directory below outbox_root, e.g. file:outbox"),
                ("file:../../..", "file transport directory '../../..' has a '..' segment; it "
                                  "must stay below outbox_root")):
            status, answer, _ = self.api.request("PUT", "/admin/v1/clients/1/relay",
                                                 {"transport": url})
            self.assertEqual((status, answer["error"]["message"]),
                             (422, f"transport: {message}"))
            cli = self.server.run("relay", "set", "--client", "1", url, "--db",
                                  self.server.db_arg)
            self.assertEqual(cli.returncode, 1, cli.stdout + cli.stderr)
            self.assertIn(message, cli.stderr)
        bad = [dict(c) for c in self.stack.clients]
        bad[0]["transport"] = f"file:{outside}"
        applied = self.server.apply(bad, check=False)
        self.assertEqual(applied.returncode, 1, applied.stdout + applied.stderr)
        self.assertIn(f"transport: file transport directory '{outside}' is absolute",
                      applied.stderr)
        self.assertIn("nothing applied", applied.stderr)
        self.assertEqual(self.relay_of(1), before)
        self.assertFalse(outside.exists())

        # A relative outbox is written below the root; a symbolic link below
        # the root is not followed when the mail is delivered.
        self.api.ok("PUT", "/admin/v1/clients/1/relay", {"transport": "file:op-outbox/shoe"})
        mail_id = self.assertEnqueued(self.server.send_mail())
        self.server.wait_status(mail_id, "sent")
        self.assertTrue((self.stack.work.path / "op-outbox" / "shoe" /
                         f"{mail_id.upper()}.eml").exists())
        target = Path(tempfile.mkdtemp(prefix="campaignd-link-target-"))
        self.addCleanup(target.rmdir)
        (self.stack.work.path / "linked").symlink_to(target, target_is_directory=True)
        self.api.ok("PUT", "/admin/v1/clients/1/relay", {"transport": "file:linked/sub"})
        mail_id = self.assertEnqueued(self.server.send_mail())
        history = harness.wait_for(
            lambda: (h := self.history(mail_id)).count("is a symbolic link") >= 1 and h, 10,
            interval=0.2, what="a deferral naming the symbolic link")
        self.assertIn(f"transport: cannot create mail directory {self.stack.work.path}/linked/sub: "
                      f"'linked' is a symbolic link (refused: the outbox must stay below "
                      f"outbox_root)", history)
        self.assertEqual(self.server.status(mail_id), "sending")
        self.assertEqual(list(target.iterdir()), [])

    # --- item 5: no password in clear ------------------------------------
    def test_credentials_never_travel_in_clear(self):
        self.keep_relay(1)
        creds = f"{harness.SMTP_USER}:{harness.SMTP_PASS}"
        status, answer, _ = self.api.request("PUT", "/admin/v1/clients/1/relay", {
            "transport": f"smtp://{creds}@relay.example.net:587?starttls=optional"})
        self.assertEqual(status, 422)
        self.assertEqual(answer["error"]["message"],
                         "transport: starttls=optional with a user name would send the password "
                         "in clear to a relay that offers no STARTTLS (or to anyone who strips "
                         "it); use starttls=required (the default with a user) or smtps://, or "
                         "add allow_plain_auth=true if that is intended")
        self.assertNotIn(harness.SMTP_PASS, str(answer))

        # With a user and no starttls=, STARTTLS is required: the plain relay
        # offers AUTH but not STARTTLS, so AUTH is never sent.
        self.api.ok("PUT", "/admin/v1/clients/1/relay",
                    {"transport": f"smtp://{creds}@127.0.0.1:{self.plain.port}"})
        mail_id = self.assertEnqueued(self.server.send_mail())
        history = harness.wait_for(
            lambda: attempts(h := self.history(mail_id), "STARTTLS") >= 2 and h, 15,
            interval=0.2, what="two deferrals naming STARTTLS")
        self.assertEqual(self.server.status(mail_id), "sending", history)
        self.assertIn("STARTTLS not supported", history)
        stats = (self.plain.dir / "sessions.txt").read_text()
        self.assertIn("auth_commands 0\n", stats)
        self.assertGreaterEqual(int(stats.split()[1]), 2, stats)  # it was connected to
        self.assertEqual(self.plain.count(), 0)

        # The operator's explicit word: the deferred mail goes out, AUTH in clear.
        self.api.ok("PUT", "/admin/v1/clients/1/relay", {
            "transport": f"smtp://{creds}@127.0.0.1:{self.plain.port}?starttls=never"
                         "&allow_plain_auth=true"})
        self.server.wait_status(mail_id, "sent")
        got = [m for m in self.plain.messages() if mail_id.upper().encode() in m.raw]
        self.assertEqual([(m.meta["user"], m.meta["tls"]) for m in got],
                         [(harness.SMTP_USER, False)])
        self.assertIn("auth_in_clear 1\n", (self.plain.dir / "sessions.txt").read_text())

    # --- item 9: address literals ----------------------------------------
    def test_address_literal_recipients_are_refused(self):
        code = self.shoe.ok("POST", "/admin/v1/clients/1/codes", {
            "list_id": 100, "operations": ["sendeventmail", "subscribe", "updatefields"]})["code"]
        for op, params in (("sendeventmail", [("bmRecipientId", LITERAL),
                                              ("bmMailingId", str(world.MAILING))]),
                           ("subscribe", [("bmRecipientId", "x@[10.0.0.1]")]),
                           ("updatefields", [("bmRecipientId", world.JOHN),
                                             ("bmNewRecipientId", "john@[IPv6:::1]")])):
            self.assertAnswer(self.server.call(op, params, code=code), "syntax_error")
        status, answer, _ = self.shoe.request("POST", "/admin/v1/clients/1/lists/100/recipients",
                                              {"recipient_id": LITERAL,
                                               "fields": {"orders": "1"}})
        self.assertEqual((status, answer["error"]["message"]),
                         (422, f"recipient_id: {LITERAL_REFUSED}"))
        counts = self.shoe.ok("POST", "/admin/v1/clients/1/lists/100/recipients/import",
                              f"email,orders\r\n{LITERAL},1\r\n".encode(),
                              content_type="text/csv")
        self.assertEqual((counts["stored"], counts["rejected"]), (0, 1))
        self.assertEqual(counts["errors"][0]["message"], LITERAL_REFUSED)
        clients = [dict(c) for c in self.stack.clients]
        clients[0]["recipient"] = clients[0]["recipient"] + [world.recipient(100, LITERAL)]
        applied = self.server.apply(clients, check=False)
        self.assertEqual(applied.returncode, 1, applied.stdout + applied.stderr)
        self.assertIn(f"id: '{LITERAL}' is not a valid address: {LITERAL_REFUSED}",
                      applied.stderr)


class AddressLiteralsAllowedTest(E2ETestCase):
    """allow_address_literals = true: the same recipient is accepted and the
    relay gets the literal as RCPT TO."""

    @classmethod
    def setUpClass(cls):
        cls.stack = Stack("tenants_literals")
        try:
            cls.api = start_with_admin(cls.stack, allow_address_literals=True)
            cls.server = cls.stack.server
        except BaseException:
            cls.stack.close()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.stack.close()

    def test_literal_recipient_accepted_and_delivered(self):
        added = self.api.ok("POST", "/admin/v1/clients/1/lists/100/recipients",
                            {"recipient_id": "John@[127.0.0.1]",
                             "fields": {"firstname": "Literal", "orders": "2"}})
        self.assertEqual(added["recipient_id"], LITERAL)
        mail_id = self.assertEnqueued(self.server.send_mail(recipient=LITERAL))
        self.server.wait_status(mail_id, "sent")
        got = [m for m in self.stack.relay.messages() if mail_id.upper().encode() in m.raw]
        self.assertEqual([m.meta["rcpt_tos"] for m in got], [[LITERAL]])
        # The provisioning file reads the setting too (here from --config).
        config = self.stack.work.path / "literals.toml"
        config.write_text("allow_address_literals = true\n")
        clients = [dict(c) for c in self.stack.clients]
        clients[0]["recipient"] = clients[0]["recipient"] + [world.recipient(100, "x@[10.0.0.1]")]
        self.server.provisioning.write_text(world.provisioning_toml(clients), encoding="utf-8")
        applied = self.server.run("apply", self.server.provisioning, "--db", self.server.db_arg,
                                  "--config", config)
        self.assertEqual(applied.returncode, 0, applied.stdout + applied.stderr)


if __name__ == "__main__":
    unittest.main()
