#!/usr/bin/python3
"""sendeventmail end to end, the issue's first "Done when": a request sent as
GET, urlencoded POST and multipart POST each yields `enqueued: <id>` (exact
bytes), a mail that reaches the relay over STARTTLS with AUTH, DKIM-valid
(ed25519-sha256 for client 1, rsa-sha256 for client 2), personalized, with
Message-ID, List-Unsubscribe and List-Unsubscribe-Post, and getsendstatus
`sent`."""

import re
import unittest

import harness
import mailcheck
import world
from e2ecase import E2ETestCase, Stack
from httpraw import Part

PUBLIC_URL = harness.FAST_CONFIG["public_url"]
UNSUBSCRIBE_MAILTO = "unsubscribe@campaignd.example.net"


class SendPathsTest(E2ETestCase):
    @classmethod
    def setUpClass(cls):
        cls.stack = Stack("send-paths")
        cls.addClassCleanup(cls.stack.close)
        cls.server = cls.stack.up(unsubscribe_mailto=UNSUBSCRIBE_MAILTO)
        cls.relay = cls.stack.relay

    def delivered(self, mail_id):
        """The relay's message whose Message-ID names `mail_id`."""
        def find():
            return [m for m in self.relay.messages() if m.mail_id == mail_id.upper()]
        found = harness.wait_for(find, 20, what=f"mail {mail_id} at the relay")
        self.assertEqual(len(found), 1, f"{mail_id} delivered {len(found)} times")
        return found[0]

    def check_mail(self, mail_id, captured, recipient, sender, name, key):
        meta = captured.meta
        self.assertTrue(meta["tls"], "relay session was not STARTTLS")
        self.assertEqual(meta["user"], "relayuser", "relay session was not authenticated")
        self.assertEqual(meta["rcpt_tos"], [recipient])
        self.assertEqual(meta["mail_from"], sender)
        raw = captured.raw
        # CRLF only, lines <= 998 octets (RFC 5322 2.1.1).
        self.assertNotIn(b"\n", raw.replace(b"\r\n", b""))
        self.assertNotIn(b"\r", raw.replace(b"\r\n", b""))
        self.assertLessEqual(max(len(line) for line in raw.split(b"\r\n")), 998)
        msg = captured.msg
        self.assertEqual(str(msg["Subject"]), f"Thank you, {name}")
        self.assertEqual(msg["To"].addresses[0].addr_spec, recipient)
        self.assertEqual(msg["From"].addresses[0].addr_spec, sender)
        self.assertIsNotNone(msg["Date"])
        self.assertEqual(str(msg["MIME-Version"]), "1.0")
        self.assertIn(mail_id.upper(), str(msg["Message-ID"]).upper())
        self.assertRegex(str(msg["Message-ID"]), r"^<[^<>@\s]+@[^<>@\s]+>$")
        unsubscribe = str(msg["List-Unsubscribe"])
        self.assertRegex(unsubscribe.lower(), re.escape(
            f"<{PUBLIC_URL}/http/mail/{mail_id}/unsubscribe".lower()))
        self.assertIn(f"<mailto:{UNSUBSCRIBE_MAILTO}", unsubscribe)
        self.assertEqual(str(msg["List-Unsubscribe-Post"]), "List-Unsubscribe=One-Click")
        # A feedback/tracking header besides Message-ID carries the mail ID.
        carriers = [n for n, v in msg.items() if mail_id.upper() in str(v).upper()
                    and n.lower() not in ("message-id", "list-unsubscribe", "dkim-signature")]
        self.assertTrue(carriers, f"no tracking header with {mail_id}: {msg.keys()}")
        bodies = mailcheck.body_texts(msg)
        self.assertEqual(bodies["text/plain"].rstrip("\r\n"),
                         f"Hello {name}, your order is on its way.")
        self.assertIn(f"<p>Hello {name}, your order is on its way.</p>", bodies["text/html"])
        self.assertEqual(msg.get_content_type(), "multipart/alternative")
        signatures = mailcheck.verify_dkim(raw, [self.stack.key1, self.stack.key2])
        self.assertEqual(len(signatures), 1, signatures)
        tags, ok = signatures[0]
        self.assertTrue(ok, f"DKIM signature does not verify: {tags}")
        self.assertEqual((tags["a"], tags["d"], tags["s"], tags["c"]),
                         (key.algorithm, key.domain, key.selector, "relaxed/relaxed"))
        signed = tags["h"].lower().split(":")
        for header in ("from", "to", "subject", "date", "message-id"):
            self.assertIn(header, signed)

    def send_and_check(self, response, recipient, sender, name, key, code):
        mail_id = self.assertEnqueued(response)
        captured = self.delivered(mail_id)
        self.check_mail(mail_id, captured, recipient, sender, name, key)
        self.assertEqual(self.server.wait_status(mail_id, "sent", code=code), "sent")
        self.assertAnswer(self.server.call("getsendstatus", [("bmMailId", mail_id)], code=code),
                          "sent")
        return mail_id

    def test_get(self):
        self.send_and_check(self.server.send_mail(method="GET"), world.JOHN,
                            "shop@example.com", "John", self.stack.key1, world.CODE)

    def test_post_urlencoded(self):
        self.send_and_check(self.server.send_mail(method="POST"), world.JOHN,
                            "shop@example.com", "John", self.stack.key1, world.CODE)

    def test_post_multipart(self):
        self.send_and_check(self.server.send_mail(method="MULTIPART"), world.JOHN,
                            "shop@example.com", "John", self.stack.key1, world.CODE)

    def test_rsa_client_all_three_methods(self):
        ids = []
        for method in ("GET", "POST", "MULTIPART"):
            r = self.server.send_mail("anna.reader@books.example", world.BOOK_MAILING,
                                      world.BOOK_CODE, method=method)
            ids.append(self.send_and_check(r, "anna.reader@books.example", "orders@books.example",
                                           "Anna", self.stack.key2, world.BOOK_CODE))
        self.assertEqual(len(set(ids)), 3, "each send is its own mail")

    def test_post_with_query_and_body_merged(self):
        r = self.server.call("sendeventmail", [("bmRecipientId", world.JOHN)], method="POST",
                             query=[("bmMailingId", str(world.MAILING))])
        self.send_and_check(r, world.JOHN, "shop@example.com", "John", self.stack.key1,
                            world.CODE)

    def test_multipart_with_query(self):
        r = self.server.call("sendeventmail", method="MULTIPART",
                             parts=[Part("bmRecipientId", world.JOHN)],
                             query=[("bmMailingId", str(world.MAILING))])
        self.send_and_check(r, world.JOHN, "shop@example.com", "John", self.stack.key1,
                            world.CODE)

    def test_first_value_of_repeated_name_wins(self):
        r = self.server.call("sendeventmail", [("bmRecipientId", world.JOHN),
                                               ("bmMailingId", str(world.MAILING)),
                                               ("bmRecipientId", "not an address")])
        self.send_and_check(r, world.JOHN, "shop@example.com", "John", self.stack.key1,
                            world.CODE)

    def test_operation_name_is_case_insensitive(self):
        r = self.server.call("sendEventMail", [("bmRecipientId", world.JOHN),
                                               ("bmMailingId", str(world.MAILING))])
        self.send_and_check(r, world.JOHN, "shop@example.com", "John", self.stack.key1,
                            world.CODE)

    def test_recipient_id_case_is_normalised(self):
        r = self.server.send_mail("John.Smith@EXAMPLE.com")
        self.send_and_check(r, world.JOHN, "shop@example.com", "John", self.stack.key1,
                            world.CODE)


if __name__ == "__main__":
    unittest.main()
