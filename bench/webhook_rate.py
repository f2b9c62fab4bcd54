#!/usr/bin/python3
"""Webhook events/s delivered by the real `campaignd serve` (worker role) to a
local receiver (Python's http.server, threaded, on 127.0.0.1), target
>= 2,000 events/s (issue 11). N events are written into the events table and
one subscription's outbox in one statement each (as events::Append writes
them); the clock runs from that commit until the receiver has every event
id. Uses the e2e harness (tests/e2e) for the server, its config and the
database (SQLite, or PostgreSQL when CAMPAIGND_E2E_DATABASE(_FILE) names one).

  bench/webhook_rate.py --binary build/campaignd [--events 20000] [--batch 100] [--workers 4]
"""

import argparse
import json
import os
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "e2e"))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--binary", default=str(ROOT / "build" / "campaignd"))
    parser.add_argument("--events", type=int, default=20000)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()
    os.environ["CAMPAIGND_BIN"] = str(Path(args.binary).resolve())

    import database
    import harness
    from adminapi import ADMIN_KEY, AdminApi
    from e2ecase import Stack
    from receiver import Receiver

    stack = Stack("bench_webhooks", relay=False)
    receiver = Receiver("ok")
    try:
        admin_port = harness.free_port()
        server = stack.up(admin_listen=f"127.0.0.1:{admin_port}", admin_key=ADMIN_KEY,
                          webhooks_allow_private=True, webhook_batch=args.batch,
                          webhook_workers=args.workers, webhook_batch_wait="50ms",
                          log_level="warn")
        api = AdminApi(admin_port)
        harness.wait_for(lambda: harness.port_open(admin_port), 10, what="the admin API")
        hook = api.ok("POST", "/admin/v1/clients/1/webhooks",
                      {"url": receiver.url(), "types": ["unsubscribe"]}, want=201)
        now = int(time.time() * 1000)
        n = args.events
        database.execute(server.db,
                         f"WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < {n}) "
                         "INSERT INTO events (client_id, type, at, mail_seq, mailing_id, list_id, "
                         "recipient_id, address, data) SELECT 1, 'unsubscribe', "
                         f"{now}, NULL, 0, 100, 'r' || n || '@example.com', "
                         "'r' || n || '@example.com', '{\"source\":\"bench\"}' FROM g")
        started = time.monotonic()
        database.execute(server.db, "INSERT INTO webhook_outbox (client_id, webhook_id, event_id) "
                                    f"SELECT 1, {hook['id']}, id FROM events WHERE client_id = 1")

        def received():
            with receiver.lock:
                return sum(len(json.loads(b)) for (_, _, b) in receiver.requests)
        harness.wait_for(lambda: received() >= n, 600, interval=0.02, what=f"{n} events")
        elapsed = time.monotonic() - started
        with receiver.lock:
            posts = len(receiver.requests)
        ids = {e["id"] for e in receiver.events()}
        print(f"engine {database.engine_name()}: {n} events in {posts} POSTs (batch {args.batch}, "
              f"{args.workers} workers) in {elapsed:.2f} s = {n / elapsed:,.0f} events/s "
              f"(distinct ids {len(ids)}; target >= 2,000/s: "
              f"{'met' if n / elapsed >= 2000 else 'MISSED'})")
    finally:
        receiver.close()
        stack.close()


if __name__ == "__main__":
    main()
