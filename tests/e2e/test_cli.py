#!/usr/bin/python3
"""The admin CLI end to end, the issue's "Done when": from an empty database,
with `campaignd <noun> <verb>` alone, an operator sets up a client (relay,
DKIM key, list and fields, recipients from CSV, an event mailing in SENDING,
a code) and a sendeventmail with that code is `sent` and DKIM-valid at the
relay. The commands are read from README.md's section "Set up a client with
the CLI" and run exactly as written there (the database, the relay URL and
the code, which only exist at run time, are the shell variables the README
names). Also: every --json output parses; errors name the problem, exit
non-zero and change nothing; the import reports progress; a double opt-in
process made with `campaignd optin create` is what subscribe's bmOptInId
starts (confirmation mail, link followed, recipient active)."""

import json
import os
import re
import shlex
import subprocess
import unittest
import urllib.parse

import database
import harness
import mailcheck
from e2ecase import E2ETestCase
from server import Campaignd
from test_recipient_ops import public_path

README = harness.ROOT / "README.md"
SECTION = "Set up a client with the CLI"
JOHN = "john.smith@example.com"

# The files the README's commands name, as the README shows them.
CUSTOMERS_CSV = ("email,firstname,orders\n"
                 "john.smith@example.com,John,3\n"
                 "anna.berg@example.com,Anna,1\n"
                 "li.wei@example.com,Li,0\n")
ORDER_TXT = "Hello {firstname}, your order is on its way.\n"
ORDER_HTML = "<p>Hello {firstname}, your order is on its way.</p>\n"


def readme_commands():
    """The logical lines of the sh block under SECTION (comments dropped,
    backslash continuations joined)."""
    text = README.read_text(encoding="utf-8")
    start = text.index(f"## {SECTION}")
    block = re.search(r"```sh\n(.*?)```", text[start:], re.S)
    if not block:
        raise AssertionError(f"README.md: no ```sh block under '## {SECTION}'")
    joined = block.group(1).replace("\\\n", " ")
    lines = [line.split(" #", 1)[0].strip() for line in joined.splitlines()]
    return [line for line in lines if line and not line.startswith("#")]


def substitute(line, variables):
    """$NAME and ${NAME} replaced; an unknown name is an error (a README
    variable the test does not provide)."""
    def value(m):
        name = m.group(1) or m.group(2)
        if name not in variables:
            raise AssertionError(f"README uses ${name}, which the test does not set: {line}")
        return variables[name]
    return re.sub(r"\$\{(\w+)\}|\$(\w+)", value, line)


class CliTest(E2ETestCase):
    def setUp(self):
        self.work = harness.Workdir("cli")
        self.addCleanup(self.work.cleanup)
        self.relay = harness.Relay(self.work).start()
        self.addCleanup(self.relay.stop)
        self.key = mailcheck.make_dkim_key(self.work.path, "example.com", "s1", "ed25519-sha256")
        self.server = Campaignd(self.work)
        self.addCleanup(self.server.close)
        (self.work.path / "customers.csv").write_text(CUSTOMERS_CSV, encoding="utf-8")
        (self.work.path / "order.txt").write_text(ORDER_TXT, encoding="utf-8")
        (self.work.path / "order.html").write_text(ORDER_HTML, encoding="utf-8")
        self.env = dict(os.environ, CAMPAIGND_DB=self.server.db_arg)
        self.env.pop("CAMPAIGND_CONFIG", None)

    def cli(self, *args, check=True):
        """`campaignd ARGS` in the work dir on the test's database."""
        done = subprocess.run([harness.campaignd_bin(), *map(str, args)], capture_output=True,
                              text=True, timeout=60, cwd=self.work.path, env=self.env)
        if check and done.returncode != 0:
            raise AssertionError(f"campaignd {' '.join(map(str, args))} exited "
                                 f"{done.returncode}:\n{done.stdout}{done.stderr}")
        return done

    def json_of(self, *args):
        done = self.cli(*args, "--json")
        return json.loads(done.stdout)

    # --- the README's sequence ---------------------------------------------
    def run_readme(self):
        """Runs the README's commands; returns (outputs by verb, mail ID)."""
        variables = {"RELAY_URL": self.relay.transport_url()}
        outputs, mail_id = {}, None
        for line in readme_commands():
            if line.startswith("export "):
                name, _, _ = line[len("export "):].partition("=")
                self.assertEqual(name, "CAMPAIGND_DB", line)  # the test's own database
                continue
            args = shlex.split(substitute(line, variables))
            if args[0] == "campaignd" and args[1] == "serve":
                self.assertEqual(args[2:], ["&"], f"serve with flags the test cannot mirror: {line}")
                # The admin listener is not needed here (the CLI works in
                # process); off, so parallel tests do not compete for its port.
                self.server.start(admin_listen="")
                continue
            if args[0] == "curl":
                mail_id = self.send(args[1])
                continue
            self.assertEqual(args[0], "campaignd", f"README line the test cannot run: {line}")
            done = self.cli(*args[1:])
            outputs[" ".join(args[1:3])] = done
            if args[1:3] == ["code", "create"]:
                variables["CODE"] = self.code_from(done.stdout)
        self.assertIsNotNone(mail_id, "the README sends no mail")
        return outputs, mail_id, variables["CODE"]

    def code_from(self, output):
        """The code of `code create`'s answer: its "code  VALUE" line."""
        found = re.findall(r"(?m)^code\s+(\S+)$", output)
        self.assertEqual(len(found), 1, output)
        self.assertIn("shown only now", output)
        return found[0]

    def send(self, url):
        """GET of the README's curl URL on the test server's port."""
        parts = urllib.parse.urlsplit(url)
        self.assertEqual(parts.netloc, "127.0.0.1:8080", url)
        target = parts.path + "?" + parts.query
        response = self.server.get(target)
        body = response.body.decode()
        self.assertEqual(response.status, 200, body)
        self.assertTrue(body.startswith("enqueued: "), body)
        return body[len("enqueued: "):]

    def test_readme_sequence_sends_a_dkim_valid_mail(self):
        outputs, mail_id, code = self.run_readme()
        self.assertRegex(outputs["client create"].stdout, r"(?m)^id\s+1$")
        self.assertIn("rows", outputs["recipient import"].stderr)  # progress, not a terminal
        self.assertRegex(outputs["recipient import"].stdout, r"(?m)^stored\s+3$")
        self.assertEqual(self.server.wait_status(mail_id, "sent", code=code, timeout=30), "sent")
        messages = self.relay.wait_messages(1)
        self.assertEqual(len(messages), 1)
        captured = messages[0]
        self.assertEqual(captured.meta["rcpt_tos"], [JOHN])
        self.assertTrue(captured.meta["tls"])
        self.assertEqual(str(captured.msg["Subject"]), "Thank you, John")
        self.assertEqual(mailcheck.body_texts(captured.msg)["text/plain"].rstrip("\r\n"),
                         "Hello John, your order is on its way.")
        signatures = mailcheck.verify_dkim(captured.raw, [self.key])
        self.assertEqual(len(signatures), 1, signatures)
        tags, ok = signatures[0]
        self.assertTrue(ok, f"DKIM signature does not verify: {tags}")
        self.assertEqual((tags["d"], tags["s"]), ("example.com", "s1"))
        # The operator finds the mail and its history with the CLI too.
        found = self.cli("mail", "search", "--client", 1, "--recipient", JOHN, "--status", "sent")
        self.assertIn(mail_id.upper(), found.stdout.upper())
        history = self.cli("mail", mail_id)
        self.assertIn("sent", history.stdout)

    def test_json_outputs_parse_and_never_show_secrets(self):
        _, mail_id, code = self.run_readme()
        clients = self.json_of("client", "list")
        self.assertEqual([c["name"] for c in clients["items"]], ["Shoe Store"])
        self.assertNotIn(harness.SMTP_PASS, json.dumps(clients))
        relay = self.json_of("relay", "show", "--client", 1)
        self.assertNotIn(harness.SMTP_PASS, relay["transport"])
        lst = self.json_of("list", "show", "--client", 1, 100)
        self.assertEqual({(f["name"], f["type"]) for f in lst["fields"]},
                         {("firstname", "text"), ("orders", "int")})
        recipients = self.json_of("recipient", "list", "--client", 1, "--list", 100)
        self.assertEqual(sorted(r["recipient_id"] for r in recipients["items"]),
                         sorted(line.split(",")[0] for line in CUSTOMERS_CSV.splitlines()[1:]))
        john = self.json_of("recipient", "show", "--client", 1, "--list", 100, JOHN)
        self.assertEqual(john["fields"]["firstname"], "John")
        mailing = self.json_of("mailing", "show", "--client", 1, 5000)
        self.assertEqual((mailing["status"], mailing["type"], mailing["text"]),
                         ("SENDING", "event", ORDER_TXT))
        codes = self.json_of("code", "list", "--client", 1)
        self.assertEqual([c["name"] for c in codes["items"]], ["shop"])
        self.assertNotIn(code, json.dumps(codes))
        keys = self.json_of("dkim", "list", "--client", 1)
        self.assertEqual([(k["domain"], k["selector"]) for k in keys["items"]],
                         [("example.com", "s1")])
        self.assertNotIn("PRIVATE KEY", json.dumps(keys))
        mails = self.json_of("mail", "search", "--client", 1)
        self.assertEqual([m["mail_id"] for m in mails["items"]], [mail_id.upper()])
        self.assertEqual(mails["items"][0]["history"][0]["status"], "enqueued")
        preview = self.json_of("mailing", "preview", "--client", 1, 5000, "--list", 100,
                               "--recipient", JOHN)
        self.assertEqual(preview["subject"], "Thank you, John")

    def test_errors_name_the_problem_and_change_nothing(self):
        self.run_readme()
        before = {what: self.json_of(*args) for what, args in {
            "mailing": ("mailing", "show", "--client", 1, 5000),
            "recipients": ("recipient", "list", "--client", 1, "--list", 100),
            "lists": ("list", "list", "--client", 1),
            "codes": ("code", "list", "--client", 1),
        }.items()}
        (self.work.path / "bad.csv").write_text("email,shoe_size\nx@example.com,42\n")
        cases = [
            # (args, exit code, words the message must name)
            (("mailing", "activate", "--client", 1, 5000), 1, ["SENDING"]),
            (("recipient", "import", "--client", 1, "--list", 100, "bad.csv"), 1, ["shoe_size"]),
            (("recipient", "import", "--client", 1, "--list", 100, "missing.csv"), 1,
             ["missing.csv"]),
            (("list", "create", "--client", 1, "--id", 100, "--name", "Again"), 1, ["100"]),
            (("code", "create", "--client", 1, "--list", 999, "--name", "x"), 1, ["999"]),
            (("mailing", "update", "--client", 1, 5000, "--text-file", "nope.txt"), 1,
             ["nope.txt"]),
            (("client", "show", 99), 1, ["client 99 not found"]),
            (("list", "create", "--client", 1, "--name", "X", "--field", "zip"), 1, ["--field"]),
        ]
        for args, want_exit, words in cases:
            with self.subTest(args=args):
                done = self.cli(*args, check=False)
                self.assertEqual(done.returncode, want_exit, done.stdout + done.stderr)
                # The message is the last line (an import reports its progress before it).
                last = done.stderr.strip().splitlines()[-1] if done.stderr.strip() else ""
                self.assertTrue(last.startswith("campaignd "), done.stderr)
                for word in words:
                    self.assertIn(word, done.stderr)
        after = {what: self.json_of(*args) for what, args in {
            "mailing": ("mailing", "show", "--client", 1, 5000),
            "recipients": ("recipient", "list", "--client", 1, "--list", 100),
            "lists": ("list", "list", "--client", 1),
            "codes": ("code", "list", "--client", 1),
        }.items()}
        self.assertEqual(before, after)
        # --json errors are the API's JSON on stdout.
        done = self.cli("client", "show", 99, "--json", check=False)
        self.assertEqual(done.returncode, 1)
        self.assertEqual(json.loads(done.stdout)["error"]["code"], "not_found")

    def test_import_draws_a_bar_on_a_terminal(self):
        import pty
        self.run_readme_until("recipient import")
        rows = "".join(f"user{n}@example.com,User{n},{n}\n" for n in range(2000))
        (self.work.path / "more.csv").write_text("email,firstname,orders\n" + rows)
        master, slave = pty.openpty()
        try:
            done = subprocess.run([harness.campaignd_bin(), "recipient", "import", "--client", "1",
                                   "--list", "100", "more.csv"], stdout=subprocess.PIPE,
                                  stderr=slave, text=True, timeout=60, cwd=self.work.path,
                                  env=self.env)
            os.close(slave)
            slave = None
            drawn = b""
            while True:
                try:
                    chunk = os.read(master, 65536)
                except OSError:
                    break
                if not chunk:
                    break
                drawn += chunk
        finally:
            if slave is not None:
                os.close(slave)
            os.close(master)
        self.assertEqual(done.returncode, 0, drawn)
        self.assertIn(b"\r[", drawn)
        self.assertIn(b"100%", drawn)
        self.assertIn(b"2,000 rows", drawn)
        self.assertRegex(done.stdout, r"(?m)^stored\s+2000$")

    def test_double_opt_in_process_made_with_the_cli(self):
        self.run_readme_until("serve &")
        (self.work.path / "confirm.txt").write_text("Confirm: {bmOptInUrl}\n", encoding="utf-8")
        self.cli("mailing", "create", "--client", 1, "--id", 5010, "--name", "confirm", "--type",
                 "confirmation", "--list", 100, "--from", "Shoe Store <shop@example.com>",
                 "--subject", "Please confirm, {firstname|friend}", "--text-file", "confirm.txt")
        self.cli("mailing", "activate", "--client", 1, 5010)
        refused = self.cli("optin", "create", "--client", 1, "--name", "x", "--kind", "double",
                           "--mailing", 5000, check=False)  # an event mailing
        self.assertEqual(refused.returncode, 1, refused.stdout)
        self.assertIn("mailing_id: expected the id of a mailing of type confirmation",
                      refused.stderr)
        # The README's example, as written there.
        created = self.cli("optin", "create", "--client", 1, "--name", "Newsletter", "--kind",
                           "double", "--mailing", 5010, "--confirmation-url",
                           "https://www.example.com/thanks")
        self.assertRegex(created.stdout, r"(?m)^id\s+1$")
        listed = self.cli("optin", "list", "--client", 1)
        self.assertRegex(listed.stdout, r"(?m)^1\s+Newsletter\s+double\s+5010\s+"
                                        r"https://www.example.com/thanks\s*$")
        code = self.code_from(self.cli("code", "create", "--client", 1, "--list", 100, "--name",
                                       "signup", "--operation", "subscribe").stdout)
        self.server.start(admin_listen="")

        address = "dora@example.com"
        answer = self.server.call("subscribe", [("bmRecipientId", address), ("firstname", "Dora"),
                                                ("bmOptInId", "1")], code=code)
        self.assertEqual(answer.body.decode(), "ok")
        show = ("recipient", "show", "--client", 1, "--list", 100, address)
        self.assertEqual(self.json_of(*show)["state"], "pending")
        captured = self.relay.wait_messages(1)[0]
        self.assertEqual(captured.meta["rcpt_tos"], [address])
        self.assertEqual(str(captured.msg["Subject"]), "Please confirm, Dora")
        link = re.search(r"Confirm: (\S+)", mailcheck.body_texts(captured.msg)["text/plain"])
        followed = self.server.get(public_path(link.group(1)))
        self.assertEqual(followed.status, 302, followed.raw)
        self.assertEqual(followed.header("Location"), "https://www.example.com/thanks?bmResult=ok")
        self.assertEqual(self.json_of(*show)["state"], "active")

    def run_readme_until(self, verb):
        """Runs the README's commands before the one starting with `verb`
        (a database with the client, its key and its list)."""
        variables = {"RELAY_URL": self.relay.transport_url()}
        for line in readme_commands():
            args = shlex.split(substitute(line, variables)) if not line.startswith("export ") \
                else None
            if args is None:
                continue
            if " ".join(args[1:3]) == verb:
                return
            self.cli(*args[1:])
        raise AssertionError(f"README has no '{verb}' command")


if __name__ == "__main__":
    unittest.main()
