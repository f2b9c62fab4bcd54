#!/usr/bin/python3
"""PostgreSQL outage under load (issue 3, behaviour.md §4.1): a private
cluster for this test alone (scripts/pg-cluster) is stopped for a few seconds
(pg_ctl stop -m fast) while an API process takes mail and a worker process
delivers it, then started again on the same port. While it is down every
answer is 503 + Retry-After + `system_error` (never an `enqueued` that is then
lost); afterwards the API takes mail again, the worker resumes by itself and
every `enqueued` mail reaches the sink, `sent`."""

import subprocess
import threading
import time
import unittest

import database
import harness
import world
from e2ecase import E2ETestCase
from server import Campaignd

PG_CLUSTER = harness.ROOT / "scripts" / "pg-cluster"
OUTAGE = 4.0     # seconds the cluster stays down
SENDERS = 4


def cluster(command, directory):
    done = subprocess.run([str(PG_CLUSTER), command, str(directory)], capture_output=True,
                          text=True, timeout=90)
    if done.returncode != 0:
        raise AssertionError(f"pg-cluster {command} failed:\n{done.stdout}{done.stderr}")
    return done.stdout.strip()


class Load:
    """SENDERS threads sending sendeventmail (new connection each time, as a
    client after an error would) and recording (start, end, answer)."""

    def __init__(self, api):
        self.api = api
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.answers = []  # (started, ended, status, body, retry_after)
        self.threads = [threading.Thread(target=self.run) for _ in range(SENDERS)]

    def run(self):
        while not self.stop.is_set():
            started = time.monotonic()
            try:
                r = self.api.send_mail(world.JOHN)
                answer = (r.status, r.body.decode(), r.header("Retry-After")) if r else \
                    (None, "<closed>", None)
            except OSError as e:
                answer = (None, f"<{e}>", None)
            with self.lock:
                self.answers.append((started, time.monotonic(), *answer))
            time.sleep(0.02)

    def __enter__(self):
        for t in self.threads:
            t.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        for t in self.threads:
            t.join(30)


@database.skip_on_sqlite("stops a PostgreSQL cluster of its own")
class PgOutageTest(E2ETestCase):
    def setUp(self):
        self.work = harness.Workdir("pg-outage")
        self.addCleanup(self.work.cleanup)
        self.pg_dir = self.work.path / "pg"
        url = cluster("start", self.pg_dir)
        self.addCleanup(cluster, "stop", self.pg_dir)
        self.sink = harness.SmtpSink(self.work).start()
        self.addCleanup(self.sink.stop)
        self.clients = [world.small_client(1, "Outage Shop", self.sink.transport_url(),
                                           world.CODE, 100, world.MAILING,
                                           recipients=[(world.JOHN, "John", 3)])]
        self.api = Campaignd(self.work, "api", db=url)
        self.addCleanup(self.api.close)
        self.worker = Campaignd(self.work, "worker", db=url)
        self.addCleanup(self.worker.close)

    def test_database_down_then_up(self):
        self.api.apply(self.clients)
        self.api.start(role="api")
        self.worker.start(role="worker", wait=False)
        with Load(self.api) as load:
            harness.wait_for(lambda: len(self.sink.mail_ids()) >= 20, 30,
                             what="delivery under way")
            cluster("stop", self.pg_dir)
            down_from = time.monotonic()
            time.sleep(OUTAGE / 2)
            known = next(a[3][len("enqueued: "):] for a in list(load.answers)
                         if a[3].startswith("enqueued: "))
            status_during = self.api.call("getsendstatus", [("bmMailId", known)])
            delivered_during = len(self.sink.mail_ids())
            time.sleep(OUTAGE / 2)
            self.assertEqual(len(self.sink.mail_ids()), delivered_during,
                             "mail was delivered while the database was down")
            down_until = time.monotonic()
            cluster("start", self.pg_dir)
            up_at = time.monotonic()
            # The API takes mail again by itself.
            harness.wait_for(lambda: any(a[0] > up_at and a[3].startswith("enqueued: ")
                                         for a in list(load.answers)), 20, interval=0.1,
                             what="an enqueued answer after the restart")
            time.sleep(1.0)
        self.assertTrue(self.api.running() and self.worker.running(),
                        "a process exited during the outage")

        answers = load.answers
        during = [a for a in answers if a[0] >= down_from and a[1] <= down_until]
        self.assertGreaterEqual(len(during), 10, "too few requests during the outage")
        wrong = [a for a in during if (a[2], a[3]) != (503, "system_error")
                 or not (a[4] or "").isdigit() or int(a[4]) < 1]
        self.assertEqual(wrong, [], "answers while the database was down")
        self.assertEqual(status_during.status, 503)
        self.assertEqual(status_during.body, b"system_error")
        others = [a for a in answers if not a[3].startswith("enqueued: ")
                  and (a[2], a[3]) != (503, "system_error")]
        self.assertEqual(others, [], "answers that are neither enqueued nor 503 system_error")
        ids = [a[3][len("enqueued: "):].upper() for a in answers if a[3].startswith("enqueued: ")]
        refused = sum(1 for a in answers if a[2] == 503)
        print(f"\npg outage: {len(ids)} enqueued, {refused} answered 503 "
              f"({len(during)} during the {OUTAGE:.0f}s outage)")

        # Every enqueued mail is delivered: the worker resumed by itself.
        want = set(ids)
        try:
            harness.wait_for(lambda: want <= set(self.sink.mail_ids()), 60, interval=0.3,
                             what="every enqueued mail at the sink")
        except AssertionError:
            missing = sorted(want - set(self.sink.mail_ids()))
            raise AssertionError(f"{len(missing)} enqueued mail(s) lost, e.g. {missing[:5]}") \
                from None
        self.assertEqual(set(self.sink.mail_ids()), want, "the sink got mails nobody enqueued")
        for mail_id in ids[:3] + ids[-3:]:
            self.api.wait_status(mail_id, "sent")
        self.assertEqual(self.worker.stop(), 0, self.worker.log()[-2000:])
        self.assertEqual(self.api.stop(), 0, self.api.log()[-2000:])


if __name__ == "__main__":
    unittest.main()
