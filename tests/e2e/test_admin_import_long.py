"""Long test (label `long`, scripts/test-long): a CSV of 1,000,000 recipients
streamed (chunked) into the admin API of the real server, stored in batches;
the answer's counts, a time budget, and spot checks of stored rows.
Run: CAMPAIGND_BIN=build/campaignd /usr/bin/python3 tests/e2e/test_admin_import_long.py -v
"""

import os
import time
import unittest

import harness
from adminapi import ADMIN_KEY, AdminApi
from e2ecase import E2ETestCase, Stack

ROWS = int(os.environ.get("CAMPAIGND_IMPORT_ROWS", "1000000"))
# The whole import must finish within this (the ctest timeout is larger).
BUDGET_SECONDS = 300
ROWS_PER_CHUNK = 5000


def csv_chunks():
    yield b"email,firstname,orders\n"
    for start in range(0, ROWS, ROWS_PER_CHUNK):
        lines = [f"user{i}@bulk.example,Name {i},{i % 97}\n"
                 for i in range(start, min(ROWS, start + ROWS_PER_CHUNK))]
        yield "".join(lines).encode()


class AdminImportLongTest(E2ETestCase):
    def setUp(self):
        self.stack = Stack("admin_import_long", relay=False)
        self.addCleanup(self.stack.close)
        port = harness.free_port()
        self.stack.server.start(admin_listen=f"127.0.0.1:{port}", admin_key=ADMIN_KEY)
        self.api = AdminApi(port, timeout=BUDGET_SECONDS + 60)

    def test_a_million_rows_stream_in(self):
        client = self.api.ok("POST", "/admin/v1/clients", {"name": "bulk"})
        base = f"/admin/v1/clients/{client['id']}"
        lst = self.api.ok("POST", f"{base}/lists", {"name": "everyone", "fields": [
            {"name": "firstname", "type": "text"}, {"name": "orders", "type": "int"}]})
        started = time.monotonic()
        counts = self.api.ok("POST", f"{base}/lists/{lst['id']}/recipients/import", csv_chunks(),
                             content_type="text/csv")
        elapsed = time.monotonic() - started
        print(f"\n{ROWS} rows imported in {elapsed:.1f} s ({ROWS / elapsed:.0f} rows/s)")
        self.assertEqual((counts["rows"], counts["stored"], counts["rejected"]), (ROWS, ROWS, 0))
        self.assertLess(elapsed, BUDGET_SECONDS)
        for i in (0, ROWS // 2, ROWS - 1):
            one = self.api.ok("GET", f"{base}/lists/{lst['id']}/recipients/user{i}@bulk.example")
            self.assertEqual(one["fields"], {"firstname": f"Name {i}", "orders": str(i % 97)})
        page = self.api.ok("GET", f"{base}/lists/{lst['id']}/recipients?limit=1000")
        self.assertEqual(len(page["items"]), 1000)
        self.assertIsNotNone(page["next_cursor"])


if __name__ == "__main__":
    unittest.main()
