#!/usr/bin/python3
"""Transaction mails and personalized attachments end to end (behaviour.md
§3, decision 0011): uploadpersonalizedattachments as PHP curl and Java
HttpClient send it (every token), sendtransactionmail with the token and
ISO-8859-1 field values (every token, suppression at request time, an
unknown or expired token), the captured message's attachments byte-equal
with their names and types and DKIM-valid; getsendstatus `vetoed` for a mail
whose upload vanished before it was delivered; onlineversion by ID, pattern,
latest sent mail and through the mail service (every token)."""

import re
import socket
import unittest

import database
import harness
import mailcheck
import world
from e2ecase import E2ETestCase, Stack
from httpraw import Part

TX_LIST = 120
TX_CODE = "TXCODE8812"
TX_MAILING = 5020        # event, SENDING, transaction list
TX_REGULAR = 5021        # regular mailing on the transaction list
TX_PAUSED = 5022         # event, PAUSED, transaction list
NEWS_JAN, NEWS_FEB = 5030, 5031   # regular mailings of list 100 for bmPattern
GIFT_CODE = "GIFTCODE771"         # client 3: relay unreachable (mail stays deferred)
TOKEN = re.compile(r"^ok: ([A-Za-z0-9]{32})$")
PDF = bytes(range(256)) * 40 + b"%%EOF\r\n.\r\n"   # every byte value, a dot line, CRLF
NOTES = "Grüße, Jörg\n".encode("utf-8")


def closed_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def php_file(name, data, ctype):
    """A file part as PHP curl (CURLFile in a CURLOPT_POSTFIELDS array) sends it."""
    return Part("bmFile", data, content_type=ctype, filename=name)


def java_file(name, data, ctype, part="bmFile"):
    """A file part as Apache HttpClient's FileBody / RestSharp AddFile sends it."""
    return Part(part, data, content_type=ctype, filename=name,
                extra_headers=["Content-Transfer-Encoding: binary"])


class TransactionTest(E2ETestCase):
    @classmethod
    def setUpClass(cls):
        cls.stack = Stack("transaction")
        cls.addClassCleanup(cls.stack.close)
        shoe, books = cls.stack.shoe, cls.stack.books
        shoe["attachments"] = True
        shoe["list"].append({"id": TX_LIST, "name": "Orders", "kind": "transaction",
                             "fields": [{"name": "firstname", "type": "text"},
                                        {"name": "orders", "type": "int"},
                                        {"name": "vip", "type": "bool"}]})
        shoe["recipient"] += [
            dict(world.recipient(TX_LIST, "gone@example.com"), state="unsubscribed"),
            dict(world.recipient(100, "bouncy@example.com", firstname="B", orders=1), bounces=3),
            world.recipient(100, "jane@example.com", firstname="Jane", orders=0),
        ]
        shoe["mailing"] += [
            world.mailing(TX_MAILING, [TX_LIST], name="order-mail",
                          subject="Order {orders} for {firstname|you}",
                          text="Hello {firstname|customer}, order {orders}, vip {vip}.",
                          html="<p>Hello {firstname|customer}, order {orders}.</p>"
                               "<a href=\"{bmOnlineVersionUrl}\">online</a>"),
            world.mailing(TX_REGULAR, [TX_LIST], type="regular"),
            world.mailing(TX_PAUSED, [TX_LIST], status="PAUSED"),
            world.mailing(NEWS_JAN, [100], name="newsletter-2024-01", type="regular",
                          html="<h1>January for {firstname}</h1>"),
            world.mailing(NEWS_FEB, [100], name="newsletter-2024-02", type="regular",
                          html="<h1>February for {firstname}</h1>"),
        ]
        shoe["blocklist"] = [{"pattern": "*@blocked.example", "reason": "e2e"}]
        del shoe["code"][0]["operations"]
        shoe["code"].append(world.code("tx", TX_CODE, TX_LIST))
        del shoe["code"][1]["operations"]
        del books["code"][0]["operations"]   # attachments not enabled for client 2
        gift = world.small_client(3, "Gift Shop", f"smtp://127.0.0.1:{closed_port()}",
                                  GIFT_CODE, 300, 7000)
        gift["attachments"] = True
        gift["list"][0]["kind"] = "transaction"
        del gift["code"][0]["operations"]
        cls.stack.clients.append(gift)
        cls.server = cls.stack.up()
        cls.relay = cls.stack.relay

    # --- helpers ------------------------------------------------------------
    def tx(self, op, params=(), code=TX_CODE, **kw):
        return self.server.call(op, params, code=code, **kw)

    def upload(self, parts, code=TX_CODE, query=None):
        return self.server.call("uploadpersonalizedattachments", method="MULTIPART",
                                parts=parts, code=code, query=query)

    def token(self, parts, code=TX_CODE):
        r = self.upload(parts, code)
        m = TOKEN.match(r.body.decode("utf-8", "replace"))
        self.assertIsNotNone(m, r.raw)
        self.assertAnswer(r, r.body)
        return m.group(1)

    def send(self, params, **kw):
        return self.tx("sendtransactionmail", [("bmMailingId", str(TX_MAILING))] + list(params),
                       **kw)

    def delivered(self, mail_id):
        def found():
            return next((m for m in self.relay.messages() if m.mail_id == mail_id), None)
        return harness.wait_for(found, 20, what=f"mail {mail_id} at the relay")

    def attachments(self, msg):
        """[(filename, content type, bytes)] of the message's attachments."""
        return [(p.get_filename(), p.get_content_type(), p.get_payload(decode=True))
                for p in msg.walk() if p.get_content_disposition() == "attachment"]

    # --- uploadpersonalizedattachments + sendtransactionmail ------------------
    def test_attachment_arrives_byte_equal_named_typed_and_signed(self):
        token = self.token([php_file("Invoice_Jörg_Smith.pdf", PDF, "application/pdf"),
                            php_file("notes.txt", NOTES, "text/plain; charset=utf-8")])
        # ISO-8859-1 values without bmEncoding (PHP utf8_decode + http_build_query), POST.
        r = self.send([("bmRecipientId", "Joerg@Example.com"),
                       ("firstname", "Jörg"), ("orders", "42"),
                       ("vip", "1"), ("bmPersonalizedAttachmentsToken", token)],
                      method="POST", charset="latin-1")
        mail_id = self.assertEnqueued(r)
        self.assertEqual(self.server.wait_status(mail_id, ("sent", "vetoed", "could_not_be_sent"),
                                                 code=TX_CODE), "sent")
        captured = self.delivered(mail_id)
        self.assertEqual(captured.meta["rcpt_tos"], ["joerg@example.com"])
        self.assertEqual(captured.msg.get_content_type(), "multipart/mixed")
        self.assertEqual(str(captured.msg["Subject"]), "Order 42 for Jörg")
        self.assertIn("Hello Jörg, order 42, vip true.",
                      mailcheck.body_texts(captured.msg)["text/plain"])
        self.assertEqual(self.attachments(captured.msg),
                         [("Invoice_Jörg_Smith.pdf", "application/pdf", PDF),
                          ("notes.txt", "text/plain", NOTES)])
        signatures = mailcheck.verify_dkim(captured.raw, [self.stack.key1])
        self.assertTrue(signatures and all(ok for _, ok in signatures), signatures)
        # The same token serves another mail (valid 24 h), here as a GET with booleans as true.
        again = self.assertEnqueued(self.send([("bmRecipientId", "joerg@example.com"),
                                               ("vip", "true"),
                                               ("bmPersonalizedAttachmentsToken", token)]))
        self.server.wait_status(again, "sent", code=TX_CODE)
        second = self.delivered(again)
        self.assertEqual(len(self.attachments(second.msg)), 2)
        self.assertIn("vip true", mailcheck.body_texts(second.msg)["text/plain"])

    def test_java_multipart_upload_with_query_string(self):
        # geeCommerce / RestSharp: POST multipart, binary transfer encoding,
        # bmEncoding in the query string (node-optivo puts it there too).
        token = self.token([java_file("Rechnung.pdf", PDF[:1000], "application/pdf")])
        r = self.upload([java_file("a.pdf", b"x", "application/pdf")],
                        query=[("bmEncoding", "utf-8")])
        self.assertRegex(r.body.decode(), TOKEN.pattern)
        mail_id = self.assertEnqueued(self.tx(
            "sendtransactionmail", method="MULTIPART",
            parts=[Part("bmRecipientId", "java@example.com"),
                   Part("bmMailingId", str(TX_MAILING)),
                   Part("firstname", "Ünal", content_type="text/plain; charset=UTF-8"),
                   Part("bmPersonalizedAttachmentsToken", token)]))
        self.server.wait_status(mail_id, "sent", code=TX_CODE)
        msg = self.delivered(mail_id).msg
        self.assertEqual(self.attachments(msg), [("Rechnung.pdf", "application/pdf", PDF[:1000])])
        self.assertIn("Hello Ünal", mailcheck.body_texts(msg)["text/plain"])

    def test_upload_tokens(self):
        self.assertAnswer(self.upload([Part("bmRecipientId", "x@example.com")]),
                          "syntax_error: No files uploaded.")
        self.assertAnswer(self.tx("uploadpersonalizedattachments"),
                          "syntax_error: No files uploaded.")
        self.assertAnswer(self.upload([java_file("a.pdf", b"x", "application/pdf", part="file")]),
                          "syntax_error: Invalid file-parameter name 'file' - must be 'bmFile'.")
        six = [php_file(f"f{i}.txt", b"x", "text/plain") for i in range(6)]
        self.assertTrue(self.upload(six).body.startswith(b"syntax_error: "))
        self.token(six[:5])
        big = [php_file("a.bin", b"a" * 300_000, "application/octet-stream"),
               php_file("b.bin", b"b" * 200_001, "application/octet-stream")]
        self.assertTrue(self.upload(big).body.startswith(b"syntax_error: "))
        self.assertAnswer(self.upload([php_file("a.pdf", b"x", "application/pdf")],
                                      code=world.BOOK_CODE),
                          "vetoed: Personalized attachments are not enabled.")
        self.assertAnswer(self.server.call("uploadpersonalizedattachments", service="mail",
                                           code=self.sent_mail_id()),
                          "wrong_tag: 506")
        before = database.query(self.server.db, "SELECT count(*) FROM uploads")[0][0]
        self.assertGreaterEqual(before, 1)

    def sent_mail_id(self):
        mail_id = self.assertEnqueued(self.server.send_mail())
        self.server.wait_status(mail_id, "sent")
        return mail_id

    def test_sendtransactionmail_tokens(self):
        ok = [("bmRecipientId", "t@example.com")]
        self.assertAnswer(self.send(ok, code=world.CODE), "wrong_tag: 505")
        self.assertAnswer(self.tx("sendtransactionmail", ok), "missing_id")
        self.assertAnswer(self.send([]), "missing_id")
        self.assertAnswer(self.send([("bmRecipientId", "not an address")]), "syntax_error")
        self.assertAnswer(self.send(ok + [("orders", "many")]), "syntax_error")
        self.assertAnswer(self.tx("sendtransactionmail", ok + [("bmMailingId", "4711")]),
                          "not_found")
        self.assertAnswer(self.tx("sendtransactionmail", ok + [("bmMailingId", str(TX_REGULAR))]),
                          "wrong_mailing_type")
        self.assertAnswer(self.tx("sendtransactionmail", ok + [("bmMailingId", str(TX_PAUSED))]),
                          "wrong_mailing_status")
        self.assertAnswer(self.tx("sendtransactionmail",
                                  ok + [("bmMailingId", str(world.MAILING))]),
                          "wrong_tag: 505")
        self.assertAnswer(self.send([("bmRecipientId", "Spam@Blocked.example")]), "blacklisted")
        self.assertAnswer(self.send([("bmRecipientId", "gone@example.com")]), "unsubscribed")
        self.assertAnswer(self.send([("bmRecipientId", "bouncy@example.com")]),
                          "too_many_bounces")
        self.assertAnswer(self.send(ok + [("bmPersonalizedAttachmentsToken", "x" * 32)]),
                          "vetoed")
        # An expired upload (its expiry moved into the past) is vetoed too.
        token = self.token([php_file("old.pdf", b"old", "application/pdf")])
        database.execute(self.server.db, "UPDATE uploads SET expires_at = 0 WHERE client_id = 1")
        self.assertAnswer(self.send(ok + [("bmPersonalizedAttachmentsToken", token)]), "vetoed")
        self.assertAnswer(self.server.call("sendtransactionmail", ok, service="mail",
                                           code=self.sent_mail_id()), "wrong_tag: 506")
        self.assertEqual(database.query(self.server.db, "SELECT count(*) FROM mails WHERE "
                                        "recipient_id = 't@example.com'")[0][0], 0)
        # A recipient with no field values at all is still a recipient.
        bare = self.assertEnqueued(self.send([("bmRecipientId", "bare@example.com")]))
        self.assertEqual(self.server.wait_status(bare, ("sent", "not_found"), code=TX_CODE),
                         "sent")
        # updatefields is not for transaction lists, on the mail service either.
        self.assertAnswer(self.server.call("updatefields", [("firstname", "B")], service="mail",
                                           code=bare), "wrong_tag: 505")

    def test_getsendstatus_vetoed_when_the_upload_vanished(self):
        token = self.token([php_file("gift.pdf", b"card", "application/pdf")], code=GIFT_CODE)
        mail_id = self.assertEnqueued(self.tx(
            "sendtransactionmail", [("bmRecipientId", "friend@example.com"),
                                    ("bmMailingId", "7000"),
                                    ("bmPersonalizedAttachmentsToken", token)], code=GIFT_CODE))

        def attempted():
            rows = database.query(self.server.db, "SELECT attempts FROM mails WHERE client_id = 3")
            return rows and rows[0][0] >= 1
        harness.wait_for(attempted, 15, what="a failed first attempt (relay unreachable)")
        self.assertEqual(self.server.status(mail_id, code=GIFT_CODE), "sending")
        database.execute(self.server.db, "DELETE FROM upload_files WHERE client_id = 3")
        database.execute(self.server.db, "DELETE FROM uploads WHERE client_id = 3")
        self.assertEqual(self.server.wait_status(mail_id, ("vetoed", "could_not_be_sent"),
                                                 code=GIFT_CODE), "vetoed")

    # --- onlineversion --------------------------------------------------------
    def assertPage(self, response, html):
        self.assertEqual(response.status, 200, response.raw)
        self.assertEqual(response.header("Content-Type"), "text/html; charset=utf-8",
                         response.raw)
        self.assertEqual(response.body.decode("utf-8"), html)

    def test_onlineversion(self):
        jane = [("bmRecipientId", "jane@example.com")]
        self.assertPage(self.server.call("onlineversion", jane + [("bmMailingId", str(NEWS_JAN))]),
                        "<h1>January for Jane</h1>")
        self.assertPage(self.server.call("onlineversion", jane + [("bmPattern", "newsletter-*")]),
                        "<h1>February for Jane</h1>")
        self.assertPage(self.server.call("onlineversion",
                                         jane + [("bmPattern", "NEWSLETTER-2024-0?")]),
                        "<h1>February for Jane</h1>")
        self.assertAnswer(self.server.call("onlineversion", jane + [("bmPattern", "promo*")]),
                          "not_found")
        self.assertAnswer(self.server.call("onlineversion", jane), "not_found")  # none sent
        john = self.sent_mail_id()
        self.assertPage(self.server.call("onlineversion", [("bmRecipientId", world.JOHN)]),
                        "<p>Hello John, your order is on its way.</p>")
        self.assertPage(self.server.call("onlineversion", [], service="mail", code=john),
                        "<p>Hello John, your order is on its way.</p>")
        self.assertPage(self.server.call("onlineversion", [("bmMailingId", str(NEWS_JAN))],
                                         service="mail", code=john),
                        "<h1>January for John</h1>")
        for params in ([("bmMailingId", "4711")], [("bmPattern", "promo*")]):
            with self.subTest(service="mail", params=params):
                self.assertAnswer(self.server.call("onlineversion", params, service="mail",
                                                   code=john), "not_found")
        self.assertAnswer(self.server.call("onlineversion", [("bmMailingId", str(NEWS_JAN))]),
                          "missing_id")
        self.assertAnswer(self.server.call("onlineversion", [("bmRecipientId", "x y")]),
                          "syntax_error")
        self.assertAnswer(self.server.call("onlineversion", [("bmRecipientId", "no@example.com"),
                                                             ("bmMailingId", str(NEWS_JAN))]),
                          "not_found")
        self.assertAnswer(self.server.call("onlineversion", jane + [("bmMailingId", "4711")]),
                          "not_found")
        self.assertAnswer(self.server.call("onlineversion", jane + [("bmMailingId",
                                                                     str(TX_MAILING))]),
                          "wrong_tag: 505")

    def test_onlineversion_of_a_transaction_mail(self):
        mail_id = self.assertEnqueued(self.send([("bmRecipientId", "olga@example.com"),
                                                 ("firstname", "Olga"), ("orders", "3")]))
        self.server.wait_status(mail_id, "sent", code=TX_CODE)
        html = mailcheck.body_texts(self.delivered(mail_id).msg)["text/html"]
        link = re.search(r'href="([^"]+)"', html).group(1)
        path = link[len(harness.FAST_CONFIG["public_url"]):]
        self.assertEqual(path, f"/http/mail/{mail_id}/onlineversion")
        self.assertPage(self.server.get(path),
                        f"<p>Hello Olga, order 3.</p><a href=\"{link}\">online</a>")
        self.assertPage(self.tx("onlineversion", [("bmRecipientId", "olga@example.com"),
                                                  ("bmMailingId", str(TX_MAILING))]),
                        f"<p>Hello Olga, order 3.</p><a href=\"{link}\">online</a>")
        self.assertAnswer(self.tx("onlineversion", [("bmRecipientId", "nobody@example.com"),
                                                    ("bmMailingId", str(TX_MAILING))]),
                          "not_found")


if __name__ == "__main__":
    unittest.main()
