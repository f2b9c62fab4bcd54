#!/usr/bin/python3
"""Fair delivery across clients and relays (issue 15 item 1; queue/scheduler.h
"Lanes"). Client 2's relay accepts the connection and never answers after
DATA, with connections=64 and 30 of its mails queued before client 1's:

- client 1's mail is delivered as if client 2 did not exist (each within a
  few seconds; before the fix it waited behind client 2's batch and slots);
- client 2's relay gets no more sessions than its connections= and its
  waiting mails stay `enqueued` (getsendstatus never says `sending` for a
  mail that was only claimed);
- a hung session ends after smtp_data_done_timeout: the mail is deferred,
  `sending`, with the reply "timed out after 30 s waiting for the reply to
  the end of the message" in its history.
"""

import time
import unittest

import harness
import world
from e2ecase import E2ETestCase, Stack

DATA_DONE_TIMEOUT_S = 30
BOOK = "anna.reader@books.example"


def mail_id(response):
    body = response.body.decode()
    assert body.startswith("enqueued: "), body
    return body.split(": ", 1)[1]


class FairDeliveryTest(E2ETestCase):
    @classmethod
    def setUpClass(cls):
        cls.stack = Stack("fair")
        try:
            cls.hanging = harness.Relay(cls.stack.work, name="hanging", hang=["DATA"]).start()
            cls.stack.books["transport"] = cls.hanging.transport_url() + "&connections=64"
            cls.server = cls.stack.up(smtp_data_done_timeout=f"{DATA_DONE_TIMEOUT_S}s",
                                      lease="120s", min_backoff="1h", max_backoff="1h",
                                      lifetime="2h")
        except BaseException:
            cls.stack.close()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.stack.close()
        cls.hanging.stop()

    def test_a_hanging_relay_holds_only_its_own_mail(self):
        started = time.monotonic()
        books = [mail_id(self.server.send_mail(BOOK, world.BOOK_MAILING, world.BOOK_CODE))
                 for _ in range(30)]
        # Client 2's sessions are open and hanging before client 1 sends.
        harness.wait_for(lambda: self.hanging_sessions() >= 30, 15,
                         what="client 2's relay hanging with 30 sessions")
        shoe = []
        for _ in range(20):
            sent_at = time.monotonic()
            shoe.append((mail_id(self.server.send_mail()), sent_at))
        for mid, sent_at in shoe:
            self.server.wait_status(mid, "sent", timeout=10)
        waited = [self.delivered_at(mid) - sent_at for mid, sent_at in shoe]
        self.assertLess(max(waited), 5.0, f"client 1's mail waited {max(waited):.1f} s")
        self.assertEqual(self.stack.relay.count(), 20)
        # Nothing of client 2 was delivered, none of it is `sending` yet, and
        # its relay never had more sessions than it allows.
        self.assertLess(time.monotonic() - started, DATA_DONE_TIMEOUT_S,
                        "too slow to observe the hang")
        self.assertEqual({self.server.status(m, world.BOOK_CODE) for m in books}, {"enqueued"})
        self.assertEqual(self.hanging.count(), 0)
        self.assertLessEqual(self.hanging_sessions(), 64)

        # The hung sessions end after the data-done timeout: deferred.
        for mid in books[:30]:
            self.server.wait_status(mid, "sending", world.BOOK_CODE,
                                    timeout=DATA_DONE_TIMEOUT_S + 30)
        history = self.server.mail(books[0]).stdout
        self.assertIn(f"timed out after {DATA_DONE_TIMEOUT_S} s waiting for the reply to the end "
                      "of the message", history)

    def hanging_sessions(self):
        text = (self.hanging.dir / "sessions.txt").read_text()
        return int(dict(line.split() for line in text.splitlines())["sessions"])

    def delivered_at(self, mid):
        for captured in self.stack.relay.messages():
            if captured.mail_id == mid.upper():
                return (self.stack.relay.dir / f"{captured.n}.json").stat().st_mtime - \
                    time.time() + time.monotonic()
        raise AssertionError(f"{mid} not at the relay")


if __name__ == "__main__":
    unittest.main()
