#!/usr/bin/python3
"""Scale-out on PostgreSQL (issue 3, behaviour.md §6): 2 API processes
(--role api) and 3 worker processes (--role worker) on one database, a few
thousand mails sent through both API processes at once, one worker SIGKILLed
mid-run. Every `enqueued` mail reaches the smtp-sink; a mail arrives twice
only if the killed worker held it at the kill (printed); every getsendstatus
ends `sent`."""

import collections
import os
import concurrent.futures
import threading
import time
import unittest

import database
import harness
import httpraw
import world
from e2ecase import E2ETestCase
from server import Campaignd

MAILS = int(os.environ.get("CAMPAIGND_E2E_SCALEOUT_MAILS", "3000"))
SENDERS_PER_API = 4
WORKERS = 3
DELIVERY_WORKERS = 4
KILL_AT = MAILS // 4  # messages at the sink when worker 1 is killed


def enqueue_path():
    return f"/http/form/{world.CODE}/sendeventmail?" + httpraw.encode_pairs(
        [("bmRecipientId", world.JOHN), ("bmMailingId", str(world.MAILING))])


@database.skip_on_sqlite("one SQLite file is served by one process (the serve lock)")
class ScaleOutTest(E2ETestCase):
    def setUp(self):
        self.work = harness.Workdir("scaleout")
        self.addCleanup(self.work.cleanup)
        self.sink = harness.SmtpSink(self.work).start()
        self.addCleanup(self.sink.stop)
        self.clients = [world.small_client(1, "Scale Shop", self.sink.transport_url(),
                                           world.CODE, 100, world.MAILING,
                                           recipients=[(world.JOHN, "John", 3)])]
        self.db = database.fresh(self.work, "scaleout")

    def process(self, name):
        proc = Campaignd(self.work, name, db=self.db)
        self.addCleanup(proc.close)
        return proc

    def start_worker(self, proc):
        proc.start(role="worker", wait=False, delivery_workers=DELIVERY_WORKERS, lease="3s")
        harness.wait_for(lambda: "serving: role=worker" in proc.log() or not proc.running(),
                         harness.START_TIMEOUT, what=f"{proc.name} to serve")
        self.assertTrue(proc.running(), proc.log())

    def sink_count(self):
        return sum(1 for _ in self.sink.dir.iterdir())

    def send_through(self, api, count, ids, errors):
        """`count` sendeventmail requests on one keep-alive connection."""
        request = httpraw.build_request("GET", enqueue_path())
        with api.connect(timeout=30) as conn:
            for _ in range(count):
                r = conn.request(request)
                body = r.body.decode() if r is not None else "<closed>"
                if r is None or r.status != 200 or not body.startswith("enqueued: "):
                    errors.append(body)
                    return
                ids.append(body[len("enqueued: "):].upper())

    def test_two_apis_three_workers_one_killed(self):
        started = time.monotonic()
        migrate = Campaignd(self.work, "migrate", db=self.db).run("migrate", "--db", self.db)
        self.assertEqual(migrate.returncode, 0, migrate.stdout + migrate.stderr)
        apis = [self.process(f"api{n}") for n in (1, 2)]
        apis[0].apply(self.clients)
        for api in apis:
            api.start(role="api")
        workers = [self.process(f"worker{n}") for n in range(1, WORKERS + 1)]
        for worker in workers:
            self.start_worker(worker)

        ids, errors = [], []
        per_sender = MAILS // (2 * SENDERS_PER_API)
        senders = [threading.Thread(target=self.send_through, args=(api, per_sender, ids, errors))
                   for api in apis for _ in range(SENDERS_PER_API)]
        for t in senders:
            t.start()
        harness.wait_for(lambda: self.sink_count() >= KILL_AT, 60, interval=0.01,
                         what=f"{KILL_AT} messages at the sink")
        victim = workers[0]
        victim.kill()
        at_kill = self.sink_count()
        held = database.query(self.db, "SELECT count(*) FROM mails WHERE lease_owner LIKE ? "
                              "AND status IN ('enqueued', 'sending')",
                              [f"%-{victim.proc.pid}-%"])[0][0]
        for t in senders:
            t.join(60)
        self.assertEqual(errors, [], "an API process refused mail")
        self.assertEqual(len(ids), MAILS)
        self.assertEqual(len(set(ids)), MAILS, "a mail ID was answered twice")
        accepted = time.monotonic() - started

        want = set(ids)
        harness.wait_for(lambda: self.sink_count() >= MAILS, 60, interval=0.2,
                         what=f"{MAILS} messages at the sink")
        try:
            harness.wait_for(lambda: want <= set(self.sink.mail_ids()), 20, interval=0.5,
                             what="every enqueued mail at the sink")
        except AssertionError:
            missing = sorted(want - set(self.sink.mail_ids()))
            raise AssertionError(f"{len(missing)} enqueued mail(s) never reached the sink, e.g. "
                                 f"{missing[:5]}") from None
        time.sleep(1.0)  # a late duplicate shows
        counts = collections.Counter(self.sink.mail_ids())
        self.assertEqual(set(counts), want, "the sink got mails nobody enqueued")
        duplicates = sum(c - 1 for c in counts.values())
        print(f"\nscale-out: {MAILS} mails through 2 API processes in {accepted:.1f}s, "
              f"worker killed at {at_kill} delivered holding {held} claim(s), "
              f"{duplicates} duplicate(s); {time.monotonic() - started:.1f}s in all")
        self.assertLessEqual(duplicates, held, counts.most_common(8))
        for worker in workers[1:]:
            self.assertIn("delivery mail=", worker.log(), f"{worker.name} delivered nothing")

        def statuses(api, chunk):
            with api.connect(timeout=30) as conn:
                return [(mail_id, conn.request(httpraw.build_request(
                    "GET", f"/http/form/{world.CODE}/getsendstatus?bmMailId={mail_id}")).body)
                    for mail_id in chunk]
        chunks = [ids[n::8] for n in range(8)]
        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            answers = [a for part in pool.map(statuses, apis * 4, chunks) for a in part]
        not_sent = [(i, b) for i, b in answers if b != b"sent"]
        self.assertEqual(len(answers), MAILS)
        self.assertEqual(not_sent, [], f"{len(not_sent)} mail(s) not `sent`")
        for proc in apis + workers[1:]:
            self.assertEqual(proc.stop(), 0, proc.log()[-2000:])


if __name__ == "__main__":
    unittest.main()
