#!/usr/bin/python3
"""Relay faults, every mail's status and full history checked (behaviour.md
§4.1, §4.2; issue 5 "Relay faults"). Extends test_delivery_faults.py (4xx
at RCPT, 5xx at RCPT and the bounce limit, a relay never started, lifetime
of a 4xx) with:
- soft faults at every stage with postfix's smtp-sink: 450 at RCPT (-r RCPT)
  and at the end of DATA (-r .), 421 + disconnect at MAIL (-Q MAIL),
  disconnect without a reply after DATA (-q DATA) and after the final dot
  (-q .): retried with growing backoff (1 s, 2 s, 4 s between attempts),
  then `sent` once the sink behaves;
- hard faults at every stage: 500 at MAIL (-f MAIL) and at the end of DATA
  (-f .), 550 right after DATA (-A 0): `could_not_be_sent` after one attempt;
- a relay (DropRelay, below) that cuts the connection in the middle of the
  message data: retried and delivered exactly once;
- the STARTTLS+AUTH aiosmtpd relay stopped mid-stream for a while and
  started again: every mail delivered and `sent`;
- a relay down for the whole lifetime: `could_not_be_sent` with the
  attempts and the last error in the history.
"""

import re
import socket
import struct
import threading
import time
import unittest
from datetime import datetime

import harness
import mailcheck
import world
from e2ecase import E2ETestCase, Stack

LIFETIME_S = 14
MIN_BACKOFF_S = 1
MAX_BACKOFF_S = 8
SOFT_ATTEMPTS = 3          # deferrals seen before the sink is healed
SOFT_REPLY = "450 4.3.0 Error: command failed"
HARD_REPLY = "500 5.3.0 Error: command failed"
EVENT_LINE = re.compile(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)  (\S+)\s*(.*)$")


class DropRelay:
    """A tiny plain SMTP relay (no TLS, no AUTH) that answers DATA with 354,
    reads part of the message and then resets the connection, for its first
    `drops` transactions; later ones are taken and kept in `messages`."""

    def __init__(self, drops):
        self.drops_left = drops
        self.dropped = 0
        self.messages = []
        self.lock = threading.Lock()
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.closed = False
        threading.Thread(target=self.accept_loop, daemon=True).start()

    def transport_url(self):
        return f"smtp://127.0.0.1:{self.port}?starttls=never"

    def close(self):
        self.closed = True
        self.listener.close()

    def mail_ids(self):
        with self.lock:
            return [str(mailcheck.parse_message(m)["Message-ID"]).strip("<> ").split("@")[0]
                    .upper() for m in self.messages]

    def accept_loop(self):
        while not self.closed:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self.session, args=(conn,), daemon=True).start()

    def session(self, conn):
        with conn, conn.makefile("rb") as lines:
            conn.sendall(b"220 drop-relay ESMTP\r\n")
            for line in lines:
                verb = line[:4].upper()
                if verb == b"EHLO":
                    conn.sendall(b"250-drop-relay\r\n250 8BITMIME\r\n")
                elif verb == b"QUIT":
                    conn.sendall(b"221 bye\r\n")
                    return
                elif verb == b"DATA":
                    conn.sendall(b"354 go ahead\r\n")
                    if not self.data(conn, lines):
                        return
                else:
                    conn.sendall(b"250 ok\r\n")

    def data(self, conn, lines):
        """Reads one message; False when it cut the connection instead."""
        with self.lock:
            drop = self.drops_left > 0
            self.drops_left -= drop
        if drop:
            for _ in range(3):  # some header lines, then the cut
                lines.readline()
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            with self.lock:
                self.dropped += 1
            return False
        body = []
        for line in lines:
            if line == b".\r\n":
                break
            body.append(line[1:] if line.startswith(b"..") else line)
        with self.lock:
            self.messages.append(b"".join(body))
        conn.sendall(b"250 2.0.0 kept\r\n")
        return True


class RelayFaultsTest(E2ETestCase):
    # name: (smtp-sink faults, reply of a deferral (prefix); None: any error text)
    SOFT = {
        "rcpt450": (["-r", "RCPT"], SOFT_REPLY),
        "dot450": (["-r", "."], SOFT_REPLY),
        "mail421": (["-Q", "MAIL"], "421 "),
        "datadrop": (["-q", "DATA"], None),
        "dotdrop": (["-q", "."], None),
    }
    HARD = {
        "mail500": (["-f", "MAIL"], HARD_REPLY),
        "dot500": (["-f", "."], HARD_REPLY),
        # A second after its 354 the sink answers 550 and stops reading: the
        # (small) message and its dot are sent by then, so the attempt reads the
        # 550. With -A 0 the sink hung up first and, on a loaded machine, every
        # attempt failed writing ("Broken pipe") until the retries ran out.
        "data550": (["-A", "1"], "550 "),
    }

    @classmethod
    def setUpClass(cls):
        cls.stack = Stack("relay-faults")
        cls.addClassCleanup(cls.stack.close)
        work = cls.stack.work
        cls.sinks, cls.codes = {}, {}
        client_id = 10
        for name, (faults, _) in {**cls.SOFT, **cls.HARD}.items():
            sink = harness.SmtpSink(work, name, faults).start()
            cls.addClassCleanup(sink.stop)
            cls.sinks[name] = sink
            cls.add_client(client_id, name, sink.transport_url())
            client_id += 1
        cls.drop = DropRelay(drops=2)
        cls.addClassCleanup(cls.drop.close)
        cls.add_client(client_id, "droprelay", cls.drop.transport_url())
        cls.bouncing = harness.Relay(work, "bouncing")  # started by its test, port kept
        cls.bouncing.start()
        cls.addClassCleanup(cls.bouncing.stop)
        # rate=10: the 30 mails take 3 s, so the stop lands mid-stream.
        cls.add_client(client_id + 1, "bouncing", cls.bouncing.transport_url() + "&rate=10",
                       recipients=30)
        cls.dead_port = harness.free_port()
        cls.add_client(client_id + 2, "dead", f"smtp://127.0.0.1:{cls.dead_port}?starttls=never")
        cls.server = cls.stack.up(lifetime=f"{LIFETIME_S}s", min_backoff=f"{MIN_BACKOFF_S}s",
                                  max_backoff=f"{MAX_BACKOFF_S}s")

    @classmethod
    def add_client(cls, client_id, name, transport, recipients=1):
        code = f"FAULT{name.upper()}{client_id}"
        people = [(f"r{n}@{name}.example", f"R{n}", 1) for n in range(recipients)]
        cls.stack.clients.append(world.small_client(client_id, name, transport, code,
                                                    client_id * 100, client_id * 1000, people))
        cls.codes[name] = (code, client_id * 1000)

    # --- helpers --------------------------------------------------------
    def enqueue(self, name, n=0):
        code, mailing = self.codes[name]
        return self.assertEnqueued(
            self.server.send_mail(f"r{n}@{name}.example", mailing, code)).upper()

    def hard_bounces(self, name):
        client_id = self.codes[name][1] // 1000
        rows = mailcheck.db_query(self.server.db,
                                  "SELECT hard_bounces FROM bounces WHERE client_id = ?",
                                  (client_id,))
        return sum(r[0] for r in rows)

    def events(self, mail_id):
        """[(datetime, status, reply)] of `campaignd mail ID`, oldest first."""
        done = self.server.mail(mail_id)
        self.assertEqual(done.returncode, 0, done.stderr)
        out = []
        for line in done.stdout.splitlines():
            m = EVENT_LINE.match(line)
            if m:
                at = datetime.strptime(m.group(1), "%Y-%m-%dT%H:%M:%S.%fZ")
                out.append((at, m.group(2), m.group(3)))
        self.assertTrue(out, done.stdout)
        return out

    def attempts(self, mail_id):
        """The attempt events: those after the first claim (`sending` with no reply)."""
        return [e for e in self.events(mail_id)[2:]]

    def assertHistory(self, mail_id, name, final, deferral_reply, final_reply):
        """enqueued, sending (the claim), >= 0 deferrals (`sending` + reply),
        then `final` with `final_reply` (prefix); getsendstatus agrees."""
        code, _ = self.codes[name]
        self.assertEqual(self.server.status(mail_id, code), final)
        events = self.events(mail_id)
        text = "\n".join(f"{a:%H:%M:%S.%f} {s} {r}" for a, s, r in events)
        self.assertEqual([(s, r) for _, s, r in events[:2]], [("enqueued", ""), ("sending", "")],
                         text)
        *deferrals, last = events[2:]
        for _, status, reply in deferrals:
            self.assertEqual(status, "sending", text)
            if deferral_reply is None:
                self.assertTrue(reply and not reply[0].isdigit(), text)  # an error, no reply
            else:
                self.assertTrue(reply.startswith(deferral_reply), text)
        self.assertEqual(last[1], final, text)
        self.assertTrue(last[2].startswith(final_reply), text)
        times = [a for a, _, _ in events]
        self.assertEqual(times, sorted(times), text)
        return events

    def assertBackoffGrows(self, events, text):
        """Gaps between attempts: >= min_backoff, doubling up to max_backoff."""
        times = [a for a, _, _ in events[1:]]  # the claim and every attempt
        gaps = [(b - a).total_seconds() for a, b in zip(times[1:], times[2:])]
        want = MIN_BACKOFF_S
        for gap in gaps:
            self.assertGreaterEqual(gap, want * 0.95, f"gaps {gaps}:\n{text}")
            self.assertLess(gap, want + 2.5, f"gaps {gaps}:\n{text}")
            want = min(want * 2, MAX_BACKOFF_S)
        return gaps

    # --- tests ----------------------------------------------------------
    def test_soft_faults_retried_with_backoff_then_sent(self):
        ids = {name: self.enqueue(name) for name in self.SOFT}
        healed = {}
        deadline = time.monotonic() + 20
        while len(healed) < len(ids) and time.monotonic() < deadline:
            for name, mail_id in ids.items():
                if name in healed or len(self.attempts(mail_id)) < SOFT_ATTEMPTS:
                    continue
                sink = self.sinks[name]
                healed[name] = len(sink.messages())  # dumps of refused transactions
                sink.stop()
                for dump in sink.dir.iterdir():
                    dump.unlink()
                sink.start(faults=[])
            time.sleep(0.1)
        self.assertEqual(set(healed), set(ids), "some mails were not retried in time")
        for name, mail_id in ids.items():
            with self.subTest(fault=name):
                code, _ = self.codes[name]
                self.server.wait_status(mail_id, "sent", code, timeout=MAX_BACKOFF_S + 5)
                events = self.assertHistory(mail_id, name, "sent", self.SOFT[name][1], "250")
                text = "\n".join(f"{a:%H:%M:%S.%f} {s} {r}" for a, s, r in events)
                self.assertGreaterEqual(len(events) - 3, SOFT_ATTEMPTS, text)
                gaps = self.assertBackoffGrows(events, text)
                self.assertEqual(self.sinks[name].mail_ids(), [mail_id])
                # The sink dumps what reached the final dot, refused or not.
                reached_dot = name in ("dot450", "dotdrop")
                self.assertEqual(healed[name] > 0, reached_dot, healed)
                print(f"\n{name}: {len(events) - 3} deferral(s), gaps {gaps}")

    def test_hard_faults_are_could_not_be_sent_after_one_attempt(self):
        ids = {name: self.enqueue(name) for name in self.HARD}
        for name, mail_id in ids.items():
            with self.subTest(fault=name):
                code, _ = self.codes[name]
                self.server.wait_status(mail_id, "could_not_be_sent", code)
                events = self.assertHistory(mail_id, name, "could_not_be_sent", None,
                                            self.HARD[name][1])
                # enqueued, sending, the one attempt. Should the sink of
                # data550 still hang up while libcurl writes the message (a
                # stall over its one second), a write that fails first hides
                # the 550 ("Failed sending data to the peer"), a temporary
                # failure, until an attempt reads it.
                deferrals = [r for _, _, r in events[2:-1]]
                if name == "data550":
                    self.assertTrue(all(r.startswith("Failed sending data") for r in deferrals),
                                    events)
                else:
                    self.assertEqual(deferrals, [], events)
                self.assertEqual(self.sinks[name].mail_ids(), [] if name != "dot500" else
                                 [mail_id])  # a refused final dot is still dumped
                # A refused recipient or message is the recipient's hard bounce; a
                # refused sender (MAIL FROM) is not the recipient's fault.
                self.assertEqual(self.hard_bounces(name), 0 if name == "mail500" else 1)

    def test_connection_cut_mid_data_is_retried_and_delivered_once(self):
        mail_id = self.enqueue("droprelay")
        code, _ = self.codes["droprelay"]
        self.server.wait_status(mail_id, "sent", code, timeout=10)
        events = self.assertHistory(mail_id, "droprelay", "sent", None, "250 2.0.0 kept")
        self.assertEqual(len(events), 2 + 2 + 1, events)  # two cuts, then delivered
        self.assertEqual(self.drop.dropped, 2)
        self.assertEqual(self.drop.mail_ids(), [mail_id])

    def test_relay_stopped_for_a_while_then_started(self):
        n = 30
        ids = [self.enqueue("bouncing", i) for i in range(n)]
        harness.wait_for(lambda: self.bouncing.count() >= 5, 15, interval=0.01,
                         what="delivery under way")
        self.bouncing.stop()
        first = [m.mail_id for m in self.bouncing.messages()]
        time.sleep(3)
        again = harness.Relay(self.stack.work, "bouncing-again")
        again.start(port=self.bouncing.port)
        self.addCleanup(again.stop)
        code, _ = self.codes["bouncing"]
        for mail_id in ids:
            self.server.wait_status(mail_id, "sent", code, timeout=MAX_BACKOFF_S + 10)
        second = [m.mail_id for m in again.messages()]
        self.assertEqual(set(first + second), set(ids))
        self.assertLess(len(first), n, "everything was delivered before the relay stopped")
        # A mail whose 250 was lost in the shutdown may arrive twice (one per worker).
        duplicates = len(first) + len(second) - n
        self.assertLessEqual(duplicates, harness.FAST_CONFIG["delivery_workers"])
        deferred = 0
        for mail_id in ids:
            events = self.assertHistory(mail_id, "bouncing", "sent", None, "250 ")
            deferred += len(events) > 3
        self.assertGreater(deferred, 0, "no mail was deferred while the relay was down")
        print(f"\nrelay down 3 s: {len(first)} before, {len(second)} after, {deferred} "
              f"deferred, {duplicates} duplicate(s)")

    def test_relay_down_past_the_lifetime(self):
        started = time.monotonic()
        mail_id = self.enqueue("dead")
        code, _ = self.codes["dead"]
        self.server.wait_status(mail_id, "could_not_be_sent", code, timeout=LIFETIME_S + 10)
        self.assertGreaterEqual(time.monotonic() - started, LIFETIME_S - 1)
        events = self.assertHistory(mail_id, "dead", "could_not_be_sent", None,
                                    "retries exhausted after ")
        text = "\n".join(f"{a:%H:%M:%S.%f} {s} {r}" for a, s, r in events)
        tries = len(events) - 2
        self.assertIn(f"retries exhausted after {tries} attempts", events[-1][2], text)
        self.assertIn("onnect", events[-1][2], text)  # the last error: connection refused
        lived = (events[-1][0] - events[0][0]).total_seconds()
        self.assertGreaterEqual(lived, LIFETIME_S - 0.1, text)
        self.assertLess(lived, LIFETIME_S + 2.5, text)
        self.assertBackoffGrows(events[:-1], text)
        self.assertGreaterEqual(tries, 4, text)  # 1 s, 2 s, 4 s, then the lifetime


if __name__ == "__main__":
    unittest.main()
