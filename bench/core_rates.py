#!/usr/bin/python3
"""First figures for the core path (issue 2): the sustained sendeventmail
accept rate (wrk, keep-alive, 50 connections, durably enqueued, DKIM key
configured) and the delivery rate into postfix's smtp-sink (mails/s,
rendered, personalized, DKIM-signed, over SMTP with connection reuse).

Usage: bench/core_rates.py [--binary build/campaignd] [--seconds 10]
       [--deliver-seconds 60] [--db sqlite|postgresql://...]
Starts everything it needs on loopback in a temp dir and stops it after.
"""
import argparse
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(port, timeout=20):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("campaignd did not become ready")


def write_files(tmp, sink_port):
    key = os.path.join(tmp, "s1.pem")
    subprocess.run(["openssl", "genpkey", "-algorithm", "ed25519", "-out", key], check=True,
                   capture_output=True)
    text = "Hello {firstname}, " + "your order is on its way. " * 100
    with open(os.path.join(tmp, "bench.toml"), "w") as f:
        f.write(f"""
[[client]]
id = 1
name = "Bench Shop"
transport = "smtp://127.0.0.1:{sink_port}?starttls=never&connections=8"
  [[client.dkim]]
  domain = "example.com"
  selector = "s1"
  algorithm = "ed25519-sha256"
  private_key_file = "{key}"
  [[client.list]]
  id = 100
  name = "Customers"
  kind = "standard"
  fields = [ {{ name = "firstname", type = "text" }} ]
  [[client.recipient]]
  list = 100
  id = "john.smith@example.com"
  fields = {{ firstname = "John" }}
  [[client.mailing]]
  id = 5000
  name = "bench"
  type = "event"
  status = "SENDING"
  lists = [100]
  from = "Bench Shop <shop@example.com>"
  subject = "Thank you, {{firstname}}"
  text = "{text}"
  html = "<p>{text}</p>"
  [[client.code]]
  name = "bench"
  code = "BENCH-CODE-1"
  list = 100
""")


def serve(binary, db, tmp, port, role, workers=8):
    cfg = os.path.join(tmp, f"serve-{role}.toml")
    with open(cfg, "w") as f:
        f.write(f'listen = "127.0.0.1:{port}"\nlog_level = "warn"\ndelivery_workers = {workers}\n'
                f'idle_poll = "100ms"\n')
    log = open(os.path.join(tmp, f"serve-{role}.log"), "w")
    p = subprocess.Popen([binary, "serve", "--db", db, "--config", cfg, "--role", role],
                         cwd=tmp, stderr=log, stdout=log)
    return p


def stop(p):
    p.send_signal(signal.SIGTERM)
    try:
        p.wait(timeout=30)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()


def count(db_path, where):
    con = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=30)
    try:
        return con.execute(f"SELECT count(*) FROM mails WHERE {where}").fetchone()[0]
    finally:
        con.close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", default=os.path.join(ROOT, "build", "campaignd"))
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--deliver-seconds", type=int, default=60)
    args = ap.parse_args()
    args.binary = os.path.abspath(args.binary)
    tmp = tempfile.mkdtemp(prefix="campaignd-bench-")
    sink = None
    try:
        sink_port = free_port()
        os.chmod(tmp, 0o777)
        sink = subprocess.Popen(["/usr/sbin/smtp-sink", "-u", "nobody",
                                 f"127.0.0.1:{sink_port}", "1000"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        write_files(tmp, sink_port)
        db_path = os.path.join(tmp, "bench.db")
        db = "sqlite:" + db_path
        subprocess.run([args.binary, "apply", os.path.join(tmp, "bench.toml"), "--db", db],
                       check=True, capture_output=True)

        port = free_port()
        api = serve(args.binary, db, tmp, port, "api")
        wait_http(port)
        url = (f"http://127.0.0.1:{port}/http/form/BENCH-CODE-1/sendeventmail"
               "?bmRecipientId=john.smith%40example.com&bmMailingId=5000")
        wrk = subprocess.run(["wrk", "-t1", "-c50", f"-d{args.seconds}s", "--latency", url],
                             capture_output=True, text=True, check=True).stdout
        stop(api)
        rps = float(re.search(r"Requests/sec:\s+([\d.]+)", wrk).group(1))
        p50 = re.search(r"50%\s+(\S+)", wrk).group(1)
        p99 = re.search(r"99%\s+(\S+)", wrk).group(1)
        non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", wrk)
        enqueued = count(db_path, "1=1")

        worker = serve(args.binary, db, tmp, free_port(), "worker")
        start = time.time()
        deadline = start + args.deliver_seconds
        sent = 0
        while time.time() < deadline:
            time.sleep(0.5)
            sent = count(db_path, "status = 'sent'")
            if sent >= enqueued:
                break
        elapsed = time.time() - start
        stop(worker)
        failed = count(db_path, "status NOT IN ('sent','enqueued','sending')")

        print(f"machine: {os.cpu_count()} cores, "
              f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB")
        print(f"accept:   {rps:,.0f} req/s  (wrk -t1 -c50 -d{args.seconds}s, keep-alive; "
              f"p50 {p50}, p99 {p99}; {enqueued} mails enqueued"
              f"{', non-2xx ' + non2xx.group(1) if non2xx else ''})")
        print(f"delivery: {sent / elapsed:,.0f} mails/s  ({sent} of {enqueued} sent into smtp-sink "
              f"in {elapsed:.1f} s, 8 workers, 8 SMTP connections, ed25519 DKIM; "
              f"{failed} not sent)")
    finally:
        if sink:
            sink.terminate()
            sink.wait()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
