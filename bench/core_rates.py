#!/usr/bin/python3
"""Accept and delivery rates of campaignd on SQLite and on PostgreSQL, side by
side in one run (issue 3), including a scale-out set-up of 2 API + 2 worker
processes on one PostgreSQL database.

For each set-up: a fresh database, `campaignd apply` of the bench shop, then
  accept:   the API processes (`serve --role api`) take `wrk -t1 -c50 -dS`
            of sendeventmail (keep-alive; every 200 a durably enqueued mail,
            ed25519 DKIM configured); with 2 API processes, two wrk at once,
            25 connections each, one per port;
  delivery: the API processes stop, the worker processes (`--role worker`,
            8 delivery workers and 8 SMTP connections each) deliver every
            enqueued mail (rendered, personalized, signed) into postfix's
            smtp-sink; the rate is mails counted at the sink / seconds from
            starting the workers to the last mail.

Usage: bench/core_rates.py [--binary build/campaignd] [--seconds 10]
       [--deliver-seconds 60] [--setups sqlite,pg,pg-2x2] [--dkim ed25519|rsa]
Starts everything it needs on loopback in a temp dir (a private PostgreSQL
cluster via scripts/pg-cluster) and stops it all after.
"""
import argparse
import os
import shutil
import sys
import tempfile
import time

import benchkit as bk

# name -> (engine, API processes, worker processes)
SETUPS = {
    "sqlite": ("sqlite", 1, 1),
    "pg": ("postgresql", 1, 1),
    "pg-2x2": ("postgresql", 2, 2),
}


def database(tmp, engine, name, cluster):
    if engine == "sqlite":
        return "sqlite:" + os.path.join(tmp, f"{name}.db")
    return cluster.database(name.replace("-", "_"))


def run_setup(args, tmp, name, cluster, sink):
    engine, apis, workers = SETUPS[name]
    db = database(tmp, engine, name, cluster)
    bk.provision(args.binary, tmp, db, sink.port, dkim=args.dkim)
    with bk.Procs() as procs:
        ports = [bk.serve(procs, args.binary, db, tmp, "api", name=f"{name}-api{i}")[1]
                 for i in range(apis)]
        load = bk.loadavg()
        accept = bk.wrk([bk.send_url(p) for p in ports], args.seconds)
    enqueued = bk.count_mails(db)
    before = sink.messages
    with bk.Procs() as procs:
        start = time.time()
        for i in range(workers):
            bk.serve(procs, args.binary, db, tmp, "worker", name=f"{name}-worker{i}")
        while sink.messages - before < enqueued and time.time() - start < args.deliver_seconds:
            time.sleep(0.02)
        elapsed = time.time() - start
        delivered = sink.messages - before
    return {"name": name, "engine": engine, "apis": apis, "workers": workers, "load": load,
            "accept": accept, "enqueued": enqueued, "delivered": delivered,
            "delivery_rate": delivered / elapsed, "elapsed": elapsed}


def print_table(args, rows):
    print(f"machine: {bk.machine()}; wrk -t1 -c50 -d{args.seconds}s; DKIM {args.dkim}")
    print("| set-up | API + worker processes | accept req/s | p50 ms | p99 ms | non-2xx "
          "| enqueued | delivery mails/s | delivered | load avg |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        a = r["accept"]
        print(f"| {r['name']} ({r['engine']}) | {r['apis']} + {r['workers']} "
              f"| {a['rps']:,.0f} | {a['p50']:.1f} | {a['p99']:.1f} | {a['non2xx'] + a['errors']} "
              f"| {r['enqueued']:,} | {r['delivery_rate']:,.0f} "
              f"| {r['delivered']:,} in {r['elapsed']:.1f} s | {r['load']} |")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", default=os.path.join(bk.ROOT, "build", "campaignd"))
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--deliver-seconds", type=int, default=60)
    ap.add_argument("--setups", default="sqlite,pg,pg-2x2")
    ap.add_argument("--dkim", choices=["ed25519", "rsa"], default="ed25519")
    args = ap.parse_args()
    args.binary = os.path.abspath(args.binary)
    names = args.setups.split(",")
    for n in names:
        if n not in SETUPS:
            ap.error(f"unknown set-up {n!r} (known: {', '.join(SETUPS)})")
    tmp = tempfile.mkdtemp(prefix="campaignd-bench-")
    cluster = None
    try:
        os.chmod(tmp, 0o755)
        if any(SETUPS[n][0] == "postgresql" for n in names):
            cluster = bk.PgCluster(tmp)
        with bk.Procs() as procs:
            sink = bk.Sink(procs, tmp)
            rows = [run_setup(args, tmp, n, cluster, sink) for n in names]
        print_table(args, rows)
    finally:
        if cluster:
            cluster.stop()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
