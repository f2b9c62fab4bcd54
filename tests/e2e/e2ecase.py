"""The common setup of the end-to-end tests: Stack (temp dir, DKIM keys, the
relay, a campaignd with the standard world) and E2ETestCase (assertions on
exact answers).
"""

import unittest

import harness
import mailcheck
import world
from server import Campaignd

TEXT_PLAIN = "text/plain; charset=utf-8"


class Stack:
    """A temp dir with two DKIM keys, a STARTTLS+AUTH relay (unless
    relay=False) and an unstarted Campaignd; `clients` is the standard
    world pointing at the relay, for the test to change before up()."""

    def __init__(self, name, relay=True):
        self.work = harness.Workdir(name)
        try:
            keys = self.work.sub("keys")
            self.key1 = mailcheck.make_dkim_key(keys, "example.com", "s1", "ed25519-sha256")
            self.key2 = mailcheck.make_dkim_key(keys, "books.example", "s2", "rsa-sha256")
            self.relay = harness.Relay(self.work).start() if relay else None
            # file:DIR is below outbox_root, which Campaignd.start sets to the temp dir.
            self.work.sub("outbox")
            transport = self.relay.transport_url() if relay else "file:outbox"
            self.clients = world.standard_world(transport, f"keys/{self.key1.path.name}",
                                                f"keys/{self.key2.path.name}")
            self.server = Campaignd(self.work)
        except BaseException:
            self.work.cleanup()
            raise

    @property
    def shoe(self):
        return self.clients[0]

    @property
    def books(self):
        return self.clients[1]

    def up(self, role="all", **settings):
        self.server.apply(self.clients)
        self.server.start(role=role, **settings)
        return self.server

    def close(self):
        self.server.close()
        if self.relay:
            self.relay.stop()
        self.work.cleanup()


class E2ETestCase(unittest.TestCase):
    maxDiff = None

    def assertAnswer(self, response, body, status=200, reason=None):
        """The exact wire form of an API answer: status line, one
        Content-Type text/plain; charset=utf-8, Content-Length, and `body`
        byte for byte (no trailing newline)."""
        self.assertIsNotNone(response, "server closed the connection without an answer")
        want = body.encode("utf-8") if isinstance(body, str) else body
        reasons = {200: "OK", 302: "Found", 413: "Payload Too Large", 414: "URI Too Long",
                   431: "Request Header Fields Too Large", 503: "Service Unavailable"}
        status_line = f"HTTP/1.1 {status} {reason or reasons.get(status, '')}".encode()
        self.assertEqual(response.raw.split(b"\r\n", 1)[0], status_line, response.raw)
        self.assertEqual(response.headers_named("Content-Type"), [TEXT_PLAIN], response.raw)
        self.assertEqual(response.headers_named("Content-Length"), [str(len(want))], response.raw)
        self.assertIsNone(response.header("Transfer-Encoding"), response.raw)
        self.assertTrue(response.raw.endswith(b"\r\n\r\n" + want), response.raw)
        self.assertEqual(response.body, want, response.raw)

    def assertEnqueued(self, response):
        """200 `enqueued: <id>` exactly; returns the ID."""
        self.assertIsNotNone(response)
        body = response.body.decode("utf-8", "replace")
        self.assertTrue(body.startswith("enqueued: "), response.raw)
        mail_id = body[len("enqueued: "):]
        self.assertRegex(mail_id, r"^[0-9A-Za-z][0-9A-Za-z-]*[0-9A-Za-z]$")
        self.assertAnswer(response, body)
        return mail_id
