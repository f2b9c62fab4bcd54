#!/usr/bin/python3
"""Checks messages written by render_test (src/render/verify_message_test.cc).

Usage: /usr/bin/python3 verify_message.py MANIFEST.json

The manifest is a JSON list of entries:
  {"file": path of an .eml,
   "expect": null or what the parsed message must hold (see tests/golden/README.md),
   "signatures": [true|false, ...]  expected dkim verification result per DKIM-Signature,
   "dns": {"sel._domainkey.domain.": "v=DKIM1; k=...; p=..."}}
Each message is parsed with Python's email package (policy=default) and each
DKIM-Signature is verified with python3-dkim against the manifest's DNS records.
Prints one line per problem and exits 1 if there is any; prints nothing otherwise.
"""
import base64
import json
import sys
from email import policy
from email.parser import BytesParser

import dkim

TOP_HEADERS = {
    "from", "reply-to", "to", "subject", "date", "message-id", "mime-version",
    "list-unsubscribe", "list-unsubscribe-post", "feedback-id", "x-campaignd-mail-id",
    "content-type", "content-transfer-encoding", "dkim-signature",
}
PART_HEADERS = {"content-type", "content-transfer-encoding", "content-disposition"}


def normalize(text):
    return text.replace("\r\n", "\n").replace("\r", "\n").rstrip("\n")


def check_header_names(part, allowed, where, problems):
    seen = set()
    for name in part.keys():
        key = name.lower()
        if key not in allowed:
            problems.append(f"{where}: unexpected header {name!r}")
        if key in seen and key != "dkim-signature":
            problems.append(f"{where}: header {name!r} appears twice")
        seen.add(key)


def check_defects(msg, problems):
    for i, part in enumerate(msg.walk()):
        for defect in part.defects:
            problems.append(f"part {i}: defect {defect!r}")
        for name, value in part.items():
            for defect in getattr(value, "defects", ()):
                problems.append(f"part {i} header {name}: defect {defect!r}")


def check_mailbox(msg, header, want, problems):
    addresses = msg[header].addresses if msg[header] is not None else ()
    if len(addresses) != 1:
        problems.append(f"{header}: {len(addresses)} addresses in {str(msg[header])!r}")
        return
    got = {"display_name": addresses[0].display_name, "addr_spec": addresses[0].addr_spec}
    if isinstance(want, str):
        got, want = got["addr_spec"], want
    if got != want:
        problems.append(f"{header}: got {got!r}, want {want!r}")


def check_body(msg, kind, want, problems):
    part = msg.get_body(preferencelist=(kind,))
    if part is None or part.get_content_type() != "text/" + kind:
        problems.append(f"no text/{kind} part")
        return
    got = normalize(part.get_content())
    if got != normalize(want):
        problems.append(f"text/{kind}: got {got!r}, want {normalize(want)!r}")


def check_attachments(msg, want, problems):
    got = list(msg.iter_attachments())
    if len(got) != len(want):
        problems.append(f"{len(got)} attachments, want {len(want)}")
        return
    for i, (part, w) in enumerate(zip(got, want)):
        check_header_names(part, PART_HEADERS, f"attachment {i}", problems)
        data = w["data"].encode() if "data" in w else base64.b64decode(w["data_base64"])
        if part.get_filename() != w["filename"]:
            problems.append(f"attachment {i}: filename {part.get_filename()!r}, want {w['filename']!r}")
        if part.get_content_type() != w["content_type"]:
            problems.append(f"attachment {i}: type {part.get_content_type()!r}")
        if part.get_payload(decode=True) != data:
            problems.append(f"attachment {i}: decoded data differs")


def check_expect(msg, expect, problems):
    check_header_names(msg, TOP_HEADERS, "top", problems)
    for part in list(msg.walk())[1:]:
        check_header_names(part, PART_HEADERS, "part", problems)
    check_defects(msg, problems)
    if "subject" in expect and str(msg["subject"]) != expect["subject"]:
        problems.append(f"subject: got {str(msg['subject'])!r}, want {expect['subject']!r}")
    for key, header in (("from", "from"), ("reply_to", "reply-to"), ("to", "to")):
        if key in expect:
            check_mailbox(msg, header, expect[key], problems)
    for name, want in expect.get("headers", {}).items():
        if str(msg[name]) != want:
            problems.append(f"{name}: got {str(msg[name])!r}, want {want!r}")
    if "content_type" in expect and msg.get_content_type() != expect["content_type"]:
        problems.append(f"content type {msg.get_content_type()!r}, want {expect['content_type']!r}")
    for kind in ("plain", "html"):
        if kind in expect:
            check_body(msg, kind, expect[kind], problems)
    if "attachments" in expect:
        check_attachments(msg, expect["attachments"], problems)


def check_signatures(data, entry, problems):
    records = entry.get("dns", {})

    def dnsfunc(name, timeout=5):
        txt = records.get(name.decode())
        return txt.encode() if txt is not None else None

    for idx, want in enumerate(entry["signatures"]):
        try:
            got = dkim.DKIM(data).verify(idx=idx, dnsfunc=dnsfunc)
        except dkim.DKIMException as e:
            got = False
            if want:
                problems.append(f"signature {idx}: {e}")
        if bool(got) != want:
            problems.append(f"signature {idx}: verified {bool(got)}, want {want}")


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        manifest = json.load(f)
    failed = False
    for entry in manifest:
        with open(entry["file"], "rb") as f:
            data = f.read()
        problems = []
        if entry.get("expect") is not None:
            msg = BytesParser(policy=policy.default).parsebytes(data)
            check_expect(msg, entry["expect"], problems)
        check_signatures(data, entry, problems)
        for p in problems:
            print(f"{entry['file']}: {p}")
        failed = failed or bool(problems)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
