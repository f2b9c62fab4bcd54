#!/usr/bin/python3
"""SMTP relay for tests: receives mail and writes each message to a directory.

Run with Debian's /usr/bin/python3 (python3-aiosmtpd). Used by src/deliver's
deliver_test and by end-to-end tests; not part of campaignd.

  smtp_relay.py --port 0 --dir OUT [--tls-cert C --tls-key K [--require-starttls | --smtps]]
                [--auth user:pass] [--reply-code STAGE:CODE[:MATCH] ...]
                [--idle-timeout SECONDS] [--hang STAGE[:MATCH] ...]

Prints "READY <port>" on stdout once it listens (--port 0 picks a free port).
For message n (1, 2, ...) it writes OUT/<n>.eml (the bytes received, dot-stuffing
undone) and OUT/<n>.json (mail_from, rcpt_tos, peer, session, helo, tls, user).
OUT/sessions.txt always holds "sessions <total>", "max_concurrent <peak>",
"auth_commands <AUTH commands received>" and "auth_in_clear <those outside TLS>"
(a client that must not send its password without TLS is checked with these).
--smtps speaks TLS from the first byte (implicit TLS) instead of offering STARTTLS.
--drop-mail-after N hangs up, without a reply, on the MAIL command that would
start message N+1 of a session (a relay dying under a reused connection).
--reply-code makes RCPT or DATA (the reply after the final ".") answer CODE
for recipients containing MATCH (all when MATCH is omitted); repeatable.
--hang makes MAIL, RCPT or DATA (the reply after the final ".") never answer,
for recipients containing MATCH (MAIL: senders containing it; all when
omitted): a relay that accepts the connection and then hangs; repeatable.
Exits 0 on SIGTERM or SIGINT.
"""

import argparse
import asyncio
import json
import logging
import os
import signal
import ssl
import sys
import warnings

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword, syntax


class Stats:
    """Counts connections (sessions) and the peak of concurrent ones."""

    def __init__(self, out_dir):
        self.out_dir = out_dir
        self.total = 0
        self.active = 0
        self.peak = 0
        self.messages = 0
        self.auth_commands = 0
        self.auth_in_clear = 0
        self.write()

    def opened(self):
        self.total += 1
        self.active += 1
        self.peak = max(self.peak, self.active)
        self.write()
        return self.total

    def closed(self):
        self.active -= 1
        self.write()

    def auth(self, in_clear):
        self.auth_commands += 1
        self.auth_in_clear += 1 if in_clear else 0
        self.write()

    def write(self):
        path = os.path.join(self.out_dir, "sessions.txt")
        with open(path + ".tmp", "w") as f:
            f.write(f"sessions {self.total}\nmax_concurrent {self.peak}\n"
                    f"auth_commands {self.auth_commands}\nauth_in_clear {self.auth_in_clear}\n")
        os.replace(path + ".tmp", path)


def parse_reply_code(text):
    """STAGE:CODE[:MATCH] -> (stage, code, match)."""
    parts = text.split(":", 2)
    if len(parts) < 2 or parts[0].upper() not in ("RCPT", "DATA"):
        raise argparse.ArgumentTypeError("want RCPT|DATA:CODE[:MATCH]")
    code = int(parts[1])
    if not 400 <= code <= 599:
        raise argparse.ArgumentTypeError("CODE must be 4xx or 5xx")
    return parts[0].upper(), code, parts[2] if len(parts) == 3 else ""


def parse_hang(text):
    """STAGE[:MATCH] -> (stage, match)."""
    parts = text.split(":", 1)
    if parts[0].upper() not in ("MAIL", "RCPT", "DATA"):
        raise argparse.ArgumentTypeError("want MAIL|RCPT|DATA[:MATCH]")
    return parts[0].upper(), parts[1] if len(parts) == 2 else ""


async def hang_forever():
    while True:
        await asyncio.sleep(3600)


class Handler:
    def __init__(self, args, stats):
        self.args = args
        self.stats = stats

    def forced_reply(self, stage, rcpts):
        for want_stage, code, match in self.args.reply_code:
            if want_stage == stage and any(match in r for r in rcpts):
                return code
        return None

    def hangs(self, stage, addresses):
        return any(want == stage and any(match in a for a in addresses)
                   for want, match in self.args.hang)

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        if self.hangs("MAIL", [address]):
            await hang_forever()
        limit = self.args.drop_mail_after
        if limit is not None and server.messages_in_session >= limit:
            server.transport.abort()  # hang up without a word, as a dying relay would
            return "421 4.4.2 closing connection"
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.hangs("RCPT", [address]):
            await hang_forever()
        code = self.forced_reply("RCPT", [address])
        if code is not None:
            return f"{code} {code // 100}.1.1 <{address}>: Recipient address rejected"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.hangs("DATA", envelope.rcpt_tos):
            await hang_forever()
        code = self.forced_reply("DATA", envelope.rcpt_tos)
        if code is not None:
            return f"{code} {code // 100}.6.0 Message rejected by test relay"
        self.stats.messages += 1
        server.messages_in_session += 1
        n = self.stats.messages
        base = os.path.join(self.args.dir, str(n))
        with open(base + ".eml.tmp", "wb") as f:
            f.write(envelope.original_content)
        meta = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": list(envelope.rcpt_tos),
            "peer": list(session.peer) if session.peer else None,
            "session": server.session_number,
            "helo": session.host_name,
            "tls": server.transport.get_extra_info("ssl_object") is not None,
            "user": authenticated_user(session),
        }
        with open(base + ".json.tmp", "w") as f:
            json.dump(meta, f)
        # The .json appears last: a test that sees it may read the .eml.
        os.replace(base + ".eml.tmp", base + ".eml")
        os.replace(base + ".json.tmp", base + ".json")
        return f"250 2.0.0 Ok: queued as M{n}"


def authenticated_user(session):
    data = session.auth_data if session.authenticated else None
    return data.login.decode() if isinstance(data, LoginPassword) else None


class CountingSMTP(SMTP):
    """One instance per TCP connection; STARTTLS re-enters connection_made."""

    def __init__(self, *a, stats, **kw):
        super().__init__(*a, **kw)
        self.stats = stats
        self.session_number = None
        self.messages_in_session = 0

    def connection_made(self, transport):
        if self.session_number is None:
            self.session_number = self.stats.opened()
        super().connection_made(transport)

    @syntax("AUTH <mechanism>")
    async def smtp_AUTH(self, arg):
        # Counted before aiosmtpd looks at it: whatever it answers, the
        # password (AUTH PLAIN's initial response) has crossed the wire.
        in_clear = self.transport.get_extra_info("ssl_object") is None
        self.stats.auth(in_clear)
        return await super().smtp_AUTH(arg)

    def connection_lost(self, error):
        if self.session_number is not None and not getattr(self, "_counted_lost", False):
            self._counted_lost = True
            self.stats.closed()
        super().connection_lost(error)


def make_authenticator(user_pass):
    want_user, want_pass = user_pass.split(":", 1)

    def authenticate(server, session, envelope, mechanism, auth_data):
        ok = (isinstance(auth_data, LoginPassword)
              and auth_data.login.decode() == want_user
              and auth_data.password.decode() == want_pass)
        if ok:
            return AuthResult(success=True, auth_data=auth_data)
        # handled=False: aiosmtpd answers 535 itself; anything else hangs the client.
        return AuthResult(success=False, handled=False)

    return authenticate


def make_tls_context(args):
    if not args.tls_cert:
        return None
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(args.tls_cert, args.tls_key)
    return context


def make_factory(args, stats):
    # With --smtps the listener does TLS; the SMTP layer then offers no STARTTLS.
    tls_context = None if args.smtps else make_tls_context(args)
    kwargs = dict(
        tls_context=tls_context,
        require_starttls=bool(tls_context and args.require_starttls),
        timeout=args.idle_timeout,
        decode_data=False,
    )
    if args.auth:
        kwargs.update(
            authenticator=make_authenticator(args.auth),
            auth_required=True,
            # Over --smtps the whole connection is TLS already.
            auth_require_tls=tls_context is not None,
        )
    handler = Handler(args, stats)
    return lambda: CountingSMTP(handler, stats=stats, **kwargs)


async def serve(args):
    os.makedirs(args.dir, exist_ok=True)
    stats = Stats(args.dir)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(make_factory(args, stats), "127.0.0.1", args.port,
                                      ssl=make_tls_context(args) if args.smtps else None)
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    port = server.sockets[0].getsockname()[1]
    print(f"READY {port}", flush=True)
    await stop.wait()
    server.close()
    await server.wait_closed()


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--dir", required=True)
    p.add_argument("--tls-cert")
    p.add_argument("--tls-key")
    p.add_argument("--require-starttls", action="store_true")
    p.add_argument("--smtps", action="store_true", help="implicit TLS instead of STARTTLS")
    p.add_argument("--auth", help="user:pass; AUTH PLAIN/LOGIN required before MAIL")
    p.add_argument("--reply-code", type=parse_reply_code, action="append", default=[])
    p.add_argument("--hang", type=parse_hang, action="append", default=[])
    p.add_argument("--drop-mail-after", type=int, metavar="N",
                   help="hang up without a reply on MAIL after N messages in a session")
    p.add_argument("--idle-timeout", type=float, default=300.0,
                   help="close a connection idle this many seconds")
    args = p.parse_args()
    if bool(args.tls_cert) != bool(args.tls_key):
        p.error("--tls-cert and --tls-key go together")
    if (args.require_starttls or args.smtps) and not args.tls_cert:
        p.error("--require-starttls and --smtps need --tls-cert/--tls-key")
    if args.require_starttls and args.smtps:
        p.error("--require-starttls and --smtps exclude each other")
    if args.auth and ":" not in args.auth:
        p.error("--auth wants user:pass")
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    # aiosmtpd itself sets the deprecated Session.login_data on every AUTH.
    logging.getLogger("mail.log").setLevel(logging.ERROR)
    # Over --smtps, AUTH is protected by the listener's TLS, which aiosmtpd cannot see.
    warnings.filterwarnings("ignore", message="Requiring AUTH while not requiring TLS")
    asyncio.run(serve(args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
