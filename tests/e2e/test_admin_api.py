"""The admin JSON API against the real server: a client set up from nothing
(client, key, list, recipients by CSV, DKIM key, mailing, code, SENDING),
then a sendeventmail delivered through the STARTTLS+AUTH relay, DKIM-valid
and personalized; the mail's history through the API; the CSV export; the
served OpenAPI document against the live routes; keys confined to their
client; a double opt-in process made through the API, then subscribe with
its bmOptInId: the confirmation mail at the relay, its {bmOptInUrl} link
followed activates the recipient. Run: CAMPAIGND_BIN=build/campaignd /usr/bin/python3 tests/e2e/test_admin_api.py -v
"""

import re
import unittest
import urllib.parse

import yaml

import harness
import mailcheck
from adminapi import ADMIN_KEY, AdminApi
from e2ecase import E2ETestCase, Stack
from test_recipient_ops import public_path

CONFIRM_URL = "https://www.example.com/confirmed"


class AdminApiTest(E2ETestCase):
    @classmethod
    def setUpClass(cls):
        cls.stack = Stack("admin_api")
        cls.admin_port = harness.free_port()
        try:
            cls.server = cls.stack.server.start(admin_listen=f"127.0.0.1:{cls.admin_port}",
                                                admin_key=ADMIN_KEY)
        except BaseException:
            cls.stack.close()
            raise
        cls.api = AdminApi(cls.admin_port)

        # serve answers /healthz before its admin listener is bound (main.cc
        # starts the public server first): wait for the admin port too.
        def admin_ready():
            try:
                return AdminApi(cls.admin_port, key=None).request("GET", "/openapi.yaml")[0] == 200
            except OSError:
                return False
        try:
            harness.wait_for(admin_ready, 10, what="the admin API listening")
        except BaseException:
            cls.stack.close()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.stack.close()

    def make_client(self, name):
        client = self.api.ok("POST", "/admin/v1/clients",
                             {"name": name, "transport": self.stack.relay.transport_url()})
        key = self.api.ok("POST", f"/admin/v1/clients/{client['id']}/keys", {"name": "e2e"})
        return client, self.api.with_key(key["key"])

    def test_from_nothing_to_a_sent_mail(self):
        client, api = self.make_client("Shop from the API")
        self.assertNotIn("relaypass", str(client))  # password redacted
        base = f"/admin/v1/clients/{client['id']}"
        lst = api.ok("POST", f"{base}/lists", {"name": "customers", "fields": [
            {"name": "firstname", "type": "text"}, {"name": "orders", "type": "int"}]})
        csv = "email,firstname,orders\r\njohn@example.com,John,3\r\n\"ann@example.com\",\"Ann, A.\",1\r\n"
        counts = api.ok("POST", f"{base}/lists/{lst['id']}/recipients/import", csv.encode(),
                        content_type="text/csv")
        self.assertEqual((counts["rows"], counts["stored"], counts["rejected"]), (2, 2, 0))
        key = self.stack.key1
        api.ok("POST", f"{base}/dkim-keys", {"domain": key.domain, "selector": key.selector,
                                             "algorithm": key.algorithm,
                                             "private_key_pem": key.path.read_text()})
        mailing = api.ok("POST", f"{base}/mailings", {
            "name": "order confirmation", "type": "event", "list_ids": [lst["id"]],
            "from": "Shop <shop@example.com>", "subject": "Thanks {firstname}",
            "text": "Hello {firstname}, you have {orders} orders."})
        code = api.ok("POST", f"{base}/codes", {"list_id": lst["id"],
                                                "operations": ["sendeventmail", "getsendstatus"]})["code"]
        early = self.server.send_mail(recipient="john@example.com", mailing=mailing["id"], code=code)
        self.assertEqual(early.body.decode(), "wrong_mailing_status")
        self.assertEqual(api.ok("POST", f"{base}/mailings/{mailing['id']}/status",
                                {"status": "SENDING"})["status"], "SENDING")

        answer = self.server.send_mail(recipient="john@example.com", mailing=mailing["id"],
                                       code=code)
        body = answer.body.decode()
        self.assertTrue(body.startswith("enqueued: "), body)
        mail_id = body.split(": ", 1)[1]
        self.server.wait_status(mail_id, "sent", code=code)
        mine = [m for m in self.stack.relay.messages() if m.mail_id == mail_id.upper()]
        self.assertEqual(len(mine), 1)
        msg = mine[0].msg
        self.assertEqual(str(msg["Subject"]), "Thanks John")
        self.assertIn("Hello John, you have 3 orders.", mailcheck.body_texts(msg)["text/plain"])
        self.assertEqual([ok for _, ok in mailcheck.verify_dkim(mine[0].raw, [key])], [True])

        mail = api.ok("GET", f"{base}/mails/{mail_id}")
        self.assertEqual(mail["status"], "sent")
        self.assertEqual([e["status"] for e in mail["history"]][0], "enqueued")
        self.assertEqual(mail["history"][-1]["status"], "sent")
        self.assertRegex(mail["history"][-1]["reply"], r"^250")
        found = api.ok("GET", f"{base}/mails?recipient=john@example.com&status=sent")
        self.assertEqual([m["mail_id"] for m in found["items"]], [mail["mail_id"]])
        # The mail's `sent` event, in the one JSON form of an event (the webhook's,
        # events.md §1, §4), in the mail view and the client's event list alike.
        sent = [e for e in mail["events"] if e["type"] == "sent"]
        self.assertEqual(len(sent), 1, mail["events"])
        self.assertEqual((sent[0]["mailId"], sent[0]["client"], sent[0]["mailing"],
                          sent[0]["recipient"]),
                         (mail["mail_id"], client["id"], mailing["id"], "john@example.com"))
        self.assertRegex(sent[0]["time"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
        self.assertNotIn("data", sent[0])
        listed = api.ok("GET", f"{base}/events")["items"]
        self.assertIn(sent[0], listed)
        # A statistics answer's from/to (with milliseconds) can be passed back.
        stats = api.ok("GET", f"{base}/stats")
        again = api.ok("GET", f"{base}/stats?from={stats['from']}&to={stats['to']}")
        self.assertEqual((again["from"], again["to"]), (stats["from"], stats["to"]))
        self.assertEqual(again["totals"]["sent"], 1)

        status, exported, headers = api.request("GET",
                                                f"{base}/lists/{lst['id']}/recipients/export")
        self.assertEqual(status, 200)
        self.assertEqual(exported, "email,state,firstname,orders\r\n"
                                   "ann@example.com,active,\"Ann, A.\",1\r\n"
                                   "john@example.com,active,John,3\r\n")
        preview = api.ok("POST", f"{base}/mailings/{mailing['id']}/preview",
                         {"list_id": lst["id"], "recipient_id": "ann@example.com"})
        self.assertEqual(preview["subject"], "Thanks Ann, A.")

    def test_double_opt_in_process_made_through_the_api(self):
        client = self.api.ok("POST", "/admin/v1/clients",
                             {"name": "Opt-in shop", "transport": self.stack.relay.transport_url(),
                              "redirect_hosts": ["www.example.com"]})
        api = self.api.with_key(self.api.ok("POST", f"/admin/v1/clients/{client['id']}/keys",
                                            {"name": "e2e"})["key"])
        base = f"/admin/v1/clients/{client['id']}"
        lst = api.ok("POST", f"{base}/lists", {"name": "newsletter",
                                               "fields": [{"name": "firstname", "type": "text"}]})
        confirm = api.ok("POST", f"{base}/mailings", {
            "name": "confirm", "type": "confirmation", "list_ids": [lst["id"]],
            "from": "Shop <shop@example.com>", "subject": "Please confirm, {firstname|friend}",
            "text": "Confirm: {bmOptInUrl}"})
        api.ok("POST", f"{base}/mailings/{confirm['id']}/status", {"status": "SENDING"})
        status, err, _ = api.request("POST", f"{base}/optins",
                                     {"name": "Newsletter", "kind": "double"})
        self.assertEqual((status, err["error"]["code"]), (422, "invalid"))
        self.assertIn("mailing_id", err["error"]["message"])
        process = api.ok("POST", f"{base}/optins", {
            "name": "Newsletter", "kind": "double", "mailing_id": confirm["id"],
            "confirmation_url": CONFIRM_URL})
        self.assertEqual(api.ok("GET", f"{base}/optins/{process['id']}"), process)
        code = api.ok("POST", f"{base}/codes", {"list_id": lst["id"],
                                                "operations": ["subscribe"]})["code"]

        address = "dora@example.com"
        answer = self.server.call("subscribe", [("bmRecipientId", address), ("firstname", "Dora"),
                                                ("bmOptInId", str(process["id"]))], code=code)
        self.assertEqual(answer.body.decode(), "ok")
        recipient = f"{base}/lists/{lst['id']}/recipients/{urllib.parse.quote(address)}"
        self.assertEqual(api.ok("GET", recipient)["state"], "pending")

        def confirmation():
            mine = [m for m in self.stack.relay.messages()
                    if m.meta["rcpt_tos"] == [address]
                    and str(m.msg["Subject"]) == "Please confirm, Dora"]
            return mine or None
        captured = harness.wait_for(confirmation, 20, what=f"the confirmation mail to {address}")
        self.assertEqual(len(captured), 1)
        text = mailcheck.body_texts(captured[0].msg)["text/plain"]
        link = re.search(r"Confirm: (\S+)", text).group(1)
        self.assertEqual(link.lower(), (
            f"{harness.FAST_CONFIG['public_url']}/http/mail/{captured[0].mail_id}/subscribe"
            f"?bmUrl={urllib.parse.quote(CONFIRM_URL, safe='')}").lower())
        followed = self.server.get(public_path(link))
        self.assertEqual(followed.status, 302, followed.raw)
        self.assertEqual(followed.header("Location"), CONFIRM_URL + "?bmResult=ok")
        self.assertEqual(api.ok("GET", recipient)["state"], "active")

        # Deleting the process (decisions/0012): the recipient stays active,
        # subscribe no longer knows the id.
        api.ok("DELETE", f"{base}/optins/{process['id']}", want=204)
        self.assertEqual(api.ok("GET", recipient)["state"], "active")
        again = self.server.call("subscribe", [("bmRecipientId", "eve@example.com"),
                                               ("bmOptInId", str(process["id"]))], code=code)
        self.assertEqual(again.body.decode(), "syntax_error")

    def test_keys_are_confined_to_their_client(self):
        one, api_one = self.make_client("one")
        two, api_two = self.make_client("two")
        status, err, _ = api_one.request("GET", f"/admin/v1/clients/{two['id']}/lists")
        self.assertEqual((status, err["error"]["code"]), (403, "forbidden"))
        status, _, _ = api_one.request("POST", "/admin/v1/clients", {"name": "x"})
        self.assertEqual(status, 403)
        status, _, _ = AdminApi(self.admin_port, key="wrong").request("GET", "/admin/v1/clients")
        self.assertEqual(status, 401)
        status, _, _ = AdminApi(self.admin_port, key=None).request("GET", "/admin/v1/clients")
        self.assertEqual(status, 401)
        mine = api_one.ok("GET", "/admin/v1/clients")
        self.assertEqual([c["id"] for c in mine["items"]], [one["id"]])

    def test_served_document_matches_the_live_routes(self):
        status, text, headers = AdminApi(self.admin_port, key=None).request("GET", "/openapi.yaml")
        self.assertEqual(status, 200)
        doc = yaml.safe_load(text)
        self.assertEqual(doc["openapi"][:2], "3.")
        operations = [(m.upper(), p) for p, item in doc["paths"].items() for m in item
                      if m in ("get", "post", "put", "patch", "delete")]
        self.assertGreater(len(operations), 40)
        for method, path in operations:
            target = re.sub(r"\{[a-z]+\}", "1", path)
            status, payload, _ = self.api.request(method, target, {} if method != "GET" else None)
            self.assertNotIn(status, (401, 405, 500), f"{method} {path}: {payload}")
            if status == 404:
                self.assertNotEqual(payload["error"]["message"], "no such route", f"{method} {path}")
        status, payload, _ = self.api.request("GET", "/admin/v1/undocumented")
        self.assertEqual(status, 404)

    def test_public_port_does_not_answer_admin_routes(self):
        response = self.server.get("/admin/v1/clients")
        self.assertNotEqual(response.status, 200)


if __name__ == "__main__":
    unittest.main()
