#!/usr/bin/python3
"""Attacks on the real server (issue 5 "Security and bad input"), beyond what
test_bad_input.py, test_tokens.py and test_clients.py already try:
header injection through every field and parameter that reaches a message
(CR/LF, NUL, %0d%0a, encoded words, Unicode line separators, address
smuggling through display names) checked in the captured message AND the
SMTP envelope; altered mail IDs on both services; access rules against
spoofed proxy headers, method overrides and absolute-form targets; more
open-redirect tricks; floods of slow and oversized requests next to a
normal client; and, last, the whole server log (run at log_level=trace)
scanned for every code, the SMTP password, the DKIM keys, the mail-ID
secrets, the admin key and a client API key made and used in this run."""

import base64
import socket
import threading
import time
import unittest
from urllib.parse import quote

import harness
import mailcheck
import world
from adminapi import ADMIN_KEY, AdminApi
from e2ecase import E2ETestCase, Stack
from httpraw import Part, Raw, build_request, encode_pairs, multipart_body

SEND_PATH = f"/http/form/{world.CODE}/sendeventmail"
FARIP_CODE = "FARIP-ATTACK-10"       # ips = 10.0.0.0/8
POSTONLY_CODE = "POSTONLY-ATTACK"    # methods = POST
HTTPSONLY_CODE = "HTTPSONLY-ATTACK"  # protocols = https
IPREDIRECT_CODE = "IPREDIRECT-ATTACK"  # redirect_hosts = [IP_HOST]
IP_HOST = "192.0.2.7"
FORM_HOST = "www.example.com"        # the main code's redirect allowlist
MAIL_HOST = "mail.example.com"       # client 1's allowlist (mail service)
EVIL = "evil@evil.example"
# Everything an injection could add; none of it may appear as a header.
BAD_NAMES = {"bcc", "cc", "x-injected", "content-type-injected"}

# Recipient field values that try to break out of where they are inserted:
# the mailing below puts {firstname} into the From display name, Reply-To,
# Subject, text and HTML, and {city} into the Subject.
EVIL_VALUES = {
    "crlf": f"Eve\r\nBcc: {EVIL}\r\nX-Injected: 1",
    "lf": f"Eve\nBcc: {EVIL}",
    "cr": f"Eve\rBcc: {EVIL}",
    "nul": f"Eve\x00Bcc: {EVIL}",
    "vt-ff": f"Eve\x0b\x0cBcc: {EVIL}",
    "blank-line": "Eve\r\n\r\n<html>a new body</html>",
    "percent": f"Eve%0d%0aBcc:%20{EVIL}",
    "encoded-word-q": f"=?utf-8?q?Eve=0D=0ABcc:_{EVIL}?=",
    "encoded-word-b": "=?utf-8?b?" + base64.b64encode(f"Eve\r\nBcc: {EVIL}".encode()).decode()
                      + "?=",
    "u2028": f"Eve\u2028Bcc: {EVIL}",
    "u2029": f"Eve\u2029Bcc: {EVIL}",
    "nel": f"Eve\u0085Bcc: {EVIL}",
    "display-name-address": f"Eve <{EVIL}>, Mallory",
    "quoted-address": f"\"Eve\" <{EVIL}>",
    "angle-close": f"Eve> <{EVIL}",
    "long": "Eve " + "x" * 1500 + f"\r\nBcc: {EVIL}",
}


def attack_world(stack):
    shoe = stack.shoe
    shoe["redirect_hosts"] = [MAIL_HOST]
    shoe["list"][0]["fields"].append({"name": "city", "type": "text"})
    shoe["mailing"].append(world.mailing(
        5100, [100], name="injection-targets",
        **{"from": "{firstname} <shop@example.com>",
           "reply_to": "{firstname} <help@example.com>",
           "subject": "Hi {firstname} from {city} ({bmRecipientId})",
           "text": "Dear {firstname} from {city}",
           "html": "<p>Dear {firstname} from {city}</p>"}))
    shoe["code"] += [
        world.code("farip", FARIP_CODE, 100, ips=["10.0.0.0/8"]),
        world.code("postonly", POSTONLY_CODE, 100, methods=["POST"]),
        world.code("httpsonly", HTTPSONLY_CODE, 100, protocols=["https"]),
        world.code("ipredirect", IPREDIRECT_CODE, 100, redirect_hosts=[IP_HOST]),
    ]


def evil_address(name):
    return f"eve.{name}@example.com"


class AttacksTest(E2ETestCase):
    @classmethod
    def setUpClass(cls):
        cls.stack = Stack("attacks")
        cls.addClassCleanup(cls.stack.close)
        attack_world(cls.stack)
        cls.refused_at_apply = cls.provision_evil_recipients()
        cls.server = cls.stack.server
        cls.admin_port = harness.free_port()
        cls.server.start(log_level="trace", admin_listen=f"127.0.0.1:{cls.admin_port}",
                         admin_key=ADMIN_KEY)
        cls.admin = AdminApi(cls.admin_port)

    @classmethod
    def provision_evil_recipients(cls):
        """Adds one recipient per EVIL_VALUES entry; a value `campaignd apply`
        refuses (control characters refused at the edge also keep them out
        of headers) is left out. Returns the names of the refused ones."""
        refused = []
        recipients = cls.stack.shoe["recipient"]
        for name, value in EVIL_VALUES.items():
            recipients.append(world.recipient(100, evil_address(name), firstname=value,
                                              city=value, orders=1))
            if cls.stack.server.apply(cls.stack.clients, check=False).returncode != 0:
                recipients.pop()
                refused.append(name)
        cls.stack.server.apply(cls.stack.clients)
        return refused

    def setUp(self):
        self.mails_before = mailcheck.mail_count(self.server.db)

    def assertNothingStored(self):
        time.sleep(0.2)
        self.assertEqual(mailcheck.mail_count(self.server.db), self.mails_before,
                         "a refused request stored a mail")

    def delivered(self, mail_id):
        """The one message the relay got for `mail_id`, or None when the mail
        ended could_not_be_sent (refusing to render is a safe outcome)."""
        status = self.server.wait_status(mail_id, ("sent", "could_not_be_sent"), timeout=20)
        found = [m for m in self.stack.relay.messages() if m.mail_id == mail_id.upper()]
        if status == "could_not_be_sent":
            self.assertEqual(found, [])
            return None
        self.assertEqual(len(found), 1, f"{mail_id} delivered {len(found)} times")
        return found[0]

    def assertOnlyOwnHeaders(self, captured, recipient, baseline):
        """No header beyond the renderer's own (same names as `baseline`),
        one envelope recipient, From/To/Reply-To carrying only their own
        address, CRLF line ends only."""
        self.assertEqual(captured.meta["rcpt_tos"], [recipient.lower()])
        self.assertEqual(captured.meta["mail_from"], "shop@example.com")
        names = [n.lower() for n in mailcheck.header_names(captured.raw)]
        self.assertEqual(sorted(names), sorted(baseline))
        self.assertFalse(BAD_NAMES & set(names), names)
        raw = captured.raw
        self.assertNotIn(b"\x00", raw)
        self.assertEqual(raw.count(b"\n"), raw.count(b"\r\n"), "bare LF in the message")
        self.assertEqual(raw.count(b"\r"), raw.count(b"\r\n"), "bare CR in the message")
        msg = captured.msg
        for field, want in (("From", "shop@example.com"), ("Reply-To", "help@example.com"),
                            ("To", recipient.lower())):
            values = msg.get_all(field) or []
            self.assertEqual(len(values), 1, f"{field}: {values}")
            addresses = [a.addr_spec.lower() for a in values[0].addresses]
            self.assertEqual(addresses, [want], f"{field}: {values[0]!r}")
        for field in ("Subject", "From", "Reply-To"):
            text = str(msg[field])
            for bad in ("\r", "\n", "\x00", "\u2028", "\u2029", "\u0085"):
                self.assertNotIn(bad, text, f"{field} {text!r}")
        self.assertIsNone(msg["Bcc"])
        self.assertIsNone(msg["X-Injected"])

    # --- header injection ---------------------------------------------------
    def test_injection_through_every_templated_field(self):
        """Stored values with line breaks, NUL, encoded words and Unicode
        separators, in From name, Reply-To, Subject, text and HTML."""
        plain = self.assertEnqueued(self.server.send_mail(world.JOHN, 5100))
        baseline_msg = self.delivered(plain)
        self.assertIsNotNone(baseline_msg, "the plain mail was not delivered")
        baseline = sorted(n.lower() for n in mailcheck.header_names(baseline_msg.raw))
        delivered = 0
        for name in EVIL_VALUES:
            if name in self.refused_at_apply:
                continue
            with self.subTest(value=name):
                recipient = evil_address(name)
                mail_id = self.assertEnqueued(self.server.send_mail(recipient, 5100))
                captured = self.delivered(mail_id)
                if captured is None:
                    continue
                delivered += 1
                self.assertOnlyOwnHeaders(captured, recipient, baseline)
                html = mailcheck.body_texts(captured.msg).get("text/html", "")
                self.assertNotIn(f"<{EVIL}>", html)
                self.assertNotIn("<html>a new body", html)
                signatures = mailcheck.verify_dkim(captured.raw, [self.stack.key1])
                self.assertTrue(signatures and all(ok for _, ok in signatures), signatures)
        print(f"\ninjection values: {delivered} delivered, "
              f"refused by apply: {self.refused_at_apply}")
        self.assertGreater(delivered, len(EVIL_VALUES) // 2,
                           "most values must render (sanitized), not fail the mail")

    def test_injection_through_recipient_id(self):
        """bmRecipientId is the envelope, To and {bmRecipientId}: every way of
        smuggling a second address or a header into it is a syntax_error,
        by GET, urlencoded POST, multipart and ISO-8859-1 (%85 is NEL)."""
        raw_values = [
            f"john.smith%40example.com%0D%0ABcc:%20{EVIL}",
            "john.smith%40example.com%0ABcc:x%40evil.example",
            "john.smith%40example.com%0D",
            "john.smith%40example.com%00",
            f"john.smith%40example.com,{EVIL}",
            f"john.smith%40example.com;{EVIL}",
            f"john.smith%40example.com%20{EVIL}",
            f"%3C{EVIL}%3Ejohn.smith%40example.com",
            f"John%20%3Cjohn.smith%40example.com%3E",
            "john.smith%40example.com%E2%80%A8Bcc:x%40evil.example",
            "john.smith%40example.com%C2%85Bcc:x%40evil.example",
            "%22john%0D%0ABcc:x%22%40example.com",
            "john.smith%40example.com%250D%250ABcc:x%40evil.example",
        ]
        for value in raw_values:
            pairs = [("bmRecipientId", Raw(value)), ("bmMailingId", "5100")]
            with self.subTest(value=value):
                self.assertAnswer(self.server.get(f"{SEND_PATH}?{encode_pairs(pairs)}"),
                                  "syntax_error")
                self.assertAnswer(self.server.send(build_request(
                    "POST", SEND_PATH, [("Content-Type", "application/x-www-form-urlencoded")],
                    encode_pairs(pairs).encode())), "syntax_error")
        # Raw bytes in multipart parts, and NEL by ISO-8859-1.
        for value in (f"john.smith@example.com\r\nBcc: {EVIL}".encode(),
                      b"john.smith@example.com\x00", b"john.smith@example.com\x85Bcc:x@y.example",
                      "john.smith@example.com\u2028Bcc:x@y.example".encode()):
            with self.subTest(multipart=value):
                ctype, body = multipart_body([Part("bmRecipientId", value),
                                              Part("bmMailingId", "5100")])
                self.assertAnswer(self.server.send(build_request(
                    "POST", SEND_PATH, [("Content-Type", ctype)], body)), "syntax_error")
        latin1 = [("bmRecipientId", Raw("john.smith%40example.com%85Bcc:x%40evil.example")),
                  ("bmMailingId", "5100"), ("bmEncoding", "iso-8859-1")]
        self.assertAnswer(self.server.get(f"{SEND_PATH}?{encode_pairs(latin1)}"), "syntax_error")
        self.assertNothingStored()

    def test_encoded_word_recipient_is_one_plain_address(self):
        """'=' and '?' are atext: an address that looks like an encoded word
        is valid, and stays one recipient in the envelope and in To."""
        recipient = "=?utf-8?q?x=0d=0abcc=3a_evil?=@example.com"
        self.stack.shoe["recipient"].append(world.recipient(100, recipient, firstname="Q",
                                                            city="Q", orders=1))
        self.server.apply(self.stack.clients)
        plain = self.delivered(self.assertEnqueued(self.server.send_mail(world.JOHN, 5100)))
        baseline = sorted(n.lower() for n in mailcheck.header_names(plain.raw))
        mail_id = self.assertEnqueued(self.server.send_mail(recipient, 5100))
        captured = self.delivered(mail_id)
        self.assertIsNotNone(captured)
        # One RCPT. (aiosmtpd's parser decodes the encoded word although
        # RFC 2047 §5 forbids them in an addr-spec; what campaignd sent is
        # the address as is, checked in the To field below.)
        self.assertEqual(len(captured.meta["rcpt_tos"]), 1, captured.meta)
        self.assertIn(b"\r\nTo: " + recipient.encode() + b"\r\n", captured.raw)
        names = [n.lower() for n in mailcheck.header_names(captured.raw)]
        self.assertEqual(sorted(names), baseline)
        self.assertIsNone(captured.msg["Bcc"])

    # --- mail IDs -------------------------------------------------------------
    def test_altered_mail_ids_are_refused_on_both_services(self):
        real = self.assertEnqueued(self.server.send_mail())
        self.server.wait_status(real, "sent")
        client, seq, mac = real.split("-")
        flip = {c: ("1" if c != "1" else "2") for c in "0123456789ABCDEFGHJKMNPQRSTVWXYZ"}
        altered = [
            f"{client}-{seq}-{mac[:-1]}{flip[mac[-1]]}",    # last MAC character
            f"{client}-{seq}-{flip[mac[0]]}{mac[1:]}",      # first MAC character
            f"{client}-{seq}{flip[seq[-1]]}-{mac}",         # another sequence, same MAC
            f"2-{seq}-{mac}",                               # another client, same MAC
            f"{client}-{seq}-{mac[:-1]}",                   # truncated
            f"{client}-{seq}-{mac}0",                       # extended
            f"0{client}-{seq}-{mac}",                       # leading zero
            f"{client}-0{seq}-{mac}",
            f"{client}-{seq}-{mac} ",
            f"{client}-{seq}-{mac}\x00",
            f"{client}-{seq}-{mac.replace('0', 'O').replace('1', 'I')}"
            if ("0" in mac or "1" in mac) else f"{client}-{seq}-{mac[::-1]}",
            f"{client}--{seq}-{mac}",
            f"{client}-{seq}-{mac}-{mac}",
            f"-{client}-{seq}-{mac}",
        ]
        for mail_id in altered:
            with self.subTest(mail_id=mail_id):
                self.assertAnswer(self.server.call("getsendstatus", [("bmMailId", mail_id)]),
                                  "syntax_error")
                for op in ("nop", "getsendstatus", "sendeventmail"):
                    self.assertAnswer(self.server.call(op, [("bmMailingId", "5000")],
                                                       code=quote(mail_id, safe=""),
                                                       service="mail"),
                                      "wrong_tag: 501")
        # The genuine ID, in any case, is accepted on both services.
        for form in (real, real.lower()):
            self.assertAnswer(self.server.call("getsendstatus", [("bmMailId", form)]), "sent")
            self.assertAnswer(self.server.call("nop", code=form, service="mail"), "ok")
        self.mails_before += 1
        self.assertNothingStored()

    # --- access rules ---------------------------------------------------------
    def test_spoofed_proxy_headers_from_an_untrusted_peer(self):
        """127.0.0.1 is not a trusted proxy here: no header moves the client
        into 10.0.0.0/8, turns http into https or GET into POST."""
        ip_spoofs = [
            [("X-Forwarded-For", "10.1.2.3")],
            [("X-Forwarded-For", "127.0.0.1, 10.1.2.3")],
            [("X-Forwarded-For", "10.1.2.3"), ("X-Forwarded-For", "10.1.2.4")],
            [("Forwarded", "for=10.1.2.3;proto=https")],
            [("X-Real-IP", "10.1.2.3")],
            [("X-Client-IP", "10.1.2.3")],
            [("True-Client-IP", "10.1.2.3")],
            [("X-Forwarded-For", "10.1.2.3"), ("X-Forwarded-Proto", "https")],
        ]
        for headers in ip_spoofs:
            with self.subTest(headers=headers):
                self.assertAnswer(self.server.call("nop", code=FARIP_CODE, headers=headers),
                                  "wrong_tag: 502")
                self.assertAnswer(self.server.send_mail(code=FARIP_CODE, headers=headers),
                                  "wrong_tag: 502")
        proto_spoofs = [
            [("X-Forwarded-Proto", "https")],
            [("X-Forwarded-Proto", "HTTPS")],
            [("X-Forwarded-Ssl", "on")],
            [("Front-End-Https", "on")],
            [("X-Forwarded-Scheme", "https")],
            [("Forwarded", "proto=https")],
            [("X-Url-Scheme", "https")],
        ]
        for headers in proto_spoofs:
            with self.subTest(headers=headers):
                self.assertAnswer(self.server.call("nop", code=HTTPSONLY_CODE, headers=headers),
                                  "wrong_tag: 504")
        # An absolute-form https target over plain http is still http.
        self.assertAnswer(self.server.send(build_request(
            "GET", f"https://127.0.0.1/http/form/{HTTPSONLY_CODE}/nop")), "wrong_tag: 504")
        method_spoofs = [
            [("X-HTTP-Method-Override", "POST")],
            [("X-HTTP-Method", "POST")],
            [("X-Method-Override", "POST")],
        ]
        for headers in method_spoofs:
            with self.subTest(headers=headers):
                self.assertAnswer(self.server.call("nop", code=POSTONLY_CODE, headers=headers),
                                  "wrong_tag: 503")
        self.assertAnswer(self.server.call("nop", [("_method", "POST")], code=POSTONLY_CODE),
                          "wrong_tag: 503")
        # Other verbs are not GET or POST.
        for verb in ("PUT", "DELETE", "PATCH", "OPTIONS", "get", "HEAD"):
            with self.subTest(verb=verb):
                r = self.server.send(build_request(verb, f"/http/form/{POSTONLY_CODE}/nop"),
                                     head=(verb == "HEAD"))
                self.assertIsNotNone(r)
                if verb != "HEAD":
                    self.assertNotEqual(r.body, b"ok", r.raw)
        # The legitimate twin of each is served.
        self.assertAnswer(self.server.call("nop", code=POSTONLY_CODE, method="POST"), "ok")
        self.assertNothingStored()

    # --- redirects ------------------------------------------------------------
    def test_open_redirect_tricks_are_never_followed(self):
        h = FORM_HOST
        urls = [
            "/\\evil.example/", "\\\\evil.example/", "/\\/evil.example/",
            "https:/\\evil.example/", "https:\\\\evil.example/",
            f"https://evil.example#@{h}/", f"https://evil.example?@{h}/",
            f"https://{h}@evil.example/", f"https://{h}:443@evil.example/",
            f"https://{h}%40evil.example/", f"https://evil.example%23@{h}/",
            f"https://{h}\\@evil.example/", f"https://{h}\\.evil.example/",
            "javascript:alert(1)", f"javascript://{h}/%0aalert(1)", f"JaVaScRiPt:alert('{h}')",
            f"data:text/html,<script>alert('{h}')</script>", f"vbscript:msgbox('{h}')",
            f"https://{h}.evil.example/", f"https://{h}evil.example/", f"https://evil{h}/",
            f"https://www.exampIe.com/", "https://www.xn--exmple-cua.com/",
            "https://www.еxample.com/",  # Cyrillic е
            f"https://{h}\u3002evil.example/", f"https://{h}%00.evil.example/",
            f"https://{h}%2eevil.example/", f"https://{h}%2F@evil.example/",
            f"https://{h}\t.evil.example/", f"https://{h}\r\nLocation: https://evil.example/",
            f"https://[::ffff:{h}]/", "https://0x7f.1/", "https://2130706433/",
            f"//{h}@evil.example/", "//evil.example/", "///evil.example/",
            f"https:evil.example/{h}", f"https:{h}", f"http://:80@evil.example/",
            f"https://evil.example/{h}", f"https://evil.example/?u=https://{h}/",
            f"ftp://{h}/", f"file://{h}/etc/passwd", f"https ://{h}/",
        ]
        for url in urls:
            for param in ("bmUrl", "bmSuccessUrl", "bmFailureUrl"):
                with self.subTest(url=url, param=param):
                    # bmFailureUrl applies to a failure: an invalid recipient.
                    fail = [("bmRecipientId", "not-an-address")] \
                        if param == "bmFailureUrl" else []
                    r = self.server.call("sendeventmail" if fail else "nop",
                                         fail + [(param, url)])
                    self.assertIsNone(r.header("Location"), r.raw)
                    self.assertNotEqual(r.status, 302, r.raw)
        # What is allowed: uppercase host, a port, a trailing dot is not the
        # same host (refused), the mail service uses the client's list.
        r = self.server.call("nop", [("bmUrl", f"HTTPS://WWW.EXAMPLE.COM:8443/p")])
        self.assertEqual(r.status, 302, r.raw)
        self.assertEqual(r.header("Location"), "HTTPS://WWW.EXAMPLE.COM:8443/p?bmResult=ok")
        for url in (f"https://{h}./p", f"https://{h}../p"):
            with self.subTest(trailing_dot=url):
                self.assertIsNone(self.server.call("nop", [("bmUrl", url)]).header("Location"))
        # An allowlisted IPv4 address is not a prefix of other hosts
        # (Boost.URL 1.81 took "192.0.2.7.evil.example" for 192.0.2.7).
        for url in (f"https://{IP_HOST}.evil.example/", f"https://{IP_HOST}evil.example/",
                    f"https://{IP_HOST}&:443/", f"https://{IP_HOST},evil.example/"):
            with self.subTest(ip_prefix=url):
                r = self.server.call("nop", [("bmUrl", url)], code=IPREDIRECT_CODE)
                self.assertIsNone(r.header("Location"), r.raw)
        r = self.server.call("nop", [("bmUrl", f"https://{IP_HOST}:8443/x")], code=IPREDIRECT_CODE)
        self.assertEqual(r.header("Location"), f"https://{IP_HOST}:8443/x?bmResult=ok")
        mail_id = self.assertEnqueued(self.server.send_mail())
        for url in ("//evil.example/", f"https://{MAIL_HOST}@evil.example/",
                    f"https://evil.example#@{MAIL_HOST}/", f"https://{FORM_HOST}/"):
            with self.subTest(mail_service=url):
                r = self.server.call("nop", [("bmUrl", url)], code=mail_id, service="mail")
                self.assertIsNone(r.header("Location"), r.raw)
        r = self.server.call("nop", [("bmUrl", f"https://{MAIL_HOST}/x")], code=mail_id,
                             service="mail")
        self.assertEqual(r.header("Location"), f"https://{MAIL_HOST}/x?bmResult=ok")
        self.mails_before += 1
        self.assertNothingStored()

    # --- floods ---------------------------------------------------------------
    def assertServesQuickly(self, limit=2.0):
        started = time.monotonic()
        self.assertAnswer(self.server.call("nop"), "ok")
        mail_id = self.assertEnqueued(self.server.send_mail())
        self.assertLess(time.monotonic() - started, limit, "a normal client waited")
        self.mails_before += 1
        return mail_id

    def test_slow_and_oversized_floods_do_not_hurt_other_clients(self):
        """50 slowloris connections (header bytes trickling), 10 bodies
        trickling below their Content-Length, 10 oversized bodies and a bogus
        chunk size, all at once: a normal client is served within 2 s all the
        while, and every attacker is cut off."""
        port = self.server.port
        stop = threading.Event()
        socks = []

        def trickle(sock, head, dribble):
            try:
                sock.sendall(head)
                while not stop.is_set():
                    sock.sendall(dribble)
                    stop.wait(1.0)
            except OSError:
                pass

        def attacker(head, dribble):
            s = socket.create_connection(("127.0.0.1", port), timeout=60)
            socks.append(s)
            t = threading.Thread(target=trickle, args=(s, head, dribble), daemon=True)
            t.start()
            return t

        threads = [attacker(f"GET {SEND_PATH}?a=1 HTTP/1.1\r\nHost: x\r\n".encode(), b"X-a: b\r\n")
                   for _ in range(50)]
        body_head = build_request("POST", SEND_PATH,
                                  [("Content-Type", "application/x-www-form-urlencoded"),
                                   ("Content-Length", "100000")])
        threads += [attacker(body_head, b"a") for _ in range(10)]
        self.addCleanup(stop.set)
        started = time.monotonic()
        for _ in range(10):
            big = build_request("POST", SEND_PATH,
                                [("Content-Type", "application/x-www-form-urlencoded"),
                                 ("Content-Length", str(64 * 1024 * 1024))])
            with self.server.connect() as conn:
                r = conn.request_racing(big + b"x" * (2 * 1024 * 1024))
            self.assertAnswer(r, "syntax_error", 413)
        for bogus in (b"ffffffffffffffffffff\r\n", b"-1\r\n", b"1;" + b"e" * 20000 + b"\r\n"):
            with self.subTest(chunk=bogus[:20]):
                head = build_request("POST", SEND_PATH,
                                     [("Content-Type", "application/x-www-form-urlencoded"),
                                      ("Transfer-Encoding", "chunked")], content_length=False)
                with self.server.connect() as conn:
                    r = conn.request_racing(head + bogus + b"a" * 1000)
                self.assertTrue(r is None or r.status >= 400, r)
        for value in ("-5", "1, 2", "99999999999999999999999", "0x10"):
            with self.subTest(content_length=value):
                head = build_request("POST", SEND_PATH, [("Content-Length", value)],
                                     content_length=False)
                with self.server.connect() as conn:
                    r = conn.request_racing(head + b"a=1")
                self.assertTrue(r is None or r.status >= 400, r)
        while time.monotonic() - started < 12:  # past the 10 s header timeout
            self.assertServesQuickly()
            time.sleep(0.5)
        # Header tricklers are cut at the header timeout (10 s) even though
        # they keep sending; body tricklers at the body timeout (30 s).
        def closed(sock):
            try:
                sock.settimeout(0.2)
                return sock.recv(65536) == b"" or closed(sock)
            except socket.timeout:
                return False
            except OSError:
                return True
        harness.wait_for(lambda: all(closed(s) for s in socks[:50]), 15,
                         what="the server to cut off the slowloris connections")
        harness.wait_for(lambda: all(closed(s) for s in socks[50:]), 40,
                         what="the server to cut off the trickling bodies")
        self.assertLess(time.monotonic() - started, 50)
        stop.set()
        for s in socks:
            s.close()
        self.assertServesQuickly()
        self.assertNothingStored()

    # --- secrets in the log (last: named to sort after the others) -------------
    def test_zz_log_never_contains_secrets(self):
        """The whole trace-level log of this server after every attack above:
        no code, no SMTP password, no DKIM key material, no mail-ID secret,
        no admin key, no client API key."""
        self.server.call("nop", code="WRONG" + world.CODE)
        self.server.call("nop", code=world.CODE.lower())
        # The admin key and a client API key made through it, both used,
        # rightly and wrongly (a refused key must not be logged either).
        api_key = self.admin.ok("POST", "/admin/v1/clients/1/keys", {"name": "attacks"})["key"]
        self.assertGreaterEqual(len(api_key), 16)
        client_api = self.admin.with_key(api_key)
        self.assertEqual([c["id"] for c in client_api.ok("GET", "/admin/v1/clients")["items"]], [1])
        self.assertEqual(client_api.request("GET", "/admin/v1/clients/2/lists")[0], 403)
        for wrong in ("WRONG" + api_key, api_key.upper() + "X", ADMIN_KEY + "X"):
            self.assertEqual(self.admin.with_key(wrong).request("GET", "/admin/v1/clients")[0], 401)
        logs = self.server.all_logs()
        self.assertTrue(logs.strip(), "empty log")
        secrets = [world.CODE, world.BOOK_CODE, FARIP_CODE, POSTONLY_CODE, HTTPSONLY_CODE,
                   IPREDIRECT_CODE, harness.SMTP_PASS, ADMIN_KEY, api_key]
        for key in (self.stack.key1, self.stack.key2):
            pem = key.path.read_text()
            secrets += [line for line in pem.splitlines()
                        if line and not line.startswith("-----") and len(line) >= 16]
        for (secret,) in mailcheck.db_query(self.server.db,
                                            "SELECT mail_id_secret FROM clients"):
            value = secret.hex() if isinstance(secret, bytes) else str(secret)
            if len(value) >= 8:
                secrets.append(value)
        lower = logs.lower()
        for secret in secrets:
            with self.subTest(secret=secret[:6] + "..."):
                self.assertNotIn(secret.lower(), lower)


if __name__ == "__main__":
    unittest.main()
