#!/usr/bin/python3
"""bench/inbound_load.py: sends one RFC 3464 DSN per mail ID to campaignd's
inbound SMTP listener (inbound_listen) over K connections in parallel, each
a process with one SMTP session of many transactions, and prints a JSON line:
DSNs answered 250, seconds from the first MAIL FROM to the last 250, the
rate. campaignd answers 250 only after the bounce is committed, so the rate
is the rate of bounces parsed and recorded.

Usage: bench/inbound_load.py --port P --ids FILE --domain bounce.example
           [--local bounces] [--connections 8] [--template EML]
The template is a Postfix "user unknown" DSN (tests/fixtures/bounces); its
VERP address and Message-ID are replaced by each mail's.
"""
import argparse
import json
import multiprocessing
import os
import re
import smtplib
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TEMPLATE = os.path.join(ROOT, "tests", "fixtures", "bounces", "postfix_user_unknown.eml")
MAIL_ID = re.compile(r"\b1-9E4-7GQ2M8XK4D0B3NZA\b")


def worker(args, ids, queue):
    with open(args.template, "rb") as f:
        template = f.read().decode("utf-8")
    template = template.replace("bounce.shop.example", args.domain)
    ok = 0
    with smtplib.SMTP("127.0.0.1", args.port, timeout=30) as smtp:
        smtp.ehlo("bench.example")
        for mail_id in ids:
            body = MAIL_ID.sub(mail_id, template).replace("\r\n", "\n").replace("\n", "\r\n")
            rcpt = f"{args.local}+{mail_id}@{args.domain}"
            refused = smtp.sendmail("", [rcpt], body.encode("utf-8"))
            if not refused:
                ok += 1
    queue.put(ok)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--ids", required=True)
    ap.add_argument("--domain", required=True)
    ap.add_argument("--local", default="bounces")
    ap.add_argument("--connections", type=int, default=8)
    ap.add_argument("--template", default=TEMPLATE)
    args = ap.parse_args()
    with open(args.ids) as f:
        ids = [line.strip() for line in f if line.strip()]
    chunks = [ids[i::args.connections] for i in range(args.connections)]
    queue = multiprocessing.Queue()
    procs = [multiprocessing.Process(target=worker, args=(args, c, queue)) for c in chunks if c]
    start = time.perf_counter()
    for p in procs:
        p.start()
    ok = sum(queue.get() for _ in procs)
    for p in procs:
        p.join()
    elapsed = time.perf_counter() - start
    print(json.dumps({"dsns": len(ids), "accepted": ok, "seconds": elapsed,
                      "per_s": ok / elapsed if elapsed else 0.0}))


if __name__ == "__main__":
    main()
