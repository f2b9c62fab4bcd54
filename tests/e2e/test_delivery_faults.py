#!/usr/bin/python3
"""Delivery faults with postfix's smtp-sink (behaviour.md §4.1, §4.2): a 4xx
is retried with backoff and then sent; a 5xx is could_not_be_sent and counts
a bounce, and at the bounce limit the next send is too_many_bounces; a relay
that is down and comes up gets the mail; a mail deferred past its lifetime is
could_not_be_sent. `campaignd mail MAILID` shows the history."""

import json
import time
import unittest

import harness
import mailcheck
import world
from e2ecase import E2ETestCase, Stack

DEFER_CODE = "DEFER-CODE-3"
BOUNCE_CODE = "BOUNCE-CODE-4"
DOWN_CODE = "DOWN-CODE-5"
EXPIRE_CODE = "EXPIRE-CODE-6"
SOFT_REPLY = "450 4.3.0 Error: command failed"
HARD_REPLY = "500 5.3.0 Error: command failed"
LIFETIME_S = 8


class DeliveryFaultsTest(E2ETestCase):
    @classmethod
    def setUpClass(cls):
        cls.stack = Stack("faults")
        cls.addClassCleanup(cls.stack.close)
        work = cls.stack.work
        cls.defer = harness.SmtpSink(work, "defer", ["-r", "RCPT"]).start()
        cls.bounce = harness.SmtpSink(work, "bounce", ["-f", "RCPT"]).start()
        cls.down = harness.SmtpSink(work, "down")  # started by the test
        cls.expire = harness.SmtpSink(work, "expire", ["-r", "RCPT"]).start()
        for sink in (cls.defer, cls.bounce, cls.down, cls.expire):
            cls.addClassCleanup(sink.stop)
        cls.stack.clients += [
            world.small_client(3, "Defer", cls.defer.transport_url(), DEFER_CODE, 300, 7000,
                               [("d@client3.example", "Dee", 1)]),
            world.small_client(4, "Bounce", cls.bounce.transport_url(), BOUNCE_CODE, 400, 7000,
                               [("b@client4.example", "Bea", 1), ("c@client4.example", "Cy", 1)],
                               bounce_limit=3),
            world.small_client(5, "Down", cls.down.transport_url(), DOWN_CODE, 500, 7000,
                               [("x@client5.example", "Xa", 1)]),
            world.small_client(6, "Expire", cls.expire.transport_url(), EXPIRE_CODE, 600, 7000,
                               [("e@client6.example", "Eve", 1)]),
        ]
        cls.server = cls.stack.up(lifetime=f"{LIFETIME_S}s")

    def enqueue(self, recipient, code):
        return self.assertEnqueued(self.server.send_mail(recipient, 7000, code))

    def history(self, mail_id):
        done = self.server.mail(mail_id)
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertIn(mail_id.upper(), done.stdout.upper())
        return done.stdout

    def events(self, client, type_):
        """Client `client`'s events of `type_` (events.md §1): (mail_seq, data) by id."""
        rows = mailcheck.db_query(
            self.server.db, "SELECT mail_seq, data FROM events WHERE client_id = ? AND type = ? "
            "ORDER BY id", (client, type_))
        return [(int(seq) if seq is not None else None,
                 json.loads(data) if isinstance(data, str) else data) for seq, data in rows]

    def counters(self, client):
        """Client `client`'s hourly counters summed: enqueued, sent, failed, bounced_hard."""
        row = mailcheck.db_query(
            self.server.db, "SELECT coalesce(sum(enqueued), 0) AS e, coalesce(sum(sent), 0) AS s, "
            "coalesce(sum(failed), 0) AS f, coalesce(sum(bounced_hard), 0) AS b "
            "FROM stats_hourly WHERE client_id = ?", (client,))[0]
        return tuple(int(v) for v in row)

    def assertInOrder(self, text, *needles):
        at = -1
        for needle in needles:
            found = text.find(needle, at + 1)
            self.assertGreater(found, at, f"{needle!r} not after position {at} in:\n{text}")
            at = found

    def test_4xx_is_retried_then_sent(self):
        mail_id = self.enqueue("d@client3.example", DEFER_CODE)
        self.server.wait_status(mail_id, "sending", DEFER_CODE)
        history = harness.wait_for(lambda: (h := self.history(mail_id)) and SOFT_REPLY in h and h,
                                   10, what="the deferral in the history")
        self.assertEqual(self.defer.mail_ids(), [])
        self.defer.stop()
        self.defer.start(faults=[])
        self.server.wait_status(mail_id, "sent", DEFER_CODE, timeout=LIFETIME_S)
        self.assertEqual(self.defer.mail_ids(), [mail_id.upper()])
        history = self.history(mail_id)
        self.assertInOrder(history, "enqueued", "sending", SOFT_REPLY, "sent", "250")
        # One `sent` event with the relay and its reply; the deferral wrote none.
        sent = self.events(3, "sent")
        self.assertEqual(len(sent), 1, sent)
        self.assertIn("127.0.0.1", sent[0][1]["relay"])
        self.assertTrue(sent[0][1]["reply"].startswith("250"), sent[0][1])
        self.assertEqual(self.events(3, "bounce"), [])
        self.assertEqual(self.counters(3), (1, 1, 0, 0))

    def test_5xx_bounces_until_too_many_bounces(self):
        for n in range(3):
            mail_id = self.enqueue("b@client4.example", BOUNCE_CODE)
            self.server.wait_status(mail_id, "could_not_be_sent", BOUNCE_CODE)
            with self.subTest(bounce=n + 1):
                self.assertInOrder(self.history(mail_id), "could_not_be_sent", HARD_REPLY)
        mail_id = self.enqueue("b@client4.example", BOUNCE_CODE)
        self.server.wait_status(mail_id, "too_many_bounces", BOUNCE_CODE)
        self.assertIn("too_many_bounces", self.history(mail_id))
        # Another recipient of the same client is not affected.
        other = self.enqueue("c@client4.example", BOUNCE_CODE)
        self.server.wait_status(other, "could_not_be_sent", BOUNCE_CODE)
        self.assertEqual(self.bounce.mail_ids(), [])
        # A `bounce` event (hard) per 5xx, in the transaction of its status;
        # too_many_bounces is `failed` without an event.
        bounces = self.events(4, "bounce")
        self.assertEqual(len(bounces), 4, bounces)
        for _, data in bounces:
            self.assertEqual(data["category"], "hard")
            self.assertEqual(data["status"], "5.3.0")
            self.assertEqual(data["diagnostic"], HARD_REPLY)
            self.assertIn("127.0.0.1", data["reportingMta"])
        self.assertEqual(len({seq for seq, _ in bounces}), 4)
        self.assertEqual(self.events(4, "sent"), [])
        self.assertEqual(self.counters(4), (5, 0, 5, 4))

    def test_relay_down_then_up(self):
        mail_id = self.enqueue("x@client5.example", DOWN_CODE)
        self.server.wait_status(mail_id, "sending", DOWN_CODE)
        time.sleep(1.5)  # at least one more failed attempt
        self.down.start()
        self.server.wait_status(mail_id, "sent", DOWN_CODE, timeout=LIFETIME_S)
        self.assertEqual(self.down.mail_ids(), [mail_id.upper()])
        self.assertInOrder(self.history(mail_id), "enqueued", "sending", "sent")

    def test_lifetime_exceeded(self):
        started = time.monotonic()
        mail_id = self.enqueue("e@client6.example", EXPIRE_CODE)
        self.server.wait_status(mail_id, "sending", EXPIRE_CODE)
        self.server.wait_status(mail_id, "could_not_be_sent", EXPIRE_CODE,
                                timeout=LIFETIME_S + 10)
        elapsed = time.monotonic() - started
        self.assertGreaterEqual(elapsed, LIFETIME_S - 1, "gave up before the lifetime")
        history = self.history(mail_id)
        self.assertInOrder(history, "enqueued", "sending", SOFT_REPLY, "could_not_be_sent")
        # Retried with backoff: more than one attempt, but not hammering.
        attempts = history.count(SOFT_REPLY)
        self.assertGreaterEqual(attempts, 2, history)
        self.assertLessEqual(attempts, LIFETIME_S + 2, history)
        self.assertEqual(self.expire.mail_ids(), [])

    def test_mail_command_for_unknown_mail(self):
        done = self.server.mail("1-ZZZZ-0000000000000000")
        self.assertNotEqual(done.returncode, 0)
        self.assertTrue(done.stderr.strip(), "an error message is expected")


if __name__ == "__main__":
    unittest.main()
