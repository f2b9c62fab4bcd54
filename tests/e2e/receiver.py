"""A webhook receiver for the end-to-end tests: Python's http.server on
127.0.0.1 in a thread, keeping every request (path, headers, body), and the
check of an X-Campaignd-Signature (events.md §4) as a receiver would do it.
Users: test_webhooks.py, test_event_story.py.
"""

import hashlib
import hmac
import http.server
import json
import re
import threading
import time


class Receiver:
    """An HTTP server on 127.0.0.1 in a thread (on `port`, or a free one).
    mode: "ok" (200), "fail" (500), "hang" (sleeps 5 s), "redirect" (302 to
    /elsewhere)."""

    def __init__(self, mode="ok", port=0):
        self.mode = mode
        self.requests = []  # (path, headers dict, body bytes)
        self.connections = 0
        self.lock = threading.Lock()
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                with receiver.lock:
                    receiver.requests.append((self.path, dict(self.headers.items()), body))
                    mode = receiver.mode
                if mode == "hang":
                    time.sleep(5)
                status = {"ok": 200, "fail": 500, "hang": 200, "redirect": 302}[mode]
                self.send_response(status)
                if mode == "redirect":
                    self.send_header("Location", f"http://127.0.0.1:{receiver.port}/elsewhere")
                answer = b"thanks" if status == 200 else b"nope"
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                try:
                    self.wfile.write(answer)
                except OSError:
                    pass

        class Server(http.server.ThreadingHTTPServer):
            daemon_threads = True

            def get_request(self):
                conn = super().get_request()
                with receiver.lock:
                    receiver.connections += 1
                return conn

        self.server = Server(("127.0.0.1", port), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path="/hook"):
        return f"http://127.0.0.1:{self.port}{path}"

    def set_mode(self, mode):
        with self.lock:
            self.mode = mode

    def events(self):
        """Every event received (all batches), in arrival order."""
        with self.lock:
            return [e for (_, _, body) in self.requests for e in json.loads(body)]

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def signature_ok(secret, headers, body):
    match = re.fullmatch(r"t=(\d+),v1=([0-9a-f]{64})", headers.get("X-Campaignd-Signature", ""))
    if not match:
        return False
    expected = hmac.new(secret.encode(), match.group(1).encode() + b"." + body,
                        hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, match.group(2))
