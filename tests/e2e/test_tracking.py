#!/usr/bin/python3
"""Opens and clicks end to end (events.md §3): a mailing with tracking = "all"
sent through the aiosmtpd relay; the delivered HTML's tracked links and open
pixel fetched with a real HTTP client (http.client) from campaignd's public
listener: 302 to the original URL (static, with an entity in its query, and
personalised), the 43-byte GIF with Cache-Control: no-store; the open and
click events recorded with first=true then false; HEAD flagged machine; a
tampered or truncated token 404 with nothing recorded; the system links,
mailto: and data-notrack links and the text part untouched; DKIM still valid;
a recipient with a tracking opt-out gets an untracked mail."""

import html as htmllib
import http.client
import json
import re
import time
import unittest

import harness
import mailcheck
import world
from e2ecase import E2ETestCase, Stack

JANE = "jane.doe@example.com"
HTML = (
    "<html><body>"
    "<p>Hello {firstname}</p>"
    "<a href=\"https://www.example.com/shoes?size=42&amp;color=red\">Shoes</a>"
    "<A class=\"btn\" HREF='https://www.example.com/u/{firstname}'>You</A>"
    "<a href=\"{bmUnsubscribeUrl}\">Unsubscribe</a>"
    "<a href=\"mailto:help@example.com\">Mail us</a>"
    "<a data-notrack href=\"https://www.example.com/private\">Private</a>"
    "</body></html>")
TEXT = "Hello {firstname}, see https://www.example.com/shoes"
HREF = re.compile(r"""href\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.IGNORECASE)
PIXEL = re.compile(r"""<img src="([^"]+)" width="1" height="1"[^>]*>""")
GIF_BYTES = 43


class TrackingTest(E2ETestCase):
    @classmethod
    def setUpClass(cls):
        cls.stack = Stack("tracking")
        cls.addClassCleanup(cls.stack.close)
        shoe = cls.stack.shoe
        shoe["mailing"][0].update(html=HTML, text=TEXT, tracking="all")
        shoe["recipient"].append(world.recipient(100, JANE, firstname="Jane", orders=1))
        shoe["code"][0]["operations"] = world.ALL_OPS + ["createtrackingoptout"]
        cls.port = harness.free_port()
        cls.public = f"http://127.0.0.1:{cls.port}"
        cls.server = cls.stack.up(port=cls.port, public_url=cls.public)
        cls.relay = cls.stack.relay

    # --- helpers ------------------------------------------------------------
    def send(self, recipient):
        mail_id = self.assertEnqueued(self.server.send_mail(recipient))
        found = harness.wait_for(
            lambda: [m for m in self.relay.messages() if m.mail_id == mail_id.upper()], 20,
            what=f"mail {mail_id} at the relay")
        self.assertEqual(len(found), 1)
        return mail_id, found[0]

    def fetch(self, url, method="GET", agent="Mozilla/5.0 (X11; Linux) Thunderbird/115.0"):
        """(status, headers dict lower-case, body) of one request to our listener."""
        self.assertTrue(url.startswith(self.public), url)
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            conn.request(method, url[len(self.public):], headers={"User-Agent": agent})
            r = conn.getresponse()
            return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()
        finally:
            conn.close()

    def events(self, address):
        rows = mailcheck.db_query(
            self.server.db, "SELECT type, data FROM events WHERE address = ? "
            "AND type IN ('open', 'click') ORDER BY id", (address,))
        return [(t, d if isinstance(d, dict) else json.loads(d)) for t, d in rows]

    def wait_events(self, address, n):
        return harness.wait_for(lambda: (lambda e: e if len(e) >= n else None)(
            self.events(address)), 10, what=f"{n} tracking events of {address}")

    # --- the test -----------------------------------------------------------
    def test_tracked_mail_links_pixel_and_events(self):
        mail_id, captured = self.send(world.JOHN)
        bodies = mailcheck.body_texts(captured.msg)
        self.assertEqual(bodies["text/plain"].rstrip("\r\n"),
                         "Hello John, see https://www.example.com/shoes")
        html = bodies["text/html"]
        hrefs = [htmllib.unescape(a or b) for a, b in HREF.findall(html)]
        tracked = [h for h in hrefs if h.startswith(self.public + "/r/")]
        self.assertEqual(len(tracked), 2, hrefs)
        # Left alone: the unsubscribe link, mailto: and data-notrack.
        self.assertIn(f"{self.public}/http/mail/{mail_id}/unsubscribe".lower(),
                      [h.lower() for h in hrefs])
        self.assertIn("mailto:help@example.com", hrefs)
        self.assertIn("https://www.example.com/private", hrefs)
        self.assertNotIn("https://www.example.com/shoes", html)
        # The pixel, just before </body>.
        pixel = PIXEL.search(html)
        self.assertIsNotNone(pixel, html)
        self.assertTrue(html[pixel.end():].startswith("</body>"), html[pixel.end():])
        pixel_url = htmllib.unescape(pixel.group(1))
        self.assertRegex(pixel_url, "^" + re.escape(self.public) + r"/o/[A-Za-z0-9_-]+\.gif$")
        # The rewritten body is still DKIM-valid.
        signatures = mailcheck.verify_dkim(captured.raw, [self.stack.key1, self.stack.key2])
        self.assertTrue(signatures and all(ok for _, ok in signatures), signatures)

        # A click within a second of delivery counts as a scanner's (machine):
        # a reader's comes later.
        self.server.wait_status(mail_id, "sent")
        time.sleep(1.2)
        # Open: the GIF, uncached; first=true, then false.
        for _ in range(2):
            status, headers, body = self.fetch(pixel_url)
            self.assertEqual(status, 200)
            self.assertEqual(headers["content-type"], "image/gif")
            self.assertEqual(headers["cache-control"], "no-store")
            self.assertEqual(len(body), GIF_BYTES)
            self.assertTrue(body.startswith(b"GIF89a") and body.endswith(b";"))
        # Clicks: 302 to the original URLs (entity decoded, personalised).
        want = ["https://www.example.com/shoes?size=42&color=red",
                "https://www.example.com/u/John"]
        for url, target in zip(tracked, want):
            status, headers, _ = self.fetch(url)
            self.assertEqual(status, 302, url)
            self.assertEqual(headers["location"], target)
        self.fetch(tracked[0])  # a second click on the first link
        events = self.wait_events(world.JOHN, 5)
        self.assertEqual([t for t, _ in events], ["open", "open", "click", "click", "click"])
        self.assertEqual([d["first"] for _, d in events], [True, False, True, False, False])
        self.assertEqual([d.get("linkIndex") for _, d in events[2:]], [0, 1, 0])
        self.assertEqual(events[2][1]["url"], want[0])
        for _, d in events:
            self.assertEqual(d["ip"], "127.0.0.0")  # truncated to /24
            self.assertIn("Thunderbird", d["userAgent"])
            self.assertFalse(d["machine"])

        # HEAD on the pixel: answered, recorded as a machine.
        status, headers, body = self.fetch(pixel_url, method="HEAD")
        self.assertEqual((status, headers["content-type"], body), (200, "image/gif", b""))
        events = self.wait_events(world.JOHN, 6)
        self.assertTrue(events[5][1]["machine"])

        # Tampered, truncated, swapped: 404, nothing recorded.
        token = tracked[0][len(self.public + "/r/"):]
        flipped = token[:5] + ("A" if token[5] != "A" else "B") + token[6:]
        pixel_token = pixel_url[len(self.public + "/o/"):-len(".gif")]
        for bad in [f"/r/{flipped}", f"/r/{token[:-1]}", f"/r/{token}x", "/r/",
                    f"/r/{pixel_token}", f"/o/{token}.gif", f"/o/{flipped}.gif",
                    f"/r/{token}/extra"]:
            status, _, _ = self.fetch(self.public + bad)
            self.assertEqual(status, 404, bad)
        time.sleep(1.0)  # the recorder writes within milliseconds
        self.assertEqual(len(self.events(world.JOHN)), 6)

    def test_opted_out_recipient_gets_an_untracked_mail(self):
        self.assertAnswer(self.server.call("createtrackingoptout", [("bmRecipientId", JANE)]),
                          "ok")
        _, captured = self.send(JANE)
        html = mailcheck.body_texts(captured.msg)["text/html"]
        self.assertNotIn(self.public + "/r/", html)
        self.assertNotIn(self.public + "/o/", html)
        self.assertIn("https://www.example.com/shoes?size=42&amp;color=red", html)
        self.assertIn("https://www.example.com/u/Jane", html)


if __name__ == "__main__":
    unittest.main()
