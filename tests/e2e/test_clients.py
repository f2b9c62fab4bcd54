#!/usr/bin/python3
"""Replays of what real clients send (/work/shared/spec/real-clients.md):
node-optivo, PHP http_build_query, geeCommerce's Java multipart, ISO-8859-1
clients, exact-match and prefix-match clients, keep-alive, and redirects
(bmSuccessUrl / bmFailureUrl / bmUrl) that never leave the allowlist."""

import re
import unittest
import urllib.parse

import harness
import mailcheck
import world
from e2ecase import E2ETestCase, Stack
from httpraw import build_request, encode_pairs, java_parts

PLUS = "a+b@example.com"
JUERGEN = "juergen@bücher.example"
JUERGEN_ACE = "juergen@xn--bcher-kva.example"
FORM_HOST = "www.example.com"   # the code's redirect allowlist
MAIL_HOST = "mail.example.com"  # the client's (mail service) allowlist
ID = r"[0-9A-Za-z][0-9A-Za-z-]*"


class ClientsTest(E2ETestCase):
    @classmethod
    def setUpClass(cls):
        cls.stack = Stack("clients")
        cls.addClassCleanup(cls.stack.close)
        shoe = cls.stack.shoe
        shoe["redirect_hosts"] = [MAIL_HOST]
        shoe["recipient"] += [world.recipient(100, PLUS, firstname="Ab", orders=1),
                              world.recipient(100, JUERGEN, firstname="Jürgen", orders=2)]
        cls.server = cls.stack.up()

    def delivered(self, mail_id):
        found = harness.wait_for(
            lambda: [m for m in self.stack.relay.messages() if m.mail_id == mail_id.upper()],
            20, what=f"{mail_id} at the relay")
        self.assertEqual(len(found), 1)
        return found[0]

    def get_raw(self, op, query, code=world.CODE, service="form", headers=()):
        return self.server.send(build_request("GET", f"/http/{service}/{code}/{op}?{query}",
                                              headers))

    # --- node-optivo ------------------------------------------------------
    def test_node_optivo_get_with_raw_plus(self):
        # encodeURI leaves + and @ alone; bmEncoding=utf-8 always comes first.
        r = self.get_raw("sendeventmail", f"bmEncoding=utf-8&bmRecipientId={PLUS}"
                                          f"&bmMailingId={world.MAILING}",
                         headers=[("Host", "api.broadmail.de")])
        self.assertTrue(r.body.startswith(b"enqueued: "), r.raw)
        mail_id = self.assertEnqueued(r)
        captured = self.delivered(mail_id)
        self.assertEqual(captured.meta["rcpt_tos"], [PLUS])
        self.assertEqual(str(captured.msg["Subject"]), "Thank you, Ab")
        self.server.wait_status(mail_id, "sent")

    # --- PHP (Shopware 6 / Guzzle, Spryker) -------------------------------
    def test_php_http_build_query_post(self):
        # http_build_query: + as %2B, @ as %40, spaces as +.
        body = urllib.parse.urlencode({"bmRecipientId": PLUS, "bmMailingId": world.MAILING,
                                       "salutation": "Herr Dr.", "firstname": "John Smith",
                                       "note": "a b & c = d"})
        self.assertIn("a%2Bb%40example.com", body)
        r = self.server.send(build_request(
            "POST", f"/http/form/{world.CODE}/sendeventmail",
            [("User-Agent", "GuzzleHttp/7"), ("Connection", "keep-alive"),
             ("Content-Type", "application/x-www-form-urlencoded")], body.encode()))
        self.assertIn("enqueued", r.body.decode().lower())  # their success test
        mail_id = self.assertEnqueued(r)
        self.assertEqual(self.delivered(mail_id).meta["rcpt_tos"], [PLUS])

    def test_curl_expect_100_continue(self):
        # PHP's curl sends POST bodies over 1 KiB only after "100 Continue"
        # (or after waiting a second for it).
        body = encode_pairs([("bmRecipientId", world.JOHN), ("bmMailingId", "5000")] +
                            [(f"var{i}", "x" * 100) for i in range(20)]).encode()
        head = build_request("POST", f"/http/form/{world.CODE}/sendeventmail",
                             [("Content-Type", "application/x-www-form-urlencoded"),
                              ("Expect", "100-continue"), ("Content-Length", str(len(body)))])
        with self.server.connect(timeout=0.8) as conn:
            conn.send(head)
            interim = conn.read_response()
            self.assertEqual(interim.raw, b"HTTP/1.1 100 Continue\r\n\r\n")
            conn.sock.settimeout(10)
            conn.send(body)
            self.assertEnqueued(conn.read_response())

    def test_php_http_build_query_get(self):
        query = urllib.parse.urlencode({"bmMailingId": world.MAILING, "bmRecipientId": world.JOHN,
                                        "firstname": "John", "lastname": "O'Smith & Sons"})
        mail_id = self.assertEnqueued(self.get_raw("sendeventmail", query))
        self.assertEqual(self.delivered(mail_id).meta["rcpt_tos"], [world.JOHN])

    # --- geeCommerce (Java, Apache HttpClient multipart) ------------------
    def java(self, op, pairs, charset="UTF-8", code=world.CODE):
        system = [("bmSuccessUrl", ""), ("bmFailureUrl", ""), ("bmUrl", ""),
                  ("bmEncoding", charset), ("bmVerbose", "false")]
        return self.server.call(op, method="MULTIPART", code=code,
                                parts=java_parts(pairs + system, charset))

    def test_java_multipart_every_operation(self):
        r = self.java("sendeventmail", [("bmRecipientId", world.JOHN),
                                        ("bmMailingId", str(world.MAILING))])
        self.assertTrue(r.body.startswith(b"enqueued:"), r.raw)
        mail_id = self.assertEnqueued(r)
        self.assertEqual(self.delivered(mail_id).meta["rcpt_tos"], [world.JOHN])
        harness.wait_for(lambda: self.java("getsendstatus", [("bmMailId", mail_id)]).body
                         == b"sent", 15, what="getsendstatus sent over multipart")
        self.assertAnswer(self.java("getsendstatus", [("bmMailId", mail_id)]), "sent")
        self.assertAnswer(self.java("nop", []), "ok")
        # geeCommerce's misspelled constant reaches an unknown operation.
        self.assertAnswer(self.java("getsetndstatus", [("bmMailId", mail_id)]), "wrong_tag: 507")
        self.assertAnswer(self.java("sendeventmail", [("bmRecipientId", world.JOHN)]),
                          "missing_id")

    # --- charsets -----------------------------------------------------------
    def check_juergen(self, response):
        mail_id = self.assertEnqueued(response)
        captured = self.delivered(mail_id)
        self.assertEqual(captured.meta["rcpt_tos"], [JUERGEN_ACE])
        head = captured.raw.split(b"\r\n\r\n", 1)[0]
        self.assertTrue(head.isascii(), "8-bit bytes in the header block")
        self.assertEqual(str(captured.msg["Subject"]), "Thank you, Jürgen")
        plain = [p for p in captured.msg.walk() if p.get_content_type() == "text/plain"][0]
        self.assertEqual(plain.get_content_charset(), "utf-8")
        self.assertEqual(plain.get_content().rstrip("\r\n"),
                         "Hello Jürgen, your order is on its way.")
        self.assertIn("Hello Jürgen", mailcheck.body_texts(captured.msg)["text/html"])
        return mail_id

    def test_iso_8859_1_with_and_without_bm_encoding(self):
        latin = "juergen%40b%FCcher.example"
        for query in (f"bmEncoding=iso-8859-1&bmRecipientId={latin}&bmMailingId=5000",
                      f"bmRecipientId={latin}&bmMailingId=5000&bmEncoding=ISO-8859-1",
                      f"bmRecipientId={latin}&bmMailingId=5000",
                      f"bmEncoding=windows-1252&bmRecipientId={latin}&bmMailingId=5000",
                      "bmEncoding=utf-8&bmRecipientId=juergen%40b%C3%BCcher.example"
                      "&bmMailingId=5000",
                      "bmRecipientId=juergen%40xn--bcher-kva.example&bmMailingId=5000"):
            with self.subTest(query=query):
                self.check_juergen(self.get_raw("sendeventmail", query))
        body = f"bmRecipientId={latin}&bmMailingId=5000".encode()
        self.check_juergen(self.server.send(build_request(
            "POST", f"/http/form/{world.CODE}/sendeventmail",
            [("Content-Type", "application/x-www-form-urlencoded")], body)))

    def test_java_multipart_iso_8859_1(self):
        for charset in ("ISO-8859-1", "UTF-8"):
            with self.subTest(charset=charset):
                self.check_juergen(self.java("sendeventmail", [("bmRecipientId", JUERGEN),
                                                               ("bmMailingId", "5000")], charset))

    # --- how clients judge the answer -------------------------------------
    def test_exact_and_prefix_matching_clients(self):
        self.assertEqual(self.server.call("nop").body, b"ok")  # res == 'ok'
        r = self.server.send_mail()
        self.assertTrue(r.body.decode().startswith("enqueued: "))  # node-optivo
        self.assertRegex(r.body.decode(), f"^enqueued: {ID}$")
        self.assertEqual(self.server.call("nop", [("bmVerbose", "true")]).body, b"ok")

    def test_keep_alive_and_pipelining(self):
        with self.server.connect() as conn:
            target = f"/http/form/{world.CODE}"
            r1 = conn.request(build_request("GET", f"{target}/nop",
                                            [("Connection", "keep-alive")]))
            self.assertAnswer(r1, "ok")
            self.assertNotEqual((r1.header("Connection") or "").lower(), "close")
            q = encode_pairs([("bmRecipientId", world.JOHN), ("bmMailingId", "5000")])
            r2 = conn.request(build_request("GET", f"{target}/sendeventmail?{q}"))
            mail_id = self.assertEnqueued(r2)
            # Two requests in one write: two answers, in order.
            q3 = encode_pairs([("bmMailId", mail_id)])
            conn.send(build_request("GET", f"{target}/nop") +
                      build_request("GET", f"{target}/getsendstatus?{q3}"))
            self.assertAnswer(conn.read_response(), "ok")
            self.assertIn(conn.read_response().body, (b"enqueued", b"sending", b"sent"))
        with self.server.connect() as conn:
            r = conn.request(build_request("GET", f"/http/form/{world.CODE}/nop",
                                           version="HTTP/1.0"))
            self.assertEqual(r.body, b"ok")
            self.assertTrue(conn.closed_by_peer(), "HTTP/1.0 without keep-alive stays open")

    # --- redirects ----------------------------------------------------------
    def assertRedirect(self, response, location):
        self.assertEqual(response.raw.split(b"\r\n", 1)[0], b"HTTP/1.1 302 Found", response.raw)
        self.assertEqual(response.headers_named("Location"), [location], response.raw)

    def assertNotRedirected(self, response, body):
        self.assertIsNone(response.header("Location"), response.raw)
        self.assertAnswer(response, body)

    def test_redirect_on_success_and_failure(self):
        ok, bad = f"http://{FORM_HOST}/thanks", f"https://{FORM_HOST}/sorry?x=1"
        both = [("bmSuccessUrl", ok), ("bmFailureUrl", bad)]
        r = self.server.call("sendeventmail", [("bmRecipientId", world.JOHN),
                                               ("bmMailingId", "5000")] + both)
        self.assertEqual(r.status, 302, r.raw)
        location = r.header("Location")
        match = re.fullmatch(f"http://{FORM_HOST}/thanks\\?bmResult=enqueued%3A%20({ID})",
                             location)
        self.assertIsNotNone(match, location)
        self.server.wait_status(match.group(1), "sent")
        self.assertRedirect(self.server.call("sendeventmail", [("bmRecipientId", world.JOHN)] +
                                             both), f"{bad}&bmResult=missing_id")
        self.assertRedirect(self.server.call("nop", [("bmUrl", f"http://{FORM_HOST}/a#top")]),
                            f"http://{FORM_HOST}/a?bmResult=ok#top")
        self.assertRedirect(self.server.call("sendeventmail", [("bmRecipientId", world.JOHN),
                                                               ("bmMailingId", "999"),
                                                               ("bmUrl", ok)]),
                            f"{ok}?bmResult=not_found")
        self.assertRedirect(self.server.call("nop", [("bmSuccessUrl", ok), ("bmUrl", bad)]),
                            f"{ok}?bmResult=ok")
        self.assertRedirect(self.server.call("nop", [("bmUrl", "http://WWW.Example.COM/x")],
                                             method="POST"),
                            "http://WWW.Example.COM/x?bmResult=ok")
        # Success with only a failure URL: no redirect.
        self.assertNotRedirected(self.server.call("nop", [("bmFailureUrl", bad)]), "ok")

    def test_redirect_never_leaves_the_allowlist(self):
        for url in ("http://evil.com/x", "//evil.com/x", "javascript:alert(1)",
                    f"http://{FORM_HOST}@evil.com/", f"http://{FORM_HOST}:80@evil.com/",
                    f"https://{FORM_HOST}.evil.com/", "http://evil.com\\@" + FORM_HOST + "/",
                    f"http://evil.com/?{FORM_HOST}", f"ftp://{FORM_HOST}/", "/relative",
                    f"http://{FORM_HOST}%2F@evil.com/", f"http://{MAIL_HOST}/",
                    f"http:/{FORM_HOST}/", f"http://{FORM_HOST}\r\nSet-Cookie: a=b",
                    f" http://{FORM_HOST}/"):
            for param in ("bmUrl", "bmSuccessUrl"):
                with self.subTest(url=url, param=param):
                    self.assertNotRedirected(self.server.call("nop", [(param, url)]), "ok")
        # The request itself still happens.
        r = self.server.call("sendeventmail", [("bmRecipientId", world.JOHN),
                                               ("bmMailingId", "5000"),
                                               ("bmSuccessUrl", "http://evil.com/")])
        self.assertIsNone(r.header("Location"))
        self.server.wait_status(self.assertEnqueued(r), "sent")
        # An unknown code has no allowlist.
        self.assertNotRedirected(self.server.call("nop", [("bmUrl", f"http://{FORM_HOST}/")],
                                                  code="NOSUCHCODE1"), "wrong_tag: 501")
        self.assertIn("redirect", self.server.log().lower(), "refusals are logged")

    def test_mail_service_uses_the_client_allowlist(self):
        mail_id = self.assertEnqueued(self.server.send_mail())
        self.assertRedirect(self.server.call("nop", [("bmUrl", f"https://{MAIL_HOST}/p")],
                                             code=mail_id, service="mail"),
                            f"https://{MAIL_HOST}/p?bmResult=ok")
        self.assertNotRedirected(self.server.call("nop", [("bmUrl", f"https://{FORM_HOST}/p")],
                                                  code=mail_id, service="mail"), "ok")


if __name__ == "__main__":
    unittest.main()
