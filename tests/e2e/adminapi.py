"""A small client of the admin JSON API (docs/admin-api.yaml) for the e2e
tests: JSON requests with a Bearer key, streamed CSV uploads (chunked)."""

import http.client
import json

ADMIN_KEY = "e2e-admin-key-0123456789abcdefgh"


class AdminApi:
    def __init__(self, port, key=ADMIN_KEY, timeout=600.0):
        self.port = port
        self.key = key
        self.timeout = timeout

    def with_key(self, key):
        return AdminApi(self.port, key, self.timeout)

    def request(self, method, path, body=None, content_type=None, headers=None):
        """(status, parsed JSON or raw text, response headers)."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
        try:
            hdrs = dict(headers or {})
            if self.key:
                hdrs["Authorization"] = f"Bearer {self.key}"
            data = body
            if isinstance(body, (dict, list)):
                data = json.dumps(body).encode()
                hdrs["Content-Type"] = "application/json"
            elif content_type:
                hdrs["Content-Type"] = content_type
            encode_chunked = data is not None and not isinstance(data, (bytes, str))
            conn.request(method, path, body=data, headers=hdrs, encode_chunked=encode_chunked)
            resp = conn.getresponse()
            raw = resp.read()
            ctype = resp.getheader("Content-Type", "")
            payload = json.loads(raw) if ctype.startswith("application/json") and raw else raw.decode()
            return resp.status, payload, dict(resp.getheaders())
        finally:
            conn.close()

    def ok(self, method, path, body=None, want=(200, 201, 204), **kw):
        status, payload, _ = self.request(method, path, body, **kw)
        if status not in (want if isinstance(want, tuple) else (want,)):
            raise AssertionError(f"{method} {path}: {status} {payload}")
        return payload
