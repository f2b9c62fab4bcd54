#!/usr/bin/python3
"""Disk full and a locked database (behaviour.md §2: "a request that the
server cannot take now ... gets HTTP 503, Retry-After, body system_error,
and nothing is half-done"; §4.2: no `enqueued` is ever lost, duplicates only
after a crash). Extends test_tokens.py's single request on a locked database.

- The SQLite database on a small tmpfs (mounted here: needs root, skipped
  otherwise) filled up while a role=all server takes concurrent requests and
  delivers: every answer is `enqueued` or 503 + Retry-After + system_error;
  once space is freed it takes mail again; every `enqueued` mail is
  delivered once and `sent`, and the database holds exactly those mails.
- The file: transport's outbox on a full tmpfs: the mail is deferred (the
  errno in its history), nothing half-written is left, and once space is
  freed it is written and `sent`.
- A lock held by another process longer than the busy timeout while mails
  are being delivered: requests get 503 system_error, nothing is stored for
  them, and no mail is delivered twice.
The tmpfs parts run on SQLite only (PostgreSQL keeps its data elsewhere).
"""

import collections
import errno
import os
import subprocess
import threading
import time
import unittest

import database
import harness
import mailcheck
from e2ecase import E2ETestCase, Stack
from server import Campaignd

DB_FS_SIZE = "16m"         # well above the WAL's auto-checkpoint size (1000 pages,
                           # about 4 MB): on a smaller disk the WAL alone fills it under
                           # load, the filler gets nothing, and freeing it frees nothing
MIN_FILLER = 1 << 20       # what freeing the filler must give back for the test to mean anything
OUTBOX_FS_SIZE = "256k"
LOAD_THREADS = 4
FILL_CHUNK = 64 * 1024
# Outages here are shorter than the lease: a worker holding a delivered mail
# waits for the store to record it. (An outage longer than the lease lets
# another worker claim the mail in hand again: at-least-once, not exactly.)
LEASE = "60s"
LOCK_HELD_S = 12           # past twice SQLite's busy timeout (core/limits.h: 5 s): a
                           # request may wait for the batch before its own


def mount_tmpfs(case, path, size):
    """Mounts a tmpfs of `size` on `path` (unmounted by the case's cleanup,
    which the caller registers after the server's); skips the test when this
    process may not mount."""
    path.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0:
        raise unittest.SkipTest("mounting a tmpfs needs root")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size},mode=0777", "tmpfs",
                           str(path)], capture_output=True, text=True)
    if done.returncode != 0:
        raise unittest.SkipTest(f"mount -t tmpfs not permitted here: {done.stderr.strip()}")
    case.addCleanup(lambda: subprocess.run(["umount", "-l", str(path)], check=False))


def fill(directory):
    """Writes DIR/filler until the file system is full; returns its path."""
    path = directory / "filler"
    with open(path, "wb", buffering=0) as f:
        chunk = b"\0" * FILL_CHUNK
        while True:
            try:
                f.write(chunk)
            except OSError as e:
                if e.errno != errno.ENOSPC:
                    raise
                if len(chunk) == 1:
                    break
                chunk = chunk[:len(chunk) // 2]
    return path


class Answers:
    """Concurrent sendeventmail requests until stop(), sorted by answer."""

    def __init__(self, server, threads=LOAD_THREADS, pause=0.01):
        self.server = server
        self.pause = pause
        self.lock = threading.Lock()
        self.enqueued = []
        self.enqueued_at = []      # when each `enqueued` answer arrived (monotonic)
        self.unavailable = []      # the 503 responses
        self.other = []
        self.stopping = threading.Event()
        self.threads = [threading.Thread(target=self.run, daemon=True) for _ in range(threads)]
        for t in self.threads:
            t.start()

    def run(self):
        while not self.stopping.is_set():
            try:
                r = self.server.send_mail()
            except (OSError, EOFError) as e:
                r = e
            with self.lock:
                if isinstance(r, Exception) or r is None:
                    self.other.append(repr(r))
                elif r.status == 200 and r.body.startswith(b"enqueued: "):
                    self.enqueued.append(r.body[len(b"enqueued: "):].decode().upper())
                    self.enqueued_at.append(time.monotonic())
                elif r.status == 503:
                    self.unavailable.append(r)
                else:
                    self.other.append(r.raw[:300])
            time.sleep(self.pause)

    def counts(self):
        with self.lock:
            return len(self.enqueued), len(self.unavailable)

    def stop(self):
        self.stopping.set()
        for t in self.threads:
            t.join(30)


class FaultCase(E2ETestCase):
    def assertUnavailable(self, responses):
        for r in responses:
            self.assertAnswer(r, "system_error", status=503)
            self.assertRegex(r.header("Retry-After") or "", r"^[1-9][0-9]*$", r.raw)

    def assertAllDeliveredOnce(self, stack, server, ids, timeout=60):
        want = set(ids)
        delivered = lambda: collections.Counter(m.mail_id for m in stack.relay.messages())
        harness.wait_for(lambda: want <= set(delivered()), timeout, interval=0.3,
                         what=f"all {len(want)} enqueued mails at the relay")
        time.sleep(1.0)
        counts = delivered()
        self.assertEqual(set(counts), want, "the relay got mails nobody was told enqueued")
        self.assertEqual({i: c for i, c in counts.items() if c > 1}, {},
                         "delivered more than once without a crash")
        statuses = collections.Counter(server.status(i) for i in ids)
        self.assertEqual(statuses, {"sent": len(ids)})


@database.skip_on_postgres("the database file lives on a tmpfs")
class DiskFullTest(FaultCase):
    def setUp(self):
        self.stack = Stack("disk-full")
        self.addCleanup(self.stack.close)
        self.fs = self.stack.work.path / "dbfs"
        mount_tmpfs(self, self.fs, DB_FS_SIZE)
        self.server = Campaignd(self.stack.work, db=self.fs / "campaignd.db")
        self.addCleanup(self.server.close)  # before the unmount
        self.stack.server = self.server

    def test_database_disk_full_under_load(self):
        self.stack.up(role="all", lease=LEASE)
        before = [self.assertEnqueued(self.server.send_mail()).upper() for _ in range(5)]
        load = Answers(self.server)
        try:
            harness.wait_for(lambda: load.counts()[0] >= 20, 30, what="load under way")
            filler = fill(self.fs)
            filler_size = filler.stat().st_size
            self.assertGreaterEqual(filler_size, MIN_FILLER,
                                    "the database took the disk before the filler did")
            harness.wait_for(lambda: load.counts()[1] >= 20, 60, interval=0.1,
                             what="503 answers on the full disk")
            full_at = load.counts()
            time.sleep(1.0)
            filler.unlink()
            harness.wait_for(lambda: load.counts()[0] >= full_at[0] + 20, 30, interval=0.1,
                             what="enqueued answers after space was freed")
        finally:
            load.stop()
        self.assertEqual(load.other, [], "answers other than enqueued and 503")
        self.assertUnavailable(load.unavailable)
        ids = before + load.enqueued
        self.assertEqual(len(set(ids)), len(ids))
        self.assertTrue(self.server.running(), self.server.log()[-3000:])
        self.assertAllDeliveredOnce(self.stack, self.server, ids)
        # Nothing half-done: the database holds the answered mails, no more.
        self.assertEqual(mailcheck.mail_count(self.server.db), len(ids))
        print(f"\ndisk full: {len(ids)} enqueued, {len(load.unavailable)} x 503 "
              f"(first after {full_at[0] - len(before)} enqueued under load; "
              f"{filler_size >> 10} KiB freed)")


@database.skip_on_postgres("the outbox test needs no second engine run (no database fault)")
class OutboxFullTest(FaultCase):
    def test_file_transport_outbox_full(self):
        stack = Stack("outbox-full", relay=False)
        self.addCleanup(stack.close)
        outbox = stack.work.path / "outbox-fs"
        mount_tmpfs(self, outbox, OUTBOX_FS_SIZE)
        self.addCleanup(stack.server.close)  # before the unmount
        for client in stack.clients:
            client["transport"] = f"file:{outbox.name}"  # below outbox_root, the temp dir
        filler = fill(outbox)
        server = stack.up(role="all", lifetime="60s")
        mail_id = self.assertEnqueued(server.send_mail()).upper()
        history = harness.wait_for(
            lambda: (h := server.mail(mail_id).stdout).count("No space left on device") >= 2
            and h, 15, interval=0.2, what="two deferrals for the full disk")
        self.assertEqual(server.status(mail_id), "sending")
        self.assertEqual(sorted(p.name for p in outbox.iterdir()), ["filler"],
                         f"a half-written file is left:\n{history}")
        filler.unlink()
        server.wait_status(mail_id, "sent", timeout=15)
        eml = outbox / f"{mail_id}.eml"
        msg = mailcheck.parse_message(eml.read_bytes())
        self.assertEqual(str(msg["Message-ID"]).strip("<>").split("@")[0].upper(), mail_id)
        self.assertEqual(sorted(p.name for p in outbox.iterdir()), [eml.name])
        events = server.mail(mail_id).stdout.split("\nlast reply", 1)[1].split("\n\n")[1]
        lines = events.splitlines()[1:]  # below the "time status reply" heading
        self.assertEqual([line.split()[1] for line in lines][-1], "sent", events)
        self.assertIn("250 written to", lines[-1])
        deferrals = [line for line in lines[2:-1] if "No space left on device" in line]
        self.assertEqual(len(deferrals), len(lines) - 3, events)  # every attempt but the last


class LockedDatabaseTest(FaultCase):
    def test_lock_past_busy_timeout_while_delivering(self):
        stack = Stack("locked")
        self.addCleanup(stack.close)
        # One relay connection: mails are in the workers' hands when the lock comes.
        stack.shoe["transport"] = stack.relay.transport_url() + "&connections=1"
        server = stack.up(role="all", lease=LEASE)
        ids = [self.assertEnqueued(server.send_mail()).upper() for _ in range(150)]
        harness.wait_for(lambda: stack.relay.count() >= 10, 30, interval=0.01,
                         what="delivery under way")
        load = Answers(server, threads=2, pause=0.2)
        try:
            with mailcheck.exclusive_lock(server.db):
                locked_from = time.monotonic()
                at_lock = stack.relay.count()
                time.sleep(LOCK_HELD_S)
                locked_until = time.monotonic()
            enqueued_before_release = len(load.enqueued)
            harness.wait_for(lambda: load.counts()[0] > enqueued_before_release + 3, 20,
                             what="enqueued answers after the lock")
        finally:
            load.stop()
        self.assertEqual(load.other, [])
        self.assertGreater(len(load.unavailable), 0, "no request was refused under the lock")
        self.assertUnavailable(load.unavailable)
        # A request committed just before the lock may be answered a moment later.
        during = [t for t in load.enqueued_at if locked_from + 0.5 < t < locked_until]
        self.assertEqual(during, [], "answered enqueued while the lock was held")
        self.assertLess(at_lock, len(ids), "everything was delivered before the lock")
        ids += load.enqueued
        self.assertAllDeliveredOnce(stack, server, ids)
        self.assertEqual(mailcheck.mail_count(server.db), len(ids))
        print(f"\nlocked {LOCK_HELD_S}s: {at_lock} delivered before, "
              f"{len(load.unavailable)} x 503, no duplicate")


if __name__ == "__main__":
    unittest.main()
