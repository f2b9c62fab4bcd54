#!/usr/bin/python3
"""The read side of issue 11 on a real server (events.md §2, §6): the worker
purges mails past status_retention with their history every
purge_interval while the API keeps answering (getsendstatus `enqueued` for
a purged mail, as the hosted API does past its window; mail still accepted
and delivered meanwhile), `campaignd mail` says the mail is gone,
`campaignd mail purge` runs the purge by hand and prints its counts, and
`campaignd bounce reset` lets mail to an address at its bounce limit be
delivered again (through the real relay)."""

import time
import unittest

import harness
import mailcheck
import world
from e2ecase import E2ETestCase, Stack

BOUNCY = "bouncy@example.com"
STRANGER = "nobody.here@example.com"  # not on list 100: not_found, a final status


def count_mails(db, mail_id_seq):
    return mailcheck.db_query(db, "SELECT count(*) FROM mails WHERE id = ?", (mail_id_seq,))[0][0]


class RetentionTest(E2ETestCase):
    def setUp(self):
        self.stack = Stack("retention")
        self.addCleanup(self.stack.close)
        self.stack.shoe["recipient"].append(
            dict(world.recipient(100, BOUNCY, firstname="Bo", orders=1), bounces=3))

    def seq_of(self, recipient):
        return mailcheck.db_query(self.server.db, "SELECT max(id) FROM mails WHERE client_id = 1 "
                                  "AND recipient_id = ?", (recipient,))[0][0]

    def test_worker_purges_old_mails_and_the_api_keeps_answering(self):
        self.server = self.stack.up(status_retention="6s", purge_interval="1s")
        sent = self.assertEnqueued(self.server.send_mail(world.JOHN))
        refused = self.assertEnqueued(self.server.send_mail(STRANGER))
        self.server.wait_status(sent, "sent")
        self.server.wait_status(refused, "not_found")
        sent_seq, refused_seq = self.seq_of(world.JOHN), self.seq_of(STRANGER)
        shown = self.server.mail(sent)
        self.assertEqual(shown.returncode, 0, shown.stderr)
        self.assertIn("\nevents", shown.stdout)

        # Past the retention the worker's purge takes both (with their history).
        harness.wait_for(lambda: count_mails(self.server.db, sent_seq) == 0
                         and count_mails(self.server.db, refused_seq) == 0,
                         timeout=30, what="the purge of the old mails")
        self.assertEqual(mailcheck.db_query(
            self.server.db, "SELECT count(*) FROM mail_events WHERE mail_id IN (?, ?)",
            (sent_seq, refused_seq))[0][0], 0)
        self.assertAnswer(self.server.call("getsendstatus", [("bmMailId", sent)]), "enqueued")
        self.assertAnswer(self.server.call("getsendstatus", [("bmMailId", refused)]), "enqueued")
        gone = self.server.mail(sent)
        self.assertEqual(gone.returncode, 1, gone.stdout + gone.stderr)
        self.assertIn("no mail", gone.stderr)
        # The API and the workers go on: a new mail is accepted and delivered.
        fresh = self.assertEnqueued(self.server.send_mail(world.JOHN))
        self.server.wait_status(fresh, "sent")
        self.assertIn("retention purge: deleted", self.server.log())
        self.assertEqual(self.server.stop(), 0)

    def test_mail_purge_by_hand_prints_what_it_deleted(self):
        self.server = self.stack.up(role="all")
        sent = self.assertEnqueued(self.server.send_mail(world.JOHN))
        self.server.wait_status(sent, "sent")
        self.assertEqual(self.server.stop(), 0)
        db = ["--db", self.server.db_arg]
        kept = self.server.run("mail", "purge", *db)
        self.assertEqual(kept.returncode, 0, kept.stderr)
        self.assertEqual(kept.stdout, "deleted 0 mails (with their history) older than 14d, "
                                      "0 events older than 90d, 0 webhook attempts older than 90d\n")
        time.sleep(1.1)
        env_config = self.stack.work.path / "purge.toml"
        env_config.write_text('status_retention = "1s"\n', encoding="utf-8")
        purged = self.server.run("mail", "purge", *db, "--config", env_config)
        self.assertEqual(purged.returncode, 0, purged.stderr)
        self.assertTrue(purged.stdout.startswith("deleted 1 mails (with their history) older "
                                                 "than 1s, "), purged.stdout)
        self.assertEqual(self.server.mail(sent).returncode, 1)
        broken = self.server.run("mail", "purge", "--db", "postgresql://127.0.0.1:1/none")
        self.assertEqual(broken.returncode, 2, broken.stdout + broken.stderr)

    def test_bounce_reset_lets_mail_to_the_address_go_out_again(self):
        self.server = self.stack.up()
        db = ["--db", self.server.db_arg]
        stopped = self.assertEnqueued(self.server.send_mail(BOUNCY))
        self.server.wait_status(stopped, "too_many_bounces")
        shown = self.server.run("bounce", "show", "--client", "1", BOUNCY, *db)
        self.assertEqual(shown.returncode, 0, shown.stderr)
        self.assertRegex(shown.stdout, r"(?m)^hard_bounces\s+3$")
        bad = self.server.run("bounce", "reset", "--client", "1", "bouncy", *db)
        self.assertEqual(bad.returncode, 1)
        self.assertIn("address", bad.stderr)
        reset = self.server.run("bounce", "reset", "--client", "1", BOUNCY.upper(), *db)
        self.assertEqual(reset.returncode, 0, reset.stderr)
        self.assertEqual(reset.stdout, f"reset the bounce count of {BOUNCY.upper()}\n")
        again = self.assertEnqueued(self.server.send_mail(BOUNCY))
        self.server.wait_status(again, "sent")
        self.assertIn(BOUNCY, {m.meta["rcpt_tos"][0] for m in self.stack.relay.messages()})


if __name__ == "__main__":
    unittest.main()
