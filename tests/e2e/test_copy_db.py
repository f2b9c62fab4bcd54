#!/usr/bin/python3
"""`campaignd copy-db` (issue 3): an installation on SQLite with sent,
refused and still queued mails is copied to the engine under test
(PostgreSQL for pg.e2e_copy_db, another SQLite file otherwise); a server on
the copy answers getsendstatus for the old mail IDs as before, delivers the
queued mails (and nothing twice), `campaignd mail ID` shows the same
history, and new mail IDs never repeat old ones."""

import unittest

import database
import world
from e2ecase import E2ETestCase, Stack
from server import Campaignd

STRANGER = "nobody.here@example.com"  # not on list 100: `not_found` after the worker


def events(history):
    """The status-history rows of `campaignd mail` output (after its header,
    up to the blank line before the mail's events)."""
    lines = history.splitlines()
    start = next(n for n, line in enumerate(lines) if line.startswith("time "))
    rows = []
    for line in lines[start + 1:]:
        if not line.strip():
            break
        rows.append(line)
    return rows


class CopyDbTest(E2ETestCase):
    def setUp(self):
        self.stack = Stack("copy-db")
        self.addCleanup(self.stack.close)
        self.old = Campaignd(self.stack.work, "old", db=self.stack.work.path / "old.db")
        self.addCleanup(self.old.close)
        self.new = Campaignd(self.stack.work, "new")
        self.addCleanup(self.new.close)

    def copy(self, source, target):
        return self.old.run("copy-db", "--from", source.db_arg, "--to", target.db_arg, timeout=60)

    def history(self, server, mail_id):
        done = server.mail(mail_id)
        self.assertEqual(done.returncode, 0, done.stdout + done.stderr)
        return done.stdout

    def test_sqlite_installation_moves_with_its_mails(self):
        relay = self.stack.relay
        self.old.apply(self.stack.clients)
        self.old.start(role="all")
        sent = [self.assertEnqueued(self.old.send_mail(world.JOHN)) for _ in range(3)]
        refused = self.assertEnqueued(self.old.send_mail(STRANGER))
        for mail_id in sent:
            self.old.wait_status(mail_id, "sent")
        self.old.wait_status(refused, "not_found")
        self.assertEqual(self.old.stop(), 0)
        self.old.start(role="api")  # accepts, delivers nothing
        queued = [self.assertEnqueued(self.old.send_mail(world.JOHN)) for _ in range(4)]
        old_ids = sent + [refused] + queued
        before = {i: self.old.status(i) for i in old_ids}
        self.assertEqual(self.old.stop(), 0)
        self.assertEqual(before, {**{i: "sent" for i in sent}, refused: "not_found",
                                  **{i: "enqueued" for i in queued}})
        histories = {i: self.history(self.old, i) for i in old_ids}
        self.assertEqual(len(relay.messages()), len(sent))

        done = self.copy(self.old, self.new)
        self.assertEqual(done.returncode, 0, done.stdout + done.stderr)
        again = self.copy(self.old, self.new)
        self.assertNotEqual(again.returncode, 0, "copy-db wrote into a database holding data")
        self.assertIn("empty", again.stdout + again.stderr)

        # The copy before any server touched it: the same answers and history.
        for mail_id in sent + [refused]:
            self.assertEqual(self.history(self.new, mail_id), histories[mail_id], mail_id)
        self.new.start(role="api")
        for mail_id in old_ids:
            self.assertEqual(self.new.status(mail_id), before[mail_id], mail_id)
        for mail_id in queued:
            self.assertEqual(self.history(self.new, mail_id), histories[mail_id], mail_id)
        self.assertEqual(self.new.stop(), 0)

        # A worker on the copy delivers the queued mails, and only them.
        self.new.start(role="all")
        for mail_id in queued:
            self.new.wait_status(mail_id, "sent")
        fresh = self.assertEnqueued(self.new.send_mail(world.JOHN))
        self.assertNotIn(fresh, old_ids)
        self.new.wait_status(fresh, "sent")
        delivered = [m.mail_id for m in relay.messages()]
        self.assertEqual(sorted(delivered), sorted(i.upper() for i in sent + queued + [fresh]))
        for mail_id in sent + [refused]:
            self.assertEqual(self.new.status(mail_id), before[mail_id], mail_id)
            self.assertEqual(self.history(self.new, mail_id), histories[mail_id], mail_id)
        for mail_id in queued:  # the old history rows, then the delivery's
            rows, old_rows = events(self.history(self.new, mail_id)), events(histories[mail_id])
            self.assertEqual(rows[:len(old_rows)], old_rows)
            self.assertEqual([r.split()[1] for r in rows[len(old_rows):]], ["sending", "sent"])
        self.assertEqual(self.new.stop(), 0)

    def test_copy_refuses_a_missing_source(self):
        missing = Campaignd(self.stack.work, "missing", db=self.stack.work.path / "none.db")
        done = self.copy(missing, self.new)
        self.assertNotEqual(done.returncode, 0)
        self.assertFalse((self.stack.work.path / "none.db").exists(),
                         "copy-db created the source it was to read")
        if database.on_postgres():
            tables = database.query(self.new.db, "SELECT count(*) FROM pg_tables "
                                    "WHERE schemaname = 'public' AND tablename = 'mails'")
            rows = database.query(self.new.db, "SELECT count(*) FROM mails") if tables[0][0] else []
            self.assertIn(rows, ([], [(0,)]), "a failed copy left rows behind")


if __name__ == "__main__":
    unittest.main()
