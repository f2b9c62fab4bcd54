#!/usr/bin/python3
"""Malformed and oversized requests (behaviour.md §2 "Limits", "Decoding"):
each gets its documented answer and changes nothing (the number of mails
stays the same); header injection through field values never adds a header
to a delivered message; a slow client is cut off while others are served."""

import time
import unittest

import harness
import mailcheck
import world
from e2ecase import E2ETestCase, Stack
from httpraw import Part, Raw, build_request, encode_pairs, multipart_body

SEND_PATH = f"/http/form/{world.CODE}/sendeventmail"
VALID = [("bmRecipientId", world.JOHN), ("bmMailingId", str(world.MAILING))]
KIB = 1024


class BadInputTest(E2ETestCase):
    @classmethod
    def setUpClass(cls):
        cls.stack = Stack("bad-input")
        cls.addClassCleanup(cls.stack.close)
        cls.server = cls.stack.up()

    def setUp(self):
        self.mails_before = mailcheck.mail_count(self.server.db)

    def assertNothingStored(self):
        time.sleep(0.2)
        self.assertEqual(mailcheck.mail_count(self.server.db), self.mails_before,
                         "a refused request stored a mail")

    def racing(self, data):
        with self.server.connect() as conn:
            return conn.request_racing(data)

    def post(self, body, content_type="application/x-www-form-urlencoded", target=SEND_PATH):
        return self.server.send(build_request("POST", target, [("Content-Type", content_type)],
                                              body))

    # --- limits ---------------------------------------------------------
    def test_url_over_8_kib_is_414(self):
        target = SEND_PATH + "?" + encode_pairs(VALID + [("pad", "A" * (8 * KIB))])
        self.assertAnswer(self.racing(build_request("GET", target)), "syntax_error", 414)
        self.assertNothingStored()

    def test_url_just_under_8_kib_is_served(self):
        target = SEND_PATH + "?" + encode_pairs(VALID) + "&pad="
        target += "A" * (8000 - len(target))
        self.assertEqual(len(target), 8000)
        self.assertEnqueued(self.server.send(build_request("GET", target)))

    def test_header_block_over_16_kib_is_431(self):
        target = SEND_PATH + "?" + encode_pairs(VALID)
        one = build_request("GET", target, [("X-Pad", "a" * (17 * KIB))])
        self.assertAnswer(self.racing(one), "syntax_error", 431)
        many = build_request("GET", target, [(f"X-Pad-{i}", "b" * 1000) for i in range(20)])
        self.assertAnswer(self.racing(many), "syntax_error", 431)
        self.assertNothingStored()

    def test_body_over_1_mib_is_413(self):
        body = (encode_pairs(VALID) + "&pad=").encode() + b"C" * (KIB * KIB)
        # Announced by Content-Length: refused before the body is read.
        head = build_request("POST", SEND_PATH,
                             [("Content-Type", "application/x-www-form-urlencoded"),
                              ("Content-Length", str(len(body)))])
        self.assertAnswer(self.racing(head), "syntax_error", 413)
        self.assertAnswer(self.racing(head + body), "syntax_error", 413)
        # Chunked, so the size shows only while reading.
        chunks = b"".join(b"%x\r\n%s\r\n" % (len(body[i:i + 65536]), body[i:i + 65536])
                          for i in range(0, len(body), 65536)) + b"0\r\n\r\n"
        chunked = build_request("POST", SEND_PATH,
                                [("Content-Type", "application/x-www-form-urlencoded"),
                                 ("Transfer-Encoding", "chunked")], content_length=False)
        self.assertAnswer(self.racing(chunked + chunks), "syntax_error", 413)
        # Multipart as well.
        ctype, mp = multipart_body([Part(n, v) for n, v in VALID] +
                                   [Part("pad", b"D" * (KIB * KIB))])
        self.assertAnswer(self.racing(build_request("POST", SEND_PATH, [("Content-Type", ctype)],
                                                    mp)), "syntax_error", 413)
        self.assertNothingStored()

    def test_body_under_1_mib_is_served(self):
        pairs = VALID + [(f"field{i}", "E" * (40 * KIB)) for i in range(20)]
        body = encode_pairs(pairs).encode()
        self.assertLess(len(body), KIB * KIB)
        self.assertEnqueued(self.post(body))

    def test_over_200_parameters_is_413(self):
        pairs = VALID + [(f"p{i}", "1") for i in range(199)]
        self.assertEqual(len(pairs), 201)
        target = SEND_PATH + "?" + encode_pairs(pairs)
        self.assertAnswer(self.racing(build_request("GET", target)), "syntax_error", 413)
        self.assertAnswer(self.post(encode_pairs(pairs).encode()), "syntax_error", 413)
        split = SEND_PATH + "?" + encode_pairs(pairs[:100])  # query + body together
        self.assertAnswer(self.post(encode_pairs(pairs[100:]).encode(), target=split),
                          "syntax_error", 413)
        ctype, mp = multipart_body([Part(n, v) for n, v in pairs])
        self.assertAnswer(self.post(mp, ctype), "syntax_error", 413)
        self.assertNothingStored()

    def test_200_parameters_are_served(self):
        pairs = VALID + [(f"p{i}", "1") for i in range(198)]
        self.assertEnqueued(self.server.call("sendeventmail", pairs))
        self.assertEnqueued(self.server.call("sendeventmail", pairs, method="POST"))

    # --- decoding -------------------------------------------------------
    def test_malformed_multipart_is_syntax_error(self):
        good_type, good = multipart_body([Part(n, v) for n, v in VALID], boundary="BOUNDARY")
        self.assertEnqueued(self.post(good, good_type))  # the well-formed twin is served
        cases = {
            "no boundary parameter": (good, "multipart/form-data"),
            "empty boundary": (good, "multipart/form-data; boundary="),
            "body without the boundary": (good, "multipart/form-data; boundary=OTHER"),
            "no closing delimiter": (good[:good.rindex(b"--BOUNDARY--")],
                                     good_type),
            "part without headers end": (
                b"--BOUNDARY\r\nContent-Disposition: form-data; name=\"bmRecipientId\"\r\n"
                + world.JOHN.encode() + b"\r\n--BOUNDARY--\r\n", good_type),
            "part without a name": (
                good.replace(b'name="bmRecipientId"', b"x=1"), good_type),
            "garbage": (b"\x00\xff\xfe garbage", good_type),
        }
        for name, (body, ctype) in cases.items():
            with self.subTest(name):
                self.assertAnswer(self.post(body, ctype), "syntax_error")
        self.mails_before += 1
        self.assertNothingStored()

    def test_invalid_percent_escapes_stay_literal(self):
        """http/url_decode.h: a '%' not followed by two hex digits stays as it
        is (as browsers and PHP do); the value is then judged as written."""
        mailing = f"bmMailingId={world.MAILING}"
        refused = {
            f"bmRecipientId=john.smith@example.com%&{mailing}": "syntax_error",
            f"bmRecipientId=john.smith@exa%ZZmple.com&{mailing}": "syntax_error",
            "bmRecipientId=john.smith%40example.com&bmMailingId=50%G0": "not_found",
            "bmRecipientId=john.smith%40example.com&bmMailingId=%35000": "enqueued",
        }
        for query, token in refused.items():
            with self.subTest(query=query):
                for response in (self.server.get(f"{SEND_PATH}?{query}"),
                                 self.post(query.encode())):
                    if token == "enqueued":
                        self.assertEnqueued(response)
                        self.mails_before += 1
                    else:
                        self.assertAnswer(response, token)
        self.assertNothingStored()
        # Literal '%' is atext: this is the address john%zz@example.com.
        for query in (f"bmRecipientId=john%ZZ@example.com&{mailing}",
                      f"bmRecipientId=john%2@example.com&{mailing}"):
            with self.subTest(query=query):
                mail_id = self.assertEnqueued(self.server.get(f"{SEND_PATH}?{query}"))
                self.server.wait_status(mail_id, "not_found")
        rows = mailcheck.db_query(self.server.db,
                                  "SELECT recipient_id FROM mails ORDER BY id DESC LIMIT 2")
        self.assertEqual(sorted(r[0] for r in rows), ["john%2@example.com", "john%zz@example.com"])
        # Broken escapes in field names and values are kept, and ignored.
        for query in (f"bmRecipientId=john.smith%40example.com&{mailing}&firstname=J%XXohn",
                      f"bmRecipientId=john.smith%40example.com&{mailing}&first%ZZname=John"):
            with self.subTest(query=query):
                self.assertEnqueued(self.server.get(f"{SEND_PATH}?{query}"))

    def test_control_characters_in_recipient_are_syntax_error(self):
        for raw in ("john.smith%0D%0A@example.com", "john.smith@example.com%0D%0ABcc:x@evil.com",
                    "john.smith%0A@example.com", "john.smith%00@example.com",
                    "john.smith@example.com%00", "%00", "john.smith@example.com%0D"):
            with self.subTest(raw=raw):
                pairs = [("bmRecipientId", Raw(raw)), ("bmMailingId", str(world.MAILING))]
                self.assertAnswer(self.server.get(f"{SEND_PATH}?{encode_pairs(pairs)}"),
                                  "syntax_error")
                self.assertAnswer(self.post(encode_pairs(pairs).encode()), "syntax_error")
        self.assertNothingStored()

    # --- slow clients -----------------------------------------------------
    def test_slow_client_is_cut_off_while_others_are_served(self):
        slow = self.server.connect(timeout=30)
        self.addCleanup(slow.close)
        slow.send(f"GET {SEND_PATH}?{encode_pairs(VALID)} HTTP/1.1\r\nHost: x\r\nX-A".encode())
        started = time.monotonic()
        self.assertAnswer(self.server.call("nop"), "ok")
        self.assertLess(time.monotonic() - started, 2.0)
        # The header read timeout is 10 s (core/limits.h kHeaderReadTimeout).
        harness.wait_for(lambda: slow.closed_by_peer(wait=1.0), 20,
                         what="the server to close the silent connection")
        self.assertLess(time.monotonic() - started, 20)
        self.assertAnswer(self.server.call("nop"), "ok")
        self.assertNothingStored()


class HeaderInjectionTest(E2ETestCase):
    """CR/LF in field values, from the request or from the stored recipient,
    never adds a header to the delivered message."""

    EVIL = "Eve\r\nBcc: evil@evil.example\r\nX-Injected: 1\n<b>bold</b>"

    def test_injection_through_fields(self):
        stack = Stack("bad-input-inject")
        self.addCleanup(stack.close)
        stack.shoe["recipient"].append(
            world.recipient(100, "eve@example.com", firstname=self.EVIL, orders=1))
        applied = stack.server.apply(stack.clients, check=False)
        if applied.returncode != 0:
            # Refusing control characters at the edge also keeps them out of
            # headers; then only the request path is left to try.
            self.assertIn("firstname", applied.stdout + applied.stderr)
            stack.shoe["recipient"].pop()
            stack.server.apply(stack.clients)
        server = stack.server.start()
        normal = self.assertEnqueued(server.send_mail())
        ids = [normal]
        evil = None
        if applied.returncode == 0:
            evil = self.assertEnqueued(server.send_mail("eve@example.com"))
            ids.append(evil)
        by_request = server.call("sendeventmail", VALID + [("firstname", self.EVIL),
                                                           ("Bcc", "evil@evil.example")])
        if by_request.body != b"syntax_error":
            ids.append(self.assertEnqueued(by_request))
        got = {m.mail_id: m for m in stack.relay.wait_messages(len(ids), 20)}
        want_names = mailcheck.header_names(got[normal.upper()].raw)
        for mail_id in ids:
            captured = got[mail_id.upper()]
            with self.subTest(mail_id=mail_id):
                self.assertEqual(len(captured.meta["rcpt_tos"]), 1)
                names = mailcheck.header_names(captured.raw)
                self.assertEqual(sorted(n.lower() for n in names),
                                 sorted(n.lower() for n in want_names))
                for bad in ("bcc", "x-injected"):
                    self.assertNotIn(bad, [n.lower() for n in names])
                head = captured.raw.split(b"\r\n\r\n", 1)[0]
                self.assertNotIn(b"\r\nBcc:", head)
                self.assertNotIn(b"\r\nX-Injected:", head)
        if evil is None:
            return
        evil_msg = got[evil.upper()].msg
        subject = str(evil_msg["Subject"])
        self.assertTrue(subject.startswith("Thank you, Eve"), subject)
        self.assertNotIn("\n", subject)
        self.assertNotIn("\r", subject)
        html = mailcheck.body_texts(evil_msg)["text/html"]
        self.assertIn("&lt;b&gt;bold&lt;/b&gt;", html)
        self.assertNotIn("<b>bold</b>", html)


if __name__ == "__main__":
    unittest.main()
