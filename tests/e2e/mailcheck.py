"""Checks on what campaignd produced: DKIM keys and signatures, captured
messages, and read-only counts in the campaignd database (either engine,
through database.py).

DKIM: the harness generates keys with openssl; `verify_dkim` checks every
DKIM-Signature of a message with python3-dkim, answering DNS from the public
keys of those files (no network).
"""

import base64
import email
import email.policy
import subprocess
from pathlib import Path

import dkim

import database


class DkimKey:
    """A key file made by openssl and its DNS TXT record."""

    def __init__(self, path, domain, selector, algorithm):
        self.path = Path(path)
        self.domain = domain
        self.selector = selector
        self.algorithm = algorithm  # "ed25519-sha256" | "rsa-sha256"
        der = subprocess.run(["openssl", "pkey", "-in", str(path), "-pubout", "-outform", "DER"],
                             check=True, capture_output=True).stdout
        if algorithm == "ed25519-sha256":
            # RFC 8463: p= is the raw 32-byte key, the tail of the SPKI DER.
            self.txt = b"v=DKIM1; k=ed25519; p=" + base64.b64encode(der[-32:])
        else:
            self.txt = b"v=DKIM1; k=rsa; p=" + base64.b64encode(der)

    @property
    def dns_name(self):
        return f"{self.selector}._domainkey.{self.domain}".lower()


def make_dkim_key(directory, domain, selector, algorithm):
    """Generates a private key (PEM) in `directory` and returns its DkimKey."""
    path = Path(directory) / f"{selector}.{domain}.pem"
    if algorithm == "ed25519-sha256":
        cmd = ["openssl", "genpkey", "-algorithm", "ed25519", "-out", str(path)]
    else:
        cmd = ["openssl", "genpkey", "-algorithm", "rsa", "-pkeyopt", "rsa_keygen_bits:2048",
               "-out", str(path)]
    subprocess.run(cmd, check=True, capture_output=True)
    return DkimKey(path, domain, selector, algorithm)


def signature_tags(header_value):
    """The tag=value pairs of one DKIM-Signature header value."""
    unfolded = "".join(str(header_value).split())
    tags = {}
    for item in unfolded.split(";"):
        if "=" in item:
            name, _, value = item.partition("=")
            tags[name] = value
    return tags


def verify_dkim(raw, keys):
    """[(tags, ok)] for each DKIM-Signature of `raw`, in header order.

    `keys` are DkimKey objects; a lookup of any other name finds nothing."""
    records = {k.dns_name: k.txt for k in keys}

    def dnsfunc(name, timeout=5):
        text = name.decode() if isinstance(name, bytes) else name
        return records.get(text.rstrip(".").lower())

    msg = email.message_from_bytes(raw, policy=email.policy.compat32)
    results = []
    for idx, value in enumerate(msg.get_all("DKIM-Signature") or []):
        checker = dkim.DKIM(raw)
        try:
            ok = checker.verify(idx=idx, dnsfunc=dnsfunc)
        except dkim.DKIMException:
            ok = False
        results.append((signature_tags(value), bool(ok)))
    return results


def sign_dkim(raw, key):
    """Signs `raw` with `key` as python3-dkim would (harness self-check)."""
    pem = key.path.read_bytes()
    if key.algorithm == "ed25519-sha256":
        der = subprocess.run(["openssl", "pkey", "-in", str(key.path), "-outform", "DER"],
                             check=True, capture_output=True).stdout
        private = base64.b64encode(der[-32:])  # RFC 8463: the raw 32-byte seed
    else:
        private = pem
    sig = dkim.sign(raw, key.selector.encode(), key.domain.encode(), private,
                    canonicalize=(b"relaxed", b"relaxed"),
                    signature_algorithm=key.algorithm.encode(),
                    include_headers=[b"from", b"to", b"subject"])
    return sig + raw


def parse_message(raw):
    return email.message_from_bytes(raw, policy=email.policy.default)


def body_texts(msg):
    """{'text/plain': str, 'text/html': str} of the decoded body parts."""
    out = {}
    for part in msg.walk():
        if part.is_multipart():
            continue
        out.setdefault(part.get_content_type(), part.get_content())
    return out


def header_names(raw):
    """Names of the top-level header fields as they appear on the wire."""
    head = raw.split(b"\r\n\r\n", 1)[0]
    names = []
    for line in head.split(b"\r\n"):
        if line and line[:1] not in (b" ", b"\t"):
            names.append(line.split(b":", 1)[0].decode("latin-1"))
    return names


def db_query(db, sql, args=()):
    """Rows of a read-only query against the campaignd database `db` (a
    server's .db: SQLite path or postgresql:// URL); `?` placeholders."""
    return database.query(db, sql, args)


def exclusive_lock(db):
    """Holds the database's write lock from another session, as an
    unavailable database, until the block ends (database.exclusive_lock)."""
    return database.exclusive_lock(db)


def mail_count(db):
    return db_query(db, "SELECT count(*) FROM mails")[0][0]
