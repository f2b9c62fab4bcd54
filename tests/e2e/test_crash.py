#!/usr/bin/python3
"""SIGKILL after `enqueued` (behaviour.md §4.2: an `enqueued` answer that a
crash loses is a bug; delivery is at-least-once, duplicates only for mails
mid-SMTP at the crash)."""

import collections
import concurrent.futures
import time
import unittest

import harness
from e2ecase import E2ETestCase, Stack

WORKERS = 4


class CrashTest(E2ETestCase):
    def setUp(self):
        self.stack = Stack(f"crash-{self._testMethodName}")
        self.addCleanup(self.stack.close)
        self.server = self.stack.server

    def enqueue_many(self, n, threads=16):
        """n concurrent sendeventmail requests; the mail IDs answered."""
        def one(_):
            return self.assertEnqueued(self.server.send_mail())
        with concurrent.futures.ThreadPoolExecutor(threads) as pool:
            ids = list(pool.map(one, range(n)))
        self.assertEqual(len(set(ids)), n)
        return [i.upper() for i in ids]

    def delivered(self):
        return collections.Counter(m.mail_id for m in self.stack.relay.messages())

    def wait_all_delivered(self, ids, timeout=60):
        want = set(ids)
        harness.wait_for(lambda: want <= set(self.delivered()), timeout, interval=0.2,
                         what=f"all {len(want)} enqueued mails at the relay")
        time.sleep(1.0)  # let a late duplicate show
        return self.delivered()

    def test_kill_api_server_right_after_answers(self):
        self.stack.up(role="api")
        ids = self.enqueue_many(60)
        self.server.kill()  # the moment the last answer arrived
        self.assertEqual(self.stack.relay.messages(), [])
        self.server.start(role="all", delivery_workers=WORKERS)
        counts = self.wait_all_delivered(ids)
        self.assertEqual(set(counts), set(ids), "the relay got mails nobody enqueued")
        twice = {i: c for i, c in counts.items() if c != 1}
        self.assertEqual(twice, {}, "each mail must arrive exactly once")
        for mail_id in ids[:5] + ids[-5:]:
            self.assertEqual(self.server.status(mail_id), "sent")

    def test_kill_while_delivering(self):
        # One relay connection slows delivery so the kills land mid-stream.
        self.stack.shoe["transport"] = self.stack.relay.transport_url() + "&connections=1"
        self.stack.up(role="all", delivery_workers=WORKERS)
        ids = self.enqueue_many(300)
        at_kills = []
        for _ in range(2):
            seen = self.stack.relay.count()
            harness.wait_for(lambda: self.stack.relay.count() >= seen + 20, 30,
                             interval=0.01, what="delivery under way")
            self.server.kill()
            at_kills.append(self.stack.relay.count())
            self.server.start(role="all", delivery_workers=WORKERS)
        self.assertLess(at_kills[-1], len(ids), "everything was delivered before the last kill")
        counts = self.wait_all_delivered(ids)
        self.assertEqual(set(counts), set(ids), "the relay got mails nobody enqueued")
        duplicates = sum(c - 1 for c in counts.values())
        print(f"\ncrash mid-delivery: {at_kills} of {len(ids)} delivered at the kills, "
              f"{duplicates} duplicate(s) in the end")
        # At most one mail per worker can be mid-SMTP at each kill.
        self.assertLessEqual(duplicates, WORKERS * len(at_kills), counts.most_common(8))
        for mail_id in ids[:5] + ids[-5:]:
            self.assertEqual(self.server.status(mail_id), "sent")


if __name__ == "__main__":
    unittest.main()
