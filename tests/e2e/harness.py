"""Processes for the end-to-end tests: temp dirs, the aiosmtpd relay
(tests/tools/smtp_relay.py), postfix's smtp-sink, and campaignd itself
(apply, serve, stop, kill, restart, the `mail` command).

Everything runs on 127.0.0.1 with free ports in a temp dir that is removed
afterwards (keep it with CAMPAIGND_E2E_KEEP=1). The binary comes from
CAMPAIGND_BIN (tests/CMakeLists.txt sets it).
"""

import json
import os
import re
import select
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import mailcheck

ROOT = Path(__file__).resolve().parents[2]
PYTHON = "/usr/bin/python3"
RELAY_SCRIPT = ROOT / "tests" / "tools" / "smtp_relay.py"
SMTP_SINK = "/usr/sbin/smtp-sink"
SMTP_USER = "relayuser"
SMTP_PASS = "Rel4y-Pa55word"
START_TIMEOUT = 20.0
# The local part of a Message-ID header (<MAILID@host>), possibly folded.
_MESSAGE_ID = re.compile(rb"^Message-ID:\s*<\s*([^@>\s]+)@", re.IGNORECASE | re.MULTILINE)

# Settings the tests start every server with: short timers so retries,
# leases and lifetimes play out in seconds.
FAST_CONFIG = {
    "public_url": "https://campaignd.example.net",
    "delivery_workers": 4,
    "claim_batch": 8,
    "lease": "5s",
    "min_backoff": "1s",
    "max_backoff": "2s",
    "lifetime": "10s",
    "idle_poll": "100ms",
    "log_level": "info",
    # The admin API's default port (8081) would collide between servers run in
    # parallel; tests that use it pass admin_listen themselves.
    "admin_listen": "",
}


def campaignd_bin():
    path = os.environ.get("CAMPAIGND_BIN")
    if not path:
        raise RuntimeError("set CAMPAIGND_BIN to the campaignd binary (e.g. build/campaignd)")
    return str(Path(path).resolve())


def wait_for(predicate, timeout=10.0, interval=0.05, what="condition"):
    """Calls `predicate` until it returns a truthy value, and returns it.
    AssertionError naming `what` (and the last value) after `timeout`."""
    deadline = time.monotonic() + timeout
    value = None
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}; last: {value!r}")
        time.sleep(interval)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_open(port):
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
        return True
    except OSError:
        return False


class Workdir:
    """A temp dir, world-readable so smtp-sink (user nobody) can reach its
    dump dir below it; removed by cleanup()."""

    def __init__(self, name="e2e"):
        self.path = Path(tempfile.mkdtemp(prefix=f"campaignd-{name}-"))
        self.path.chmod(0o755)
        self._cert = None
        self._cleanups = []  # [(fn, what)], run by cleanup() in reverse

    def on_cleanup(self, fn, what):
        """Runs `fn` at cleanup() (kept, and printed, with CAMPAIGND_E2E_KEEP)."""
        self._cleanups.append((fn, what))

    def sub(self, name, mode=0o755):
        p = self.path / name
        p.mkdir(parents=True, exist_ok=True)
        p.chmod(mode)
        return p

    def tls_cert(self):
        """(cert.pem, key.pem): a self-signed certificate for 127.0.0.1."""
        if self._cert is None:
            cert, key = self.path / "cert.pem", self.path / "key.pem"
            subprocess.run(
                ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                 "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", str(key), "-out",
                 str(cert), "-days", "2", "-subj", "/CN=127.0.0.1", "-addext",
                 "subjectAltName=IP:127.0.0.1,DNS:localhost"],
                check=True, capture_output=True)
            self._cert = (cert, key)
        return self._cert

    def cleanup(self):
        if os.environ.get("CAMPAIGND_E2E_KEEP"):
            print(f"kept {self.path}")
            for _, what in self._cleanups:
                print(f"kept {what}")
            return
        while self._cleanups:
            fn, _ = self._cleanups.pop()
            fn()
        shutil.rmtree(self.path, ignore_errors=True)


def _stop_process(proc, sig=signal.SIGTERM, timeout=10.0):
    if proc is None or proc.poll() is not None:
        return None if proc is None else proc.returncode
    proc.send_signal(sig)
    try:
        return proc.wait(timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        raise


class Captured:
    """One message the relay received: `raw` bytes and the relay's `meta`."""

    def __init__(self, n, meta, raw):
        self.n = n
        self.meta = meta
        self.raw = raw
        self.msg = mailcheck.parse_message(raw)

    @property
    def mail_id(self):
        """The mail ID from the Message-ID (<ID@...>), upper-case."""
        mid = str(self.msg["Message-ID"] or "").strip("<> ")
        return mid.split("@", 1)[0].upper()


class Relay:
    """tests/tools/smtp_relay.py: STARTTLS required and AUTH by default."""

    def __init__(self, work, name="relay", reply_codes=(), tls=True, auth=True, hang=()):
        self.work = work
        self.dir = work.sub(name)
        self.name = name
        self.reply_codes = list(reply_codes)
        self.hang = list(hang)  # smtp_relay.py --hang STAGE[:MATCH]
        self.tls = tls
        self.auth = auth
        self.port = None
        self.proc = None

    def start(self, port=0):
        cmd = [PYTHON, str(RELAY_SCRIPT), "--port", str(port), "--dir", str(self.dir)]
        if self.tls:
            cert, key = self.work.tls_cert()
            cmd += ["--tls-cert", str(cert), "--tls-key", str(key), "--require-starttls"]
        if self.auth:
            cmd += ["--auth", f"{SMTP_USER}:{SMTP_PASS}"]
        for rc in self.reply_codes:
            cmd += ["--reply-code", rc]
        for stage in self.hang:
            cmd += ["--hang", stage]
        log = open(self.work.path / f"{self.name}.log", "ab")
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=log)
        log.close()
        ready, _, _ = select.select([self.proc.stdout], [], [], START_TIMEOUT)
        line = self.proc.stdout.readline().decode() if ready else ""
        if not line.startswith("READY "):
            self.proc.kill()
            raise RuntimeError(f"relay did not start: {line!r}")
        self.port = int(line.split()[1])
        return self

    def stop(self):
        status = _stop_process(self.proc)
        if self.proc and self.proc.stdout:
            self.proc.stdout.close()
        return status

    def transport_url(self):
        url = "smtp://"
        if self.auth:
            url += f"{SMTP_USER}:{SMTP_PASS}@"
        url += f"127.0.0.1:{self.port}"
        if self.tls:
            url += f"?starttls=required&cafile={self.work.tls_cert()[0]}"
        else:
            url += "?starttls=never"
        return url

    def messages(self):
        out = []
        for meta_path in self.dir.glob("*.json"):
            n = int(meta_path.stem)
            meta = json.loads(meta_path.read_text())
            out.append(Captured(n, meta, (self.dir / f"{n}.eml").read_bytes()))
        return sorted(out, key=lambda c: c.n)

    def count(self):
        """Messages received so far (cheap: no parsing)."""
        return sum(1 for _ in self.dir.glob("*.json"))

    def wait_messages(self, count, timeout=15.0):
        return wait_for(lambda: (m := self.messages()) and len(m) >= count and m,
                        timeout, what=f"{count} message(s) at {self.name}")


class SmtpSink:
    """postfix smtp-sink (plain SMTP, no AUTH) with fault options, e.g.
    ["-r", "RCPT"] (450 on RCPT), ["-f", "RCPT"] (500), ["-q", "DATA"]."""

    def __init__(self, work, name="sink", faults=()):
        self.work = work
        self.dir = work.sub(name, 0o777)
        self.name = name
        self.faults = list(faults)
        self.port = free_port()
        self.proc = None

    def start(self, faults=None):
        if faults is not None:
            self.faults = list(faults)
        cmd = [SMTP_SINK]
        if os.geteuid() == 0:
            cmd += ["-u", "nobody"]
        cmd += ["-d", f"{self.dir}/%Y%m%d%H%M%S.", *self.faults, f"127.0.0.1:{self.port}", "64"]
        log = open(self.work.path / f"{self.name}.log", "ab")
        self.proc = subprocess.Popen(cmd, stdout=log, stderr=log)
        log.close()
        wait_for(lambda: self.proc.poll() is not None or port_open(self.port), START_TIMEOUT,
                 what="smtp-sink to listen")
        if self.proc.poll() is not None:
            raise RuntimeError(f"smtp-sink exited with {self.proc.returncode}")
        return self

    def stop(self):
        return _stop_process(self.proc)

    def transport_url(self):
        return f"smtp://127.0.0.1:{self.port}?starttls=never"

    def messages(self):
        """Parsed dumps of completed transactions (those holding a message)."""
        out = []
        for path in sorted(self.dir.iterdir(), key=lambda p: p.stat().st_mtime_ns):
            msg = mailcheck.parse_message(path.read_bytes())
            if msg["Message-ID"]:
                out.append(msg)
        return out

    def mail_ids(self):
        """The mail ID of each dumped message (from its Message-ID), in
        arrival order; cheap (a regex on the header block, no parsing), for
        thousands of messages."""
        out = []
        for path in sorted(self.dir.iterdir(), key=lambda p: p.stat().st_mtime_ns):
            head = path.read_bytes().split(b"\r\n\r\n", 1)[0]
            match = _MESSAGE_ID.search(head)
            if match:
                out.append(match.group(1).decode("ascii", "replace").upper())
        return out
