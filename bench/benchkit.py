"""Shared pieces of the benchmarks (bench/core_rates.py, bench/compare): free
ports, processes that are always stopped, postfix's smtp-sink with a message
counter, provisioning of a bench shop, campaignd processes by role, wrk runs,
mail counts on SQLite and PostgreSQL, and a private PostgreSQL cluster.
Input: the campaignd binary and a temp dir. Threads: one reader per smtp-sink.
Errors: a process that does not come up raises RuntimeError.
"""
import json
import os
import re
import signal
import socket
import sqlite3
import subprocess
import threading
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CODE = "BENCH-CODE-1"
MAILING = 5000
# The text part and the HTML part each hold ~1.9 KB, so a rendered,
# signed mail is ~4.4 KB on the wire (about smtp-source -l 4096).
BODY = "Hello {firstname}, " + "your order is on its way. " * 72


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def machine():
    cores = os.cpu_count()
    gib = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    model = ""
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return f"{cores} cores ({model}), {gib:.0f} GiB"


def loadavg():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def fdatasync_ms(directory, count=100):
    """p50 and p99 of write(4 KiB) + fdatasync on the disk under `directory`:
    the floor of any durable accept (every enqueued mail waits for one)."""
    path = os.path.join(directory, "fdatasync.probe")
    times = []
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        for i in range(count):
            start = time.perf_counter()
            os.pwrite(fd, b"x" * 4096, (i % 16) * 4096)
            os.fdatasync(fd)
            times.append((time.perf_counter() - start) * 1000)
    finally:
        os.close(fd)
        os.remove(path)
    times.sort()
    return times[len(times) // 2], times[min(len(times) - 1, len(times) * 99 // 100)]


def peak_rss_mb(pid):
    """VmHWM of a live process in MB (None once it is gone)."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


class Procs:
    """Every process a benchmark starts; all are stopped on exit, newest first."""

    def __init__(self):
        self.procs = []

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        for p in reversed(self.procs):
            stop(p)

    def start(self, argv, log=None, **kw):
        out = open(log, "w") if log else subprocess.DEVNULL
        p = subprocess.Popen(argv, stdout=kw.pop("stdout", out), stderr=out, **kw)
        self.procs.append(p)
        return p


def stop(p, timeout=30):
    if p.poll() is not None:
        return
    p.send_signal(signal.SIGTERM)
    try:
        p.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()


class Sink:
    """postfix's smtp-sink on a free port; .messages counts completed DATA."""

    def __init__(self, procs, tmp, dump_dir=None, backlog=1000):
        self.port = free_port()
        self.messages = 0
        argv = ["/usr/sbin/smtp-sink", "-u", "nobody", "-c"]
        if dump_dir:
            os.makedirs(dump_dir, exist_ok=True)
            os.chmod(dump_dir, 0o777)
            argv += ["-d", os.path.join(dump_dir, "%H%M%S.")]
        argv += [f"127.0.0.1:{self.port}", str(backlog)]
        self.proc = procs.start(argv, stdout=subprocess.PIPE)
        threading.Thread(target=self._read, daemon=True).start()
        wait_port(self.port)

    def _read(self):
        # "-c" writes "sess=N quit=N mesg=N\r" after every session end and DATA.
        buf = b""
        while True:
            chunk = self.proc.stdout.read1(65536)
            if not chunk:
                return
            buf = (buf + chunk)[-256:]
            found = re.findall(rb"mesg=(\d+)", buf)
            if found:
                self.messages = int(found[-1])

    def wait_for(self, count, timeout):
        """Waits until `count` messages arrived; returns seconds waited."""
        start = time.time()
        while self.messages < count and time.time() - start < timeout:
            time.sleep(0.02)
        return time.time() - start


def wait_port(port, timeout=20):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listens on port {port}")


def wait_http(port, proc=None, timeout=30):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"campaignd on port {port} exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"campaignd on port {port} did not become ready")


def dkim_key(tmp, algorithm):
    key = os.path.join(tmp, f"dkim-{algorithm}.pem")
    argv = ["openssl", "genpkey", "-algorithm", "ed25519", "-out", key]
    if algorithm == "rsa":
        argv = ["openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048",
                "-out", key]
    if not os.path.exists(key):
        subprocess.run(argv, check=True, capture_output=True)
    return key


def provision(binary, tmp, db, sink_port, dkim="ed25519", connections=8, client_keys="",
              sections=""):
    """Applies the bench shop (client 1, list 100, mailing 5000, CODE) to db;
    `client_keys`: more lines of its [[client]] table, `sections`: more
    [[client.*]] tables (TOML text)."""
    key = dkim_key(tmp, dkim)
    algorithm = "ed25519-sha256" if dkim == "ed25519" else "rsa-sha256"
    path = os.path.join(tmp, "bench.toml")
    with open(path, "w") as f:
        f.write(f"""
[[client]]
id = 1
name = "Bench Shop"
transport = "smtp://127.0.0.1:{sink_port}?starttls=never&connections={connections}"
{client_keys}
  [[client.dkim]]
  domain = "example.com"
  selector = "s1"
  algorithm = "{algorithm}"
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
  id = {MAILING}
  name = "bench"
  type = "event"
  status = "SENDING"
  lists = [100]
  from = "Bench Shop <shop@example.com>"
  subject = "Thank you, {{firstname}}"
  text = "{BODY}"
  html = "<p>{BODY}</p>"
  [[client.code]]
  name = "bench"
  code = "{CODE}"
  list = 100
{sections}
""")
    subprocess.run([binary, "apply", path, "--db", db], check=True, capture_output=True)


def send_url(port, recipient="john.smith%40example.com"):
    return (f"http://127.0.0.1:{port}/http/form/{CODE}/sendeventmail"
            f"?bmRecipientId={recipient}&bmMailingId={MAILING}")


def serve(procs, binary, db, tmp, role, name=None, workers=8, idle_poll="100ms", port=None,
          settings=None):
    """Starts `campaignd serve` and waits until it answers; returns (proc, port).
    `settings`: more config keys (a dict of strings and booleans)."""
    name = name or role
    port = port or free_port()
    cfg = os.path.join(tmp, f"serve-{name}.toml")
    with open(cfg, "w") as f:
        # No admin API: its default port (8081) would collide between API processes.
        f.write(f'listen = "127.0.0.1:{port}"\nadmin_listen = ""\nlog_level = "warn"\n'
                f'delivery_workers = {workers}\nidle_poll = "{idle_poll}"\n')
        # json.dumps: a TOML string or boolean literal (JSON escapes are TOML ones).
        f.writelines(f"{k} = {json.dumps(v)}\n" for k, v in (settings or {}).items())
    p = procs.start([binary, "serve", "--db", db, "--config", cfg, "--role", role],
                    log=os.path.join(tmp, f"serve-{name}.log"), cwd=tmp)
    if role != "worker":
        wait_http(port, p)
    return p, port


def parse_ms(text):
    """A wrk latency ("812.00us", "4.71ms", "1.02s", "1.50m") in ms; NaN for what
    wrk prints when a run completed no request ("-nanus")."""
    m = re.match(r"([\d.]+)(us|ms|s|m)$", text)
    if not m:
        return float("nan")
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[m.group(2)]
    return float(m.group(1)) * scale


def wrk(urls, seconds, connections=50, script=None, env=None):
    """Runs one `wrk -t1 -c<connections/len(urls)> --latency` per URL at once.
    Returns req/s summed, the worst p50/p99 (ms), requests and non-2xx."""
    per = max(1, connections // len(urls))
    runs = []
    for url in urls:
        argv = ["wrk", "-t1", f"-c{per}", f"-d{seconds}s", "--latency"]
        if script:
            argv += ["-s", script]
        runs.append(subprocess.Popen(argv + [url], stdout=subprocess.PIPE, text=True,
                                     env={**os.environ, **(env or {})}))
    out = {"rps": 0.0, "p50": 0.0, "p99": 0.0, "requests": 0, "non2xx": 0, "errors": 0}
    for r in runs:
        text = r.communicate()[0]
        if r.returncode != 0:
            raise RuntimeError(f"wrk failed: {text}")
        out["rps"] += float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
        out["requests"] += int(re.search(r"(\d+) requests in", text).group(1))
        out["p50"] = max(out["p50"], parse_ms(re.search(r"50%\s+(\S+)", text).group(1)))
        out["p99"] = max(out["p99"], parse_ms(re.search(r"99%\s+(\S+)", text).group(1)))
        non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
        out["non2xx"] += int(non2xx.group(1)) if non2xx else 0
        errors = re.search(r"Socket errors: (.*)", text)
        if errors:
            out["errors"] += sum(int(n) for n in re.findall(r"\d+", errors.group(1)))
    return out


def count_mails(db, where="1=1"):
    """Mails in db matching a SQL condition (read-only; SQLite or PostgreSQL)."""
    sql = f"SELECT count(*) FROM mails WHERE {where}"
    if db.startswith("sqlite:"):
        con = sqlite3.connect(f"file:{db[len('sqlite:'):]}?mode=ro", uri=True, timeout=30)
        try:
            return con.execute(sql).fetchone()[0]
        finally:
            con.close()
    out = subprocess.run(["psql", db, "-Atc", sql], check=True, capture_output=True, text=True)
    return int(out.stdout.strip())


class PgCluster:
    """A private PostgreSQL cluster (scripts/pg-cluster) with one database per set-up."""

    def __init__(self, tmp):
        self.dir = os.path.join(tmp, "pg")
        os.chmod(tmp, 0o755)
        script = os.path.join(ROOT, "scripts", "pg-cluster")
        self.url = subprocess.run([script, "start", self.dir], check=True, capture_output=True,
                                  text=True).stdout.strip()

    def database(self, name):
        subprocess.run(["psql", self.url, "-qc", f"CREATE DATABASE {name}"], check=True,
                       capture_output=True)
        return self.url.rsplit("/", 1)[0] + "/" + name

    def stop(self):
        subprocess.run([os.path.join(ROOT, "scripts", "pg-cluster"), "stop", self.dir],
                       check=False, capture_output=True)
