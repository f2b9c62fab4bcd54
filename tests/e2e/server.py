"""Campaignd: drives the real binary for the end-to-end tests.

It writes the provisioning file and the config, runs `campaignd apply`,
starts `campaignd serve` on a free port and waits for GET /healthz, stops it
with SIGTERM or kills it with SIGKILL, restarts it on the same database, and
sends API requests with the raw client of httpraw.py. The database is on the
engine under test (database.py: SQLite, or PostgreSQL when the environment
names a server).
"""

import signal
import subprocess

import database
import harness
import httpraw
import world
from harness import wait_for


class Campaignd:
    def __init__(self, work, name="campaignd", db=None):
        """`db`: another server's database (a Path or postgresql:// URL) to
        share; None: a fresh one on the engine under test (database.py)."""
        self.work = work
        self.name = name
        self.db = db or database.fresh(work, name)
        self.provisioning = work.path / f"{name}-provision.toml"
        self.proc = None
        self.port = None
        self.runs = 0
        self.log_path = None
        self.config = {}

    @property
    def db_arg(self):
        """The --db value: sqlite:PATH or the postgresql:// URL."""
        return database.db_arg(self.db)

    # --- commands -------------------------------------------------------
    def run(self, *args, timeout=30, input=None):
        """Runs `campaignd ARGS...`; returns the CompletedProcess (text)."""
        return subprocess.run([harness.campaignd_bin(), *map(str, args)], capture_output=True,
                              text=True, timeout=timeout, input=input)

    def apply(self, clients, check=True):
        self.provisioning.write_text(world.provisioning_toml(clients), encoding="utf-8")
        done = self.run("apply", self.provisioning, "--db", self.db_arg)
        if check and done.returncode != 0:
            raise AssertionError(f"campaignd apply failed ({done.returncode}):\n"
                                 f"{done.stdout}{done.stderr}")
        return done

    def mail(self, mail_id):
        return self.run("mail", mail_id, "--db", self.db_arg)

    # --- the server -----------------------------------------------------
    def start(self, role="all", port=None, wait=True, **settings):
        """Starts `serve` with FAST_CONFIG + `settings` (None drops a key)."""
        if self.running():
            raise RuntimeError("already running")
        self.runs += 1
        self.port = port or self.port or harness.free_port()
        # file: transports write below the temp dir (file:outbox = WORK/outbox).
        self.config = dict(harness.FAST_CONFIG, role=role, listen=f"127.0.0.1:{self.port}",
                           outbox_root=str(self.work.path))
        self.config.update(settings)
        config_path = self.work.path / f"{self.name}-{self.runs}.toml"
        config_path.write_text(world.config_toml(self.config), encoding="utf-8")
        self.log_path = self.work.path / f"{self.name}-{self.runs}.log"
        with open(self.log_path, "wb") as log:
            self.proc = subprocess.Popen(
                [harness.campaignd_bin(), "serve", "--db", self.db_arg, "--config",
                 str(config_path)], stdout=log, stderr=subprocess.STDOUT)
        if wait:
            self.wait_ready()
        return self

    def wait_ready(self, timeout=harness.START_TIMEOUT):
        def ready():
            if self.proc.poll() is not None:
                raise AssertionError(f"campaignd serve exited with {self.proc.returncode}:\n"
                                     f"{self.log()}")
            try:
                r = self.get("/healthz")
            except OSError:
                return False
            return r is not None and r.status == 200 and r.body == b"ok"
        wait_for(ready, timeout, what="GET /healthz = 200 ok")

    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def stop(self, timeout=20.0):
        """SIGTERM; returns the exit status."""
        return harness._stop_process(self.proc, signal.SIGTERM, timeout)

    def kill(self):
        """SIGKILL, as a crash."""
        if self.running():
            self.proc.kill()
        self.proc.wait()

    def log(self):
        """This run's log (stdout and stderr)."""
        return self.log_path.read_text(errors="replace") if self.log_path else ""

    def all_logs(self):
        return "".join((self.work.path / f"{self.name}-{n}.log").read_text(errors="replace")
                       for n in range(1, self.runs + 1))

    def close(self):
        if self.running():
            self.proc.kill()
            self.proc.wait()

    # --- HTTP -----------------------------------------------------------
    def connect(self, timeout=15.0, tls=False):
        """A connection to the plain listener, or (tls=True) to the TLS
        listener of a server started with tls_listen, trusting tls_cert."""
        if not tls:
            return httpraw.Connection(self.port, timeout=timeout)
        port = int(self.config["tls_listen"].rsplit(":", 1)[1])
        return httpraw.Connection(port, timeout=timeout, tls_cafile=self.config["tls_cert"])

    def send(self, data, head=False, timeout=15.0, tls=False):
        """Sends raw request bytes on a new connection; returns the response."""
        with self.connect(timeout, tls) as conn:
            return conn.request(data, head=head)

    def get(self, target, headers=()):
        return self.send(httpraw.build_request("GET", target, headers))

    def call(self, op, params=(), method="GET", code=world.CODE, service="form",
             charset="utf-8", headers=(), parts=None, query=None, tls=False):
        """One API request. `params` [(name, value)] go into the query (GET),
        an urlencoded body (POST) or multipart parts (MULTIPART; or give
        `parts`); `query` adds a query string to a POST."""
        path = f"/http/{service}/{code}/{op}"
        params = list(params.items()) if isinstance(params, dict) else list(params)
        headers = list(headers)
        body = b""
        if method == "GET":
            qs = httpraw.encode_pairs(params, charset)
            target = path + ("?" + qs if qs else "")
            return self.send(httpraw.build_request("GET", target, headers), tls=tls)
        target = path + ("?" + httpraw.encode_pairs(query, charset) if query else "")
        if method == "POST":
            body = httpraw.encode_pairs(params, charset).encode("ascii")
            headers.append(("Content-Type", "application/x-www-form-urlencoded"))
        elif method == "MULTIPART":
            ctype, body = httpraw.multipart_body(
                parts if parts is not None else [httpraw.Part(n, v) for n, v in params])
            headers.append(("Content-Type", ctype))
            method = "POST"
        return self.send(httpraw.build_request(method, target, headers, body), tls=tls)

    def send_mail(self, recipient=world.JOHN, mailing=world.MAILING, code=world.CODE,
                  method="GET", **kw):
        return self.call("sendeventmail", [("bmRecipientId", recipient),
                                           ("bmMailingId", str(mailing))],
                         method=method, code=code, **kw)

    def status(self, mail_id, code=world.CODE):
        return self.call("getsendstatus", [("bmMailId", mail_id)], code=code).body.decode()

    def wait_status(self, mail_id, want, code=world.CODE, timeout=15.0):
        """Polls getsendstatus until it answers `want` (str or tuple of str)."""
        wants = (want,) if isinstance(want, str) else tuple(want)
        seen = []

        def done():
            seen.append(self.status(mail_id, code))
            return seen[-1] in wants
        try:
            wait_for(done, timeout, interval=0.1, what=f"getsendstatus {mail_id} = {want}")
        except AssertionError:
            raise AssertionError(f"getsendstatus {mail_id}: wanted {want}, saw "
                                 f"{sorted(set(seen))}, last {seen[-1]!r}") from None
        return seen[-1]

