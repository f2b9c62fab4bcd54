"""The data the end-to-end tests provision with `campaignd apply`, as Python
dicts, and the TOML writer for them and for the server config.

`standard_world` is the common setup: client 1 "Shoe Store" (ed25519 DKIM) and
client 2 "Book Shop" (rsa-sha256 DKIM), each with a list, recipients, an event
mailing in SENDING and a code. Tests copy it and add what they need.
"""

import json
import re

CODE = "DHS45MDL2"          # client 1, list 100: the main code
BOOK_CODE = "BOOKSHOP7Q"    # client 2, list 200
MAILING = 5000              # client 1 event mailing, lists [100]
BOOK_MAILING = 6000         # client 2 event mailing, lists [200]
JOHN = "john.smith@example.com"
ALL_OPS = ["sendeventmail", "getsendstatus", "nop"]
LOCAL_ONLY = ["127.0.0.0/8", "::1/128"]

_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


def toml_key(name):
    return name if _BARE_KEY.match(name) else json.dumps(name, ensure_ascii=False)


def toml_value(value):
    """A TOML literal: JSON string escapes are valid TOML basic strings."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{toml_key(k)} = {toml_value(v)}" for k, v in value.items()) + " }"
    raise TypeError(f"no TOML form for {value!r}")


# Sections of a client written as [[client.<name>]] arrays of tables.
SECTIONS = ("dkim", "list", "recipient", "blocklist", "mailing", "code", "optin", "webhook")


def provisioning_toml(clients):
    """The provisioning file for `clients` (a list of client dicts)."""
    out = []
    for client in clients:
        out.append("[[client]]")
        out += [f"{toml_key(k)} = {toml_value(v)}" for k, v in client.items()
                if k not in SECTIONS]
        for section in SECTIONS:
            for table in client.get(section, []):
                out.append(f"  [[client.{section}]]")
                out += [f"  {toml_key(k)} = {toml_value(v)}" for k, v in table.items()]
        out.append("")
    return "\n".join(out) + "\n"


def config_toml(settings):
    """A flat server config file (listen, lease, role, ...)."""
    return "".join(f"{toml_key(k)} = {toml_value(v)}\n" for k, v in settings.items()
                   if v is not None)


def mailing(mailing_id, lists, **over):
    m = {
        "id": mailing_id,
        "name": f"mailing-{mailing_id}",
        "type": "event",
        "status": "SENDING",
        "lists": lists,
        "from": "Shoe Store <shop@example.com>",
        "reply_to": "help@example.com",
        "subject": "Thank you, {firstname}",
        "text": "Hello {firstname|customer}, your order is on its way.",
        "html": "<p>Hello {firstname|customer}, your order is on its way.</p>",
    }
    m.update(over)
    return m


def code(name, value, list_id, **over):
    """A [[client.code]]; value None leaves `code` out (apply generates one)."""
    c = {
        "name": name,
        "code": value,
        "list": list_id,
        "operations": list(ALL_OPS),
        "ips": list(LOCAL_ONLY),
        "methods": ["GET", "POST"],
        "protocols": ["http", "https"],
        "redirect_hosts": ["www.example.com"],
    }
    c.update(over)
    if value is None:
        del c["code"]
    return c


def recipient(list_id, address, **fields):
    return {"list": list_id, "id": address, "fields": fields}


def standard_world(transport, key_file_1, key_file_2, transport_2=None):
    """Two clients; `key_file_*` are paths relative to the provisioning file
    (client 1: ed25519 s1/example.com, client 2: rsa s2/books.example)."""
    shoe = {
        "id": 1,
        "name": "Shoe Store",
        "transport": transport,
        "redirect_hosts": ["www.example.com"],
        "bounce_limit": 3,
        "dkim": [{"domain": "example.com", "selector": "s1", "algorithm": "ed25519-sha256",
                  "private_key_file": key_file_1}],
        "list": [{"id": 100, "name": "Customers", "kind": "standard",
                  "fields": [{"name": "firstname", "type": "text"},
                             {"name": "orders", "type": "int"}]}],
        "recipient": [recipient(100, JOHN, firstname="John", orders=3)],
        "mailing": [mailing(MAILING, [100], name="order-confirmation",
                            target_group="orders >= 1")],
        "code": [code("main", CODE, 100)],
    }
    books = {
        "id": 2,
        "name": "Book Shop",
        "transport": transport_2 or transport,
        "redirect_hosts": ["books.example"],
        "bounce_limit": 3,
        "dkim": [{"domain": "books.example", "selector": "s2", "algorithm": "rsa-sha256",
                  "private_key_file": key_file_2}],
        "list": [{"id": 200, "name": "Readers", "kind": "standard",
                  "fields": [{"name": "firstname", "type": "text"},
                             {"name": "orders", "type": "int"}]}],
        "recipient": [recipient(200, "anna.reader@books.example", firstname="Anna", orders=1)],
        "mailing": [mailing(BOOK_MAILING, [200], name="book-order", target_group="orders >= 1",
                            **{"from": "Book Shop <orders@books.example>",
                               "reply_to": "help@books.example"})],
        "code": [code("books", BOOK_CODE, 200)],
    }
    return [shoe, books]


def small_client(client_id, name, transport, code_value, list_id, mailing_id, recipients=(),
                 bounce_limit=3):
    """A client without DKIM: one list (firstname, orders), the given
    (address, firstname, orders) recipients, one event mailing, one code."""
    domain = f"client{client_id}.example"
    return {
        "id": client_id,
        "name": name,
        "transport": transport,
        "redirect_hosts": [f"www.{domain}"],
        "bounce_limit": bounce_limit,
        "list": [{"id": list_id, "name": f"{name} list", "kind": "standard",
                  "fields": [{"name": "firstname", "type": "text"},
                             {"name": "orders", "type": "int"}]}],
        "recipient": [recipient(list_id, a, firstname=f, orders=o) for a, f, o in recipients],
        "mailing": [mailing(mailing_id, [list_id], **{"from": f"{name} <shop@{domain}>",
                                                      "reply_to": f"help@{domain}"})],
        "code": [code(f"code{client_id}", code_value, list_id)],
    }
