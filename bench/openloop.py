#!/usr/bin/python3
"""An open-loop HTTP load generator (wrk2 is not in Debian): request i is due
at start + i / rate whether or not earlier requests have been answered, so a
slow server cannot slow the load down (no coordinated omission). Requests go
over keep-alive HTTP/1.1 connections from a pool that grows up to
--connections; a request that waits for a free connection waits on the clock.

For every request it writes one line "due sent answered status body" (unix
seconds, wall clock, so they compare with the sink's file times) to --out.
Callers: bench/compare (end-to-end latency). Threads: one asyncio loop.
Usage: bench/openloop.py --port P --path /http/... --rate 1000 --seconds 20 --out FILE
       bench/openloop.py --port P --path /http/... --closed N --connections 50 --out FILE
       (closed loop: exactly N requests, e.g. to queue a batch of N mails)
"""
import argparse
import asyncio
import sys
import time


class Pool:
    def __init__(self, port, limit):
        self.port = port
        self.limit = limit
        self.opened = 0
        self.idle = asyncio.Queue()

    async def get(self):
        if self.idle.empty() and self.opened < self.limit:
            self.opened += 1
            return await asyncio.open_connection("127.0.0.1", self.port)
        return await self.idle.get()

    def put(self, conn):
        self.idle.put_nowait(conn)


async def exchange(conn, request):
    reader, writer = conn
    writer.write(request)
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    length = 0
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":", 1)[1])
    body = await reader.readexactly(length)
    return status, body.decode("utf-8", "replace").replace(" ", "_")


async def one(pool, request, due, results):
    conn = await pool.get()
    sent = time.time()
    try:
        status, body = await exchange(conn, request)
    except (OSError, asyncio.IncompleteReadError, ValueError) as e:
        conn[1].close()
        pool.opened -= 1
        results.append((due, sent, time.time(), 0, type(e).__name__))
        return
    results.append((due, sent, time.time(), status, body))
    pool.put(conn)


async def closed(pool, request, count, results):
    """One connection's share of a closed-loop batch: the next request goes
    when the previous answer is in."""
    for _ in range(count):
        await one(pool, request, time.time(), results)


async def run(args):
    request = (f"GET {args.path} HTTP/1.1\r\nHost: 127.0.0.1:{args.port}\r\n\r\n").encode()
    pool = Pool(args.port, args.connections)
    results, tasks = [], []
    if args.closed:
        shares = [args.closed // args.connections + (i < args.closed % args.connections)
                  for i in range(args.connections)]
        await asyncio.gather(*(closed(pool, request, n, results) for n in shares))
        return results
    total = int(args.rate * args.seconds)
    start = time.time() + 0.1
    for i in range(total):
        due = start + i / args.rate
        delay = due - time.time()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(pool, request, due, results)))
    await asyncio.wait_for(asyncio.gather(*tasks), timeout=args.seconds + 30)
    return results


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--path", required=True)
    ap.add_argument("--rate", type=float, default=1000)
    ap.add_argument("--seconds", type=float, default=20)
    ap.add_argument("--connections", type=int, default=256)
    ap.add_argument("--closed", type=int, default=0,
                    help="instead: N requests as fast as --connections connections allow")
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    results = asyncio.run(run(args))
    with open(args.out, "w") as f:
        for due, sent, answered, status, body in results:
            f.write(f"{due:.6f} {sent:.6f} {answered:.6f} {status} {body}\n")
    late = sum(1 for r in results if r[1] - r[0] > 0.01)
    print(f"{len(results)} requests, {late} sent more than 10 ms after they were due",
          file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
