#!/usr/bin/python3
"""The whole life of a mail after the relay, end to end (issue 11's "Done
when"; events.md): one campaignd with every part on - a client with a bounce
domain and a webhook subscription to every event type, a tracked mailing, the
inbound SMTP listener - and a real HTTP receiver (receiver.py). Each event is
caused the way it happens in production and must arrive at the receiver as a
signed webhook (the signature checked here) with the fields of events.md §1:
`sent` (aiosmtpd relay), `bounce` (a Postfix DSN sent with smtplib to the
listener, and one through `campaignd inbound`; counted, and at the bounce
limit the next mail is `too_many_bounces`), `spamcomplaint` + `unsubscribe`
(an ARF report), `open` and `click` (the pixel and the link of the delivered
HTML; the click's 302 goes to the original URL), `unsubscribe` (HTTP API),
`singleoptin` / `doubleoptin` (subscribe; the confirmation link),
`blocklist` (admin API) and `filteredbyblocklist`. Then the receiver is down
for a minute while events happen, and gets every one of them afterwards.
Run: CAMPAIGND_BIN=build/campaignd /usr/bin/python3 tests/e2e/test_event_story.py -v
"""

import html as htmllib
import http.client
import re
import smtplib
import time
import unittest
import urllib.parse

import harness
import mailcheck
import world
from adminapi import ADMIN_KEY, AdminApi
from e2ecase import E2ETestCase, Stack
from receiver import Receiver, signature_ok
from test_bounces import dsn_for

DOMAIN = "bounce.shoe.example"
HTML = ("<html><body><p>Hello {firstname}</p>"
        "<a href=\"https://www.example.com/shoes?size=42\">Shoes</a></body></html>")
ALL_TYPES = ["sent", "bounce", "spamcomplaint", "open", "click", "unsubscribe", "singleoptin",
             "confirmedoptin", "doubleoptin", "blocklist", "filteredbyblocklist"]
BOUNCER = "bouncer@example.org"
COMPLAINER = "complainer@mailbox-provider.example"
READER = "reader@example.com"
LEAVER = "leaver@example.com"
CONFIRMATION = 5100
SINGLE, DOUBLE = 1, 2
CONFIRM_URL = "https://www.example.com/welcome"
HREF = re.compile(r"""href="(https?://[^"]+/r/[^"]+)\"""")
PIXEL = re.compile(r"""<img src="([^"]+/o/[^"]+\.gif)\"""")


class EventStoryTest(E2ETestCase):
    @classmethod
    def setUpClass(cls):
        cls.stack = Stack("event-story")
        cls.addClassCleanup(cls.stack.close)
        shoe = cls.stack.shoe
        shoe["bounce_domain"] = DOMAIN
        shoe["bounce_limit"] = 2
        shoe["mailing"][0].update(html=HTML, tracking="all")
        shoe["mailing"].append(world.mailing(
            CONFIRMATION, [100], name="confirm", type="confirmation", subject="Please confirm",
            text="Confirm: {bmOptInUrl}", html="<a href=\"{bmOptInUrl}\">yes</a>"))
        shoe["optin"] = [
            {"id": SINGLE, "name": "Checkout", "kind": "single"},
            {"id": DOUBLE, "name": "Newsletter", "kind": "double", "mailing": CONFIRMATION,
             "confirmation_url": CONFIRM_URL},
        ]
        for address in (BOUNCER, COMPLAINER, READER, LEAVER):
            shoe["recipient"].append(world.recipient(100, address, firstname="Ann", orders=1))
        del shoe["code"][0]["operations"]  # every operation
        cls.port = harness.free_port()
        cls.public = f"http://127.0.0.1:{cls.port}"
        cls.inbound_port = harness.free_port()
        cls.admin_port = harness.free_port()
        cls.server = cls.stack.up(
            port=cls.port, public_url=cls.public,
            inbound_listen=f"127.0.0.1:{cls.inbound_port}",
            admin_listen=f"127.0.0.1:{cls.admin_port}", admin_key=ADMIN_KEY,
            webhooks_allow_private=True, webhook_retry_base="1s", webhook_batch_wait="50ms")
        cls.api = AdminApi(cls.admin_port)
        harness.wait_for(cls.admin_ready, 10, what="the admin API")
        cls.receiver = Receiver()
        cls.addClassCleanup(lambda: cls.receiver.close())
        hook = cls.api.ok("POST", "/admin/v1/clients/1/webhooks",
                          {"url": cls.receiver.url(), "types": ALL_TYPES}, want=201)
        cls.secret = hook["signing_secret"]

    @classmethod
    def admin_ready(cls):
        try:
            return AdminApi(cls.admin_port, key=None).request("GET", "/openapi.yaml")[0] == 200
        except OSError:
            return False

    # --- helpers ------------------------------------------------------------
    def received(self, receiver=None):
        """Every event received so far, each request's signature checked."""
        receiver = receiver or self.receiver
        with receiver.lock:
            requests = list(receiver.requests)
        for _, headers, body in requests:
            self.assertTrue(signature_ok(self.secret, headers, body), headers)
            self.assertEqual(headers.get("Content-Type"), "application/json")
        return receiver.events()

    def wait_event(self, type_, address, n=1, receiver=None):
        """The n-th event of `type_` about `address` at the receiver."""
        def found():
            mine = [e for e in self.received(receiver)
                    if e["type"] == type_ and e.get("recipient", "").lower() == address]
            return mine[n - 1] if len(mine) >= n else None
        return harness.wait_for(found, 20, what=f"{type_} #{n} of {address} at the receiver")

    def deliver(self, address):
        mail_id = self.assertEnqueued(self.server.send_mail(address))
        self.server.wait_status(mail_id, "sent")
        found = harness.wait_for(
            lambda: [m for m in self.stack.relay.messages() if m.mail_id == mail_id.upper()],
            20, what=f"{mail_id} at the relay")
        return mail_id, found[0]

    def inbound(self, rcpt, message):
        with smtplib.SMTP("127.0.0.1", self.inbound_port, timeout=10) as s:
            self.assertEqual(s.sendmail("", [rcpt], message.encode("utf-8")), {})

    def fetch(self, url):
        self.assertTrue(url.startswith(self.public), url)
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            conn.request("GET", url[len(self.public):],
                         headers={"User-Agent": "Mozilla/5.0 Thunderbird/115.0"})
            r = conn.getresponse()
            return r.status, r.getheader("Location"), r.read()
        finally:
            conn.close()

    def call(self, op, params):
        return self.server.call(op, params).body.decode()

    # --- the story ------------------------------------------------------------
    def test_1_every_event_arrives_signed(self):
        # sent: the relay's 250.
        mail_id, captured = self.deliver(BOUNCER)
        self.assertEqual(captured.meta["mail_from"], f"bounces+{mail_id.upper()}@{DOMAIN}")
        sent = self.wait_event("sent", BOUNCER)
        self.assertEqual(sent["mailId"].upper(), mail_id.upper())
        self.assertEqual((sent["client"], sent["mailing"], sent["list"]),
                         (1, world.MAILING, 100))
        self.assertRegex(sent["id"], r"^[0-9]+$")
        self.assertRegex(sent["time"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$")

        # bounce: a Postfix DSN through the listener, one through `campaignd inbound`.
        dsn = dsn_for("postfix_user_unknown.eml", mail_id).replace("nobody@example.org", BOUNCER)
        self.inbound(f"bounces+{mail_id.upper()}@{DOMAIN}", dsn)
        bounce = self.wait_event("bounce", BOUNCER)
        self.assertEqual((bounce["mailId"].upper(), bounce["category"], bounce["status"]),
                         (mail_id.upper(), "hard", "5.1.1"))
        second, _ = self.deliver(BOUNCER)
        done = self.server.run(
            "inbound", "--db", self.server.db_arg, "--recipient",
            f"bounces+{second.upper()}@{DOMAIN}",
            input=dsn_for("postfix_user_unknown.eml", second).replace("nobody@example.org",
                                                                       BOUNCER))
        self.assertEqual(done.returncode, 0, done.stderr)
        self.wait_event("bounce", BOUNCER, n=2)
        # Two hard bounces = the client's limit: the next mail is not sent.
        third = self.assertEnqueued(self.server.send_mail(BOUNCER))
        self.server.wait_status(third, "too_many_bounces")
        self.assertEqual(self.server.status(mail_id), "sent")  # delivery status kept

        # spamcomplaint + unsubscribe: an ARF report to the complaint address.
        complained, _ = self.deliver(COMPLAINER)
        self.inbound(f"fbl@{DOMAIN}", dsn_for("arf_abuse.eml", complained))
        complaint = self.wait_event("spamcomplaint", COMPLAINER)
        self.assertEqual(complaint["mailId"].upper(), complained.upper())
        self.wait_event("unsubscribe", COMPLAINER)

        # open and click: the delivered HTML's pixel and link.
        read, captured = self.deliver(READER)
        html = mailcheck.body_texts(captured.msg)["text/html"]
        link = htmllib.unescape(HREF.search(html).group(1))
        pixel = htmllib.unescape(PIXEL.search(html).group(1))
        time.sleep(1.2)  # a click in the first second after delivery is a scanner's
        self.assertEqual(self.fetch(pixel)[0], 200)
        status, location, _ = self.fetch(link)
        self.assertEqual((status, location), (302, "https://www.example.com/shoes?size=42"))
        opened = self.wait_event("open", READER)
        clicked = self.wait_event("click", READER)
        for event in (opened, clicked):
            self.assertEqual(event["mailId"].upper(), read.upper())
            self.assertTrue(event["first"])
            self.assertFalse(event["machine"])
            self.assertEqual(event["ip"], "127.0.0.0")
        self.assertEqual(clicked["url"], "https://www.example.com/shoes?size=42")

        # unsubscribe through the HTTP API.
        self.assertEqual(self.call("unsubscribe", [("bmRecipientId", LEAVER)]), "ok")
        self.wait_event("unsubscribe", LEAVER)

        # singleoptin; doubleoptin once the confirmation link is followed.
        self.assertEqual(self.call("subscribe", [("bmRecipientId", "single@example.com"),
                                                 ("bmOptInId", str(SINGLE))]), "ok")
        single = self.wait_event("singleoptin", "single@example.com")
        self.assertEqual(single["optInProcessId"], SINGLE)
        self.assertEqual(self.call("subscribe", [("bmRecipientId", "double@example.com"),
                                                 ("bmOptInId", str(DOUBLE))]), "ok")
        confirm = harness.wait_for(
            lambda: [m for m in self.stack.relay.messages()
                     if "double@example.com" in m.meta.get("rcpt_tos", [])], 20,
            what="the confirmation mail")[0]
        url = re.search(r"Confirm: (\S+)",
                        mailcheck.body_texts(confirm.msg)["text/plain"]).group(1)
        self.assertEqual(self.server.get(urllib.parse.urlsplit(url)._replace(
            scheme="", netloc="").geturl()).status, 302)
        double = self.wait_event("doubleoptin", "double@example.com")
        self.assertEqual(double["optInProcessId"], DOUBLE)

        # blocklist (admin API) and filteredbyblocklist.
        self.api.ok("POST", "/admin/v1/clients/1/blocklist",
                    {"pattern": "*@blocked.example", "reason": "story"}, want=(200, 201))
        blocked = self.wait_event("blocklist", "")
        self.assertEqual(blocked["pattern"], "*@blocked.example")
        self.assertEqual(self.call("subscribe", [("bmRecipientId", "x@blocked.example")]),
                         "blacklisted")

    def test_2_a_receiver_down_for_a_minute_gets_every_event_afterwards(self):
        hook_receiver = Receiver()
        port = hook_receiver.port
        hook = self.api.ok("POST", "/admin/v1/clients/1/webhooks",
                           {"url": hook_receiver.url(), "types": ["unsubscribe"]}, want=201)
        hook_receiver.close()  # down: connections refused
        addresses = [f"gone{i}@example.com" for i in range(5)]
        for address in addresses:
            self.assertEqual(self.call("unsubscribe", [("bmRecipientId", address)]), "ok")
        harness.wait_for(lambda: self.api.ok(
            "GET", f"/admin/v1/clients/1/webhooks/{hook['id']}/attempts")["items"], 10,
            what="a failed attempt")
        time.sleep(60)
        back = Receiver(port=port)
        self.addCleanup(back.close)
        saved, self.secret = self.secret, hook["signing_secret"]
        try:
            for address in addresses:
                self.wait_event("unsubscribe", address, receiver=back)
        finally:
            self.secret = saved
        attempts = self.api.ok("GET", f"/admin/v1/clients/1/webhooks/{hook['id']}/attempts")
        self.assertGreaterEqual(len(attempts["items"]), 2)
        state = self.api.ok("GET", f"/admin/v1/clients/1/webhooks/{hook['id']}")["state"]
        self.assertEqual(state, "activated")


if __name__ == "__main__":
    unittest.main()
