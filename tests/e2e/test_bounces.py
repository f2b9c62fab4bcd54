#!/usr/bin/python3
"""Bounces and complaints inbound (events.md §2, docs/decisions/0020), end to
end: a client with a bounce domain gets its mails relayed (aiosmtpd) with the
VERP return path as MAIL FROM; DSNs built from tests/fixtures/bounces
(Postfix, Exim, qmail, Microsoft 365, Gmail) for those mails, sent with
smtplib to the `inbound_listen` listener or piped through `campaignd inbound`,
become bounce events and bounce counts, and at the bounce limit the next mail
is `too_many_bounces`; an ARF complaint unsubscribes; open-relay probes get
550 5.7.1; the pipe's exit codes (0, 65, 75)."""

import json
import re
import smtplib
import unittest
from pathlib import Path

import harness
import mailcheck
import world
from e2ecase import E2ETestCase, Stack

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "bounces"
MAIL_ID_IN_FIXTURE = re.compile(r"[0-9]+-[0-9A-Z]+-[0-9A-Z]{16}")
CLIENT = 7
CODE7 = "BOUNCY-CODE-7"
LIST = 700
MAILING = 7000
DOMAIN = "bounce.shop.example"
HARD = "nobody@example.org"          # postfix_user_unknown.eml
PIPED = "departed@contoso.example"     # microsoft365.eml, without --recipient
COMPLAINER = "complainer@mailbox-provider.example"  # arf_abuse.eml
FORMATS = {  # fixture: (recipient, category)
    "exim_dsn_mailbox_full.eml": ("full.box@example.net", "soft"),
    "qmail.eml": ("nobody@example.com", "hard"),
    "microsoft365.eml": ("gone@contoso.example", "hard"),
    "gmail.eml": ("no.such.person@gmail.example", "hard"),
}


def dsn_for(fixture, mail_id):
    """The fixture with its mail IDs replaced by `mail_id`."""
    text = (FIXTURES / fixture).read_text(encoding="utf-8")
    return MAIL_ID_IN_FIXTURE.sub(mail_id.upper(), text)


class BouncesTest(E2ETestCase):
    @classmethod
    def setUpClass(cls):
        cls.stack = Stack("bounces")
        cls.addClassCleanup(cls.stack.close)
        addresses = [HARD, PIPED, COMPLAINER] + [a for a, _ in FORMATS.values()]
        client = world.small_client(CLIENT, "Bouncy", cls.stack.relay.transport_url(), CODE7,
                                    LIST, MAILING,
                                    [(a, "Bo", 1) for a in dict.fromkeys(addresses)],
                                    bounce_limit=2)
        client["bounce_domain"] = DOMAIN
        cls.stack.clients.append(client)
        cls.inbound_port = harness.free_port()
        cls.server = cls.stack.up(inbound_listen=f"127.0.0.1:{cls.inbound_port}")

    # --- helpers ----------------------------------------------------------
    def deliver(self, recipient):
        """Sends mailing 7000 to `recipient`, waits for `sent`; the mail ID
        and the message the relay got."""
        mail_id = self.assertEnqueued(self.server.send_mail(recipient, MAILING, CODE7))
        self.server.wait_status(mail_id, "sent", CODE7)
        mine = harness.wait_for(
            lambda: [m for m in self.stack.relay.messages() if m.mail_id == mail_id.upper()],
            10, what=f"{mail_id} at the relay")
        return mail_id, mine[0]

    def verp(self, mail_id):
        return f"bounces+{mail_id.upper()}@{DOMAIN}"

    def smtp(self):
        s = smtplib.SMTP("127.0.0.1", self.inbound_port, timeout=10)
        self.addCleanup(s.close)
        s.ehlo("mx.example.org")
        return s

    def send_inbound(self, rcpt, message):
        s = self.smtp()
        refused = s.sendmail("", [rcpt], message.encode("utf-8"))
        self.assertEqual(refused, {})
        s.quit()

    def pipe(self, message, *recipients, db=None):
        args = ["inbound", "--db", db or self.server.db_arg]
        for r in recipients:
            args += ["--recipient", r]
        return self.server.run(*args, input=message)

    def events(self, address, kind=None):
        """(type, data as a dict) of the client's events of `address`, oldest first."""
        sql = "SELECT type, data FROM events WHERE client_id = ? AND address = ?"
        args = [CLIENT, address]
        if kind:
            sql += " AND type = ?"
            args.append(kind)
        rows = mailcheck.db_query(self.server.db, sql + " ORDER BY id", args)
        # SQLite's data is JSON text; PostgreSQL's jsonb arrives decoded.
        return [(t, json.loads(d) if isinstance(d, str) else d) for t, d in rows]

    def hard_bounces(self, address):
        rows = mailcheck.db_query(self.server.db, "SELECT hard_bounces FROM bounces "
                                  "WHERE client_id = ? AND address = ?", [CLIENT, address])
        return rows[0][0] if rows else 0

    # --- tests -------------------------------------------------------------
    def test_hard_bounces_by_listener_and_pipe_reach_the_limit(self):
        mail_id, message = self.deliver(HARD)
        # The envelope sender is the VERP return path; the header names the mail too.
        self.assertEqual(message.meta["mail_from"], self.verp(mail_id))
        self.assertEqual(str(message.msg["X-Campaignd-Mail-Id"]).upper(), mail_id.upper())
        self.send_inbound(self.verp(mail_id), dsn_for("postfix_user_unknown.eml", mail_id))
        harness.wait_for(lambda: self.hard_bounces(HARD) == 1, 10, what="one hard bounce")
        rows = self.events(HARD, "bounce")
        self.assertEqual(len(rows), 1)
        self.assertEqual(rows[0][1]["category"], "hard")
        self.assertEqual(rows[0][1]["status"], "5.1.1")
        self.assertEqual(rows[0][1]["reportingMta"], "mail.example.org")
        # getsendstatus keeps answering the delivery status.
        self.assertEqual(self.server.status(mail_id, CODE7), "sent")

        second, _ = self.deliver(HARD)
        done = self.pipe(dsn_for("postfix_user_unknown.eml", second), self.verp(second))
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertEqual(self.hard_bounces(HARD), 2)
        # At the client's bounce limit (2) the next mail is not sent.
        third = self.assertEnqueued(self.server.send_mail(HARD, MAILING, CODE7))
        self.server.wait_status(third, "too_many_bounces", CODE7)

    def test_formats(self):
        for fixture, (address, category) in FORMATS.items():
            with self.subTest(fixture=fixture):
                before = len(self.events(address, "bounce"))
                mail_id, message = self.deliver(address)
                self.assertEqual(message.meta["mail_from"], self.verp(mail_id))
                self.send_inbound(self.verp(mail_id), dsn_for(fixture, mail_id))
                rows = harness.wait_for(
                    lambda: (r := self.events(address, "bounce")) and len(r) > before and r,
                    10, what=f"the bounce of {fixture}")
                self.assertEqual(rows[-1][1]["category"], category, rows[-1][1])

    def test_pipe_header_fallback_without_recipient(self):
        mail_id, _ = self.deliver(PIPED)
        before = len(self.events(PIPED, "bounce"))
        done = self.pipe(dsn_for("microsoft365.eml", mail_id))  # procmail: no recipient
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertEqual(len(self.events(PIPED, "bounce")), before + 1)

    def test_complaint_unsubscribes(self):
        mail_id, _ = self.deliver(COMPLAINER)
        self.send_inbound(f"fbl@{DOMAIN}", dsn_for("arf_abuse.eml", mail_id))
        harness.wait_for(lambda: self.events(COMPLAINER, "unsubscribe"), 10,
                         what="the unsubscribe event")
        self.assertEqual(len(self.events(COMPLAINER, "spamcomplaint")), 1)
        later = self.assertEnqueued(self.server.send_mail(COMPLAINER, MAILING, CODE7))
        self.server.wait_status(later, "unsubscribed", CODE7)

    def test_open_relay_probes_are_refused(self):
        forged = f"bounces+{CLIENT}-1-ZZZZZZZZZZZZZZZZ@{DOMAIN}"  # well-formed, bad MAC
        probes = [
            "<victim@gmail.example>",                                # a foreign domain
            "<@relay.example:victim@gmail.example>",                 # a source route
            f"<@relay.example:{forged}>",                            # ... to one of ours
            f"<victim%gmail.example@{DOMAIN}>",                      # the % hack
            f"<\"victim@gmail.example\"@{DOMAIN}>",                 # a quoted local part
            f"<{forged}>",                                           # a bad MAC
            f"<bounces+{CLIENT}-1-ZZZZZZZZZZZZZZZZ@other.example>",  # not a bounce domain
            f"<postmaster@{DOMAIN}>",                                # not ours to take
        ]
        for probe in probes:
            with self.subTest(probe=probe):
                s = self.smtp()
                code, _ = s.docmd("MAIL FROM:<>")
                self.assertEqual(code, 250)
                code, text = s.docmd(f"RCPT TO:{probe}")
                self.assertEqual((code, text[:5]), (550, b"5.7.1"), text)
                # Nothing can be sent without a recipient.
                code, _ = s.docmd("DATA")
                self.assertGreaterEqual(code, 500)

    def test_pipe_exit_codes(self):
        # Not a message at all: 65 (data error).
        done = self.pipe("", self.verp("1-1-0000000000000000"))
        self.assertEqual(done.returncode, 65, done.stderr)
        # Nothing of ours: 0 (logged, not returned to the sender).
        done = self.pipe(dsn_for("postfix_user_unknown.eml", f"{CLIENT}-1-ZZZZZZZZZZZZZZZZ"),
                         self.verp(f"{CLIENT}-1-ZZZZZZZZZZZZZZZZ"))
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertIn("unattributed", done.stderr, f"stdout: {done.stdout!r}")
        self.assertEqual(done.stdout, "", "the log goes to stderr, all of it")
        # An auto-reply: 0, nothing recorded.
        done = self.pipe((FIXTURES / "autoreply_rfc3834.eml").read_text(), f"fbl@{DOMAIN}")
        self.assertEqual(done.returncode, 0, done.stderr)
        # The database unavailable: 75 (Postfix retries later).
        missing = self.stack.work.path / "no-such-dir" / "x.db"
        done = self.pipe(dsn_for("qmail.eml", "1-1-0000000000000000"), db=f"sqlite:{missing}")
        self.assertEqual(done.returncode, 75, done.stderr)

    def test_help_explains_postfix(self):
        done = self.server.run("inbound", "--help")
        self.assertEqual(done.returncode, 0)
        for needle in ("master.cf", "pipe", "${recipient}", "--recipient", "75", "65"):
            self.assertIn(needle, done.stdout)


if __name__ == "__main__":
    unittest.main()
