#!/usr/bin/python3
"""The recipient operations end to end (behaviour.md §3, decision 0010):
subscribe with single / confirmed / double opt-in (the confirmation mail at
the relay, its {bmOptInUrl} link followed, then a sendeventmail that is
`sent`), bmOptinFrequencyLimit, bmOverwrite, bmFailOnUnsubscribe; unsubscribe
(attribution, bmRemoveId) and the RFC 8058 one-click POST; remove; copy;
move; updatefields (modifiers, bmNewRecipientId, bmSanitize, transaction
lists); blacklist / unblacklist with wildcards; tracking opt-out - every
token, in the form service and (where available) the mail service with a
real mail ID; and replays of real client shapes (raw +, ISO-8859-1 with and
without bmEncoding, multipart, booleans as 1/true)."""

import json
import re
import unittest
import urllib.parse

import harness
import mailcheck
import world
from e2ecase import E2ETestCase, Stack
from httpraw import Part, Raw, build_request

CONFIRM_URL = "https://www.example.com/confirmed"
NEWS_LIST = 110          # a second standard list (copy/move target)
TX_LIST = 120            # a transaction list
TX_CODE = "TXCODE4711"
EVENT = 5005             # event mailing without target group, list 100
CONFIRMATION = 5010      # the opt-in confirmation mailing
SINGLE, CONFIRMED, DOUBLE = 1, 2, 3
JANE = "jane@example.com"


def public_path(url):
    """The path and query of a link built on the configured public URL."""
    self_url = harness.FAST_CONFIG["public_url"]
    assert url.startswith(self_url + "/"), url
    return url[len(self_url):]


class RecipientOpsTest(E2ETestCase):
    @classmethod
    def setUpClass(cls):
        cls.stack = Stack("recipient-ops")
        cls.addClassCleanup(cls.stack.close)
        shoe = cls.stack.shoe
        shoe["list"] += [
            {"id": NEWS_LIST, "name": "Newsletter", "kind": "standard",
             "fields": [{"name": "firstname", "type": "text"}]},
            {"id": TX_LIST, "name": "Transactions", "kind": "transaction",
             "fields": [{"name": "firstname", "type": "text"}]},
        ]
        shoe["list"][0]["fields"] += [{"name": "born", "type": "date"},
                                      {"name": "seen", "type": "datetime"},
                                      {"name": "vip", "type": "bool"}]
        shoe["recipient"] += [
            world.recipient(100, JANE, firstname="Jane", orders=0),
            dict(world.recipient(100, "bouncy@example.com", firstname="B", orders=1), bounces=3),
        ]
        shoe["mailing"] += [
            world.mailing(EVENT, [100], name="welcome", subject="Welcome {firstname}",
                          text="Hi {firstname|there}.", html="<p>Hi {firstname|there}.</p>"),
            world.mailing(CONFIRMATION, [100], name="confirm", type="confirmation",
                          subject="Please confirm, {firstname|friend}",
                          text="Confirm: {bmOptInUrl}", html="<a href=\"{bmOptInUrl}\">yes</a>"),
        ]
        shoe["optin"] = [
            {"id": SINGLE, "name": "Checkout", "kind": "single"},
            {"id": CONFIRMED, "name": "Notice", "kind": "confirmed", "mailing": CONFIRMATION},
            {"id": DOUBLE, "name": "Newsletter", "kind": "double", "mailing": CONFIRMATION,
             "confirmation_url": CONFIRM_URL},
        ]
        shoe["blocklist"] = [{"pattern": "*@blocked.example", "reason": "e2e"}]
        main = shoe["code"][0]
        del main["operations"]  # every operation
        shoe["code"].append(world.code("tx", TX_CODE, TX_LIST))
        del shoe["code"][1]["operations"]
        cls.server = cls.stack.up()
        cls.relay = cls.stack.relay

    # --- helpers ------------------------------------------------------------
    def form(self, op, params=(), **kw):
        return self.server.call(op, params, **kw)

    def answer(self, op, params, body, **kw):
        self.assertAnswer(self.form(op, params, **kw), body)

    def mail_call(self, mail_id, op, params=(), **kw):
        return self.server.call(op, params, code=mail_id, service="mail", **kw)

    def sent_mail_id(self, recipient, mailing=EVENT):
        """A mail really sent to `recipient`: its ID (for the mail service)."""
        mail_id = self.assertEnqueued(self.server.send_mail(recipient, mailing))
        self.server.wait_status(mail_id, "sent")
        return mail_id

    def delivered_to(self, address, count=1):
        """The relay's messages to `address`, once there are `count`."""
        def found():
            msgs = [m for m in self.relay.messages() if m.meta["rcpt_tos"] == [address]]
            return msgs if len(msgs) >= count else None
        return harness.wait_for(found, 20, what=f"{count} mail(s) to {address}")

    def query(self, sql, args=()):
        return mailcheck.db_query(self.server.db, sql, args)

    def recipient(self, address, list_id=100):
        """(state, fields dict, tracking_opt_out) of a stored recipient, or None."""
        rows = self.query("SELECT state, fields, tracking_opt_out FROM recipients "
                          "WHERE client_id = 1 AND list_id = ? AND recipient_id = ?",
                          (list_id, address))
        if not rows:
            return None
        state, fields, opt_out = rows[0]
        return state, json.loads(fields) if isinstance(fields, str) else fields, opt_out

    def mails_of(self, address, mailing):
        return self.query("SELECT count(*) FROM mails WHERE client_id = 1 AND recipient_id = ? "
                          "AND mailing_id = ?", (address, mailing))[0][0]

    def sent_status(self, address):
        """getsendstatus of a new sendeventmail to `address`, once final."""
        mail_id = self.assertEnqueued(self.server.send_mail(address, EVENT))
        return self.server.wait_status(
            mail_id, ("sent", "not_found", "unsubscribed", "blacklisted", "too_many_bounces",
                      "could_not_be_sent"))

    # --- subscribe ----------------------------------------------------------
    def test_subscribe_tokens(self):
        self.answer("subscribe", [("bmRecipientId", "New.Sub@Example.com"), ("firstname", "Nia"),
                                  ("orders", "2"), ("unknown_field", "x")], "ok")
        self.assertEqual(self.recipient("new.sub@example.com"),
                         ("active", {"firstname": "Nia", "orders": "2"}, 0))
        self.answer("subscribe", [("bmRecipientId", "new.sub@example.com")], "duplicate")
        self.answer("subscribe", [("bmRecipientId", "new.sub@example.com"), ("firstname", "N"),
                                  ("bmOverwrite", "1")], "ok")
        self.answer("subscribe", [("bmRecipientId", "new.sub@example.com"), ("firstname", "Ny"),
                                  ("bmOverwrite", "true"), ("bmVerbose", "true")], "ok: update")
        self.assertEqual(self.recipient("new.sub@example.com")[1],
                         {"firstname": "Ny", "orders": "2"})
        self.answer("subscribe", [("firstname", "x")], "missing_id")
        self.answer("subscribe", [("bmRecipientId", "not an address")], "syntax_error")
        self.answer("subscribe", [("bmRecipientId", "x@example.com"), ("orders", "many")],
                    "syntax_error")
        self.answer("subscribe", [("bmRecipientId", "x@example.com"), ("bmOptInId", "99")],
                    "syntax_error")
        self.answer("subscribe", [("bmRecipientId", "Spam@Blocked.example")], "blacklisted")
        self.answer("subscribe", [("bmRecipientId", "bouncy@example.com")], "too_many_bounces")
        self.assertIsNone(self.recipient("x@example.com"))
        self.assertIsNone(self.recipient("spam@blocked.example"))

    def test_subscribe_after_unsubscribe(self):
        address = "comeback@example.com"
        self.answer("subscribe", [("bmRecipientId", address)], "ok")
        self.answer("unsubscribe", [("bmRecipientId", address)], "ok")
        self.answer("subscribe", [("bmRecipientId", address), ("bmFailOnUnsubscribe", "true")],
                    "unsubscribed")
        self.assertEqual(self.recipient(address)[0], "unsubscribed")
        self.answer("subscribe", [("bmRecipientId", address)], "ok")
        self.assertEqual(self.recipient(address)[0], "active")
        self.assertEqual(self.sent_status(address), "sent")

    def test_single_and_confirmed_opt_in(self):
        self.answer("subscribe", [("bmRecipientId", "single@example.com"),
                                  ("bmOptInId", str(SINGLE))], "ok")
        self.assertEqual(self.recipient("single@example.com")[0], "active")
        self.answer("subscribe", [("bmRecipientId", "notice@example.com"), ("firstname", "Noa"),
                                  ("bmOptInId", str(CONFIRMED))], "ok")
        self.assertEqual(self.recipient("notice@example.com")[0], "active")
        notice = self.delivered_to("notice@example.com")[0]
        self.assertEqual(str(notice.msg["Subject"]), "Please confirm, Noa")
        self.assertEqual(self.mails_of("single@example.com", CONFIRMATION), 0)
        self.assertEqual(self.sent_status("single@example.com"), "sent")

    def test_double_opt_in_flow(self):
        address = "double@example.com"
        self.answer("subscribe", [("bmRecipientId", address), ("firstname", "Dora"),
                                  ("orders", "1"), ("bmOptInId", str(DOUBLE)),
                                  ("bmOptinSource", "WebShop/Shoe Shop/1.1.2")], "ok")
        self.assertEqual(self.recipient(address)[0], "pending")
        # Pending: not mailable (decision 0010: not_found).
        self.assertEqual(self.sent_status(address), "not_found")
        # The confirmation mail, really sent through the queue.
        confirmation = [m for m in self.delivered_to(address)
                        if str(m.msg["Subject"]) == "Please confirm, Dora"]
        self.assertEqual(len(confirmation), 1)
        captured = confirmation[0]
        text = mailcheck.body_texts(captured.msg)["text/plain"]
        link = re.search(r"Confirm: (\S+)", text).group(1)
        want = (f"{harness.FAST_CONFIG['public_url']}/http/mail/{captured.mail_id}/subscribe"
                f"?bmUrl={urllib.parse.quote(CONFIRM_URL, safe='')}")
        self.assertEqual(link.lower(), want.lower())
        html = mailcheck.body_texts(captured.msg)["text/html"]
        self.assertIn(link.replace("&", "&amp;"), html)
        # Following the link confirms and lands on the confirmation URL.
        r = self.server.get(public_path(link))
        self.assertEqual(r.status, 302, r.raw)
        self.assertEqual(r.header("Location"), CONFIRM_URL + "?bmResult=ok")
        self.assertEqual(self.recipient(address)[0], "active")
        self.assertEqual(self.recipient(address)[1]["firstname"], "Dora")
        self.assertEqual(self.sent_status(address), "sent")
        # A second click: already confirmed.
        r = self.server.get(public_path(link))
        self.assertEqual(r.header("Location"), CONFIRM_URL + "?bmResult=duplicate")

    def test_double_opt_in_frequency_limit(self):
        address = "throttled@example.com"
        params = [("bmRecipientId", address), ("bmOptInId", str(DOUBLE))]
        self.answer("subscribe", params, "ok")
        self.answer("subscribe", params, "ok")  # within the default 10 minutes
        self.assertEqual(self.mails_of(address, CONFIRMATION), 1)
        # The caller may tighten the server's limit, never lift it.
        self.answer("subscribe", params + [("bmOptinFrequencyLimit", "0")], "ok")
        self.answer("subscribe", params + [("bmOptinFrequencyLimit", "60")], "ok")
        self.assertEqual(self.mails_of(address, CONFIRMATION), 1)
        self.answer("subscribe", params + [("bmOptinFrequencyLimit", "soon")], "syntax_error")
        self.delivered_to(address, count=1)

    def test_mail_service_subscribe(self):
        mail_id = self.sent_mail_id(world.JOHN)
        self.assertAnswer(self.mail_call(mail_id, "subscribe"), "duplicate")
        self.assertAnswer(self.mail_call(mail_id, "subscribe", [("firstname", "Johnny"),
                                                                ("bmOverwrite", "1")]), "ok")
        self.assertEqual(self.recipient(world.JOHN)[1]["firstname"], "Johnny")
        self.assertAnswer(self.mail_call(mail_id, "subscribe",
                                         [("bmRecipientId", "other@example.com")]),
                          "syntax_error")

    # --- unsubscribe --------------------------------------------------------
    def test_unsubscribe_tokens_and_attribution(self):
        address = "leaver@example.com"
        self.answer("subscribe", [("bmRecipientId", address)], "ok")
        mail_id = self.sent_mail_id(address)
        self.answer("unsubscribe", [("bmRecipientId", address), ("bmMailId", mail_id)], "ok")
        rows = self.query("SELECT mail_id, mailing_id FROM unsubscribes WHERE client_id = 1 "
                          "AND address = ?", (address,))
        self.assertEqual(rows[0][1], EVENT)
        self.assertGreater(rows[0][0], 0)
        self.answer("unsubscribe", [("bmRecipientId", address)], "ok")
        self.answer("unsubscribe", [("bmRecipientId", address), ("bmVerbose", "true")],
                    "ok: already_unsubscribed")
        self.answer("unsubscribe", [("bmRecipientId", "ghost@example.com"), ("bmRemoveId", "1"),
                                    ("bmVerbose", "1")], "ok: not_found")
        self.answer("unsubscribe", [], "missing_id")
        self.assertEqual(self.sent_status(address), "unsubscribed")

    def test_unsubscribe_remove_id_keeps_transaction_lists(self):
        address = "everywhere@example.com"
        self.answer("subscribe", [("bmRecipientId", address)], "ok")
        self.answer("copy", [("bmRecipientId", address), ("bmListId", str(NEWS_LIST))], "ok")
        self.answer("copy", [("bmRecipientId", address), ("bmListId", str(TX_LIST))], "ok")
        self.answer("unsubscribe", [("bmRecipientId", address), ("bmRemoveId", "true")], "ok")
        self.assertIsNone(self.recipient(address, 100))
        self.assertIsNone(self.recipient(address, NEWS_LIST))
        self.assertIsNotNone(self.recipient(address, TX_LIST))

    def test_mail_service_unsubscribe(self):
        address = "mailunsub@example.com"
        self.answer("subscribe", [("bmRecipientId", address)], "ok")
        mail_id = self.sent_mail_id(address)
        self.assertAnswer(self.mail_call(mail_id, "unsubscribe"), "ok")
        self.assertAnswer(self.mail_call(mail_id, "unsubscribe", [("bmVerbose", "true")]),
                          "ok: already_unsubscribed")
        self.assertEqual(self.recipient(address)[0], "unsubscribed")
        self.assertEqual(self.sent_status(address), "unsubscribed")

    def test_one_click_unsubscribe(self):
        address = "oneclick@example.com"
        self.answer("subscribe", [("bmRecipientId", address), ("firstname", "Oli")], "ok")
        mail_id = self.sent_mail_id(address)
        msg = [m for m in self.relay.messages() if m.mail_id == mail_id.upper()][0].msg
        self.assertEqual(str(msg["List-Unsubscribe-Post"]), "List-Unsubscribe=One-Click")
        url = re.search(r"<(https?://[^>]+)>", str(msg["List-Unsubscribe"])).group(1)
        body = b"List-Unsubscribe=One-Click"
        r = self.server.send(build_request(
            "POST", public_path(url),
            [("Content-Type", "application/x-www-form-urlencoded")], body))
        self.assertAnswer(r, "ok")
        self.assertEqual(self.recipient(address)[0], "unsubscribed")
        self.assertEqual(self.sent_status(address), "unsubscribed")

    # --- remove, copy, move -------------------------------------------------
    def test_remove(self):
        address = "removed@example.com"
        self.answer("subscribe", [("bmRecipientId", address)], "ok")
        self.answer("remove", [("bmRecipientId", address)], "ok")
        self.assertIsNone(self.recipient(address))
        self.answer("remove", [("bmRecipientId", address)], "ok")
        self.answer("remove", [("bmRecipientId", address), ("bmVerbose", "true")],
                    "ok: not_found")
        self.answer("remove", [], "missing_id")
        self.assertEqual(self.sent_status(address), "not_found")  # not unsubscribed
        self.answer("subscribe", [("bmRecipientId", address)], "ok")
        mail_id = self.sent_mail_id(address)
        self.assertAnswer(self.mail_call(mail_id, "remove"), "ok")
        self.assertIsNone(self.recipient(address))

    def test_copy_and_move(self):
        address = "mover@example.com"
        self.answer("subscribe", [("bmRecipientId", address), ("firstname", "Mo"),
                                  ("orders", "4")], "ok")
        self.answer("copy", [("bmRecipientId", address)], "missing_id")
        self.answer("copy", [("bmListId", str(NEWS_LIST))], "missing_id")
        self.answer("copy", [("bmRecipientId", address), ("bmListId", "999")], "wrong_id")
        self.answer("copy", [("bmRecipientId", address), ("bmListId", "200")], "wrong_id")
        self.answer("copy", [("bmRecipientId", "nobody@example.com"),
                             ("bmListId", str(NEWS_LIST))], "not_found")
        self.answer("copy", [("bmRecipientId", address), ("bmListId", str(NEWS_LIST))], "ok")
        self.assertEqual(self.recipient(address, NEWS_LIST), ("active", {"firstname": "Mo"}, 0))
        self.answer("copy", [("bmRecipientId", address), ("bmListId", str(NEWS_LIST)),
                             ("bmVerbose", "true")], "ok: already_exist")
        self.answer("move", [("bmRecipientId", address), ("bmListId", str(NEWS_LIST))], "ok")
        self.assertIsNone(self.recipient(address, 100))
        mail_id = self.sent_mail_id(world.JOHN)
        self.assertAnswer(self.mail_call(mail_id, "copy", [("bmListId", str(NEWS_LIST))]), "ok")
        self.assertIsNotNone(self.recipient(world.JOHN, NEWS_LIST))
        self.assertAnswer(self.mail_call(mail_id, "copy", [("bmListId", "x")]), "wrong_id")

    def test_move_tokens(self):
        address = "mover2@example.com"
        self.answer("subscribe", [("bmRecipientId", address), ("firstname", "Mo")], "ok")
        self.answer("move", [("bmRecipientId", address)], "missing_id")
        self.answer("move", [("bmListId", str(NEWS_LIST))], "missing_id")
        self.answer("move", [("bmRecipientId", address), ("bmListId", "999")], "wrong_id")
        self.answer("move", [("bmRecipientId", address), ("bmListId", "200")], "wrong_id")
        self.answer("move", [("bmRecipientId", "nobody@example.com"),
                             ("bmListId", str(NEWS_LIST))], "not_found")
        self.assertIsNotNone(self.recipient(address, 100))
        self.assertIsNone(self.recipient(address, NEWS_LIST))
        self.answer("copy", [("bmRecipientId", address), ("bmListId", str(NEWS_LIST))], "ok")
        self.answer("move", [("bmRecipientId", address), ("bmListId", str(NEWS_LIST)),
                             ("bmVerbose", "true")], "ok: already_exist")
        self.assertIsNotNone(self.recipient(address, NEWS_LIST))

    def test_mail_service_recipient_gone_and_other_tokens(self):
        """The mail service's tokens other than plain `ok`: the mail's
        recipient removed after the mail (not_found / ok: not_found), copy
        and move, updatefields, tracking opt-out."""
        address = "mailgone@example.com"
        self.answer("subscribe", [("bmRecipientId", address), ("firstname", "Gus"),
                                  ("orders", "1")], "ok")
        mail_id = self.sent_mail_id(address)
        call = lambda op, params=(): self.mail_call(mail_id, op, params)
        self.assertAnswer(call("subscribe", [("firstname", "Gil"), ("bmOverwrite", "true"),
                                             ("bmVerbose", "true")]), "ok: update")
        self.assertEqual(self.recipient(address)[1]["firstname"], "Gil")
        self.assertAnswer(call("updatefields", [("orders", "lots")]), "syntax_error")
        self.assertAnswer(call("updatefields", [("bmNewRecipientId", world.JOHN)]), "duplicate")
        for op in ("copy", "move"):
            with self.subTest(op=op):
                self.assertAnswer(call(op), "missing_id")
                self.assertAnswer(call(op, [("bmListId", "999")]), "wrong_id")
        self.assertAnswer(call("copy", [("bmListId", str(NEWS_LIST))]), "ok")
        self.assertAnswer(call("copy", [("bmListId", str(NEWS_LIST)), ("bmVerbose", "true")]),
                          "ok: already_exist")
        self.assertAnswer(call("move", [("bmListId", str(NEWS_LIST)), ("bmVerbose", "true")]),
                          "ok: already_exist")
        self.assertIsNotNone(self.recipient(address, NEWS_LIST))
        # A plain move through the mail service.
        address = "mailmove@example.com"
        self.answer("subscribe", [("bmRecipientId", address), ("firstname", "Max")], "ok")
        mail_id = self.sent_mail_id(address)
        self.assertAnswer(call("move", [("bmListId", str(NEWS_LIST))]), "ok")
        self.assertIsNone(self.recipient(address, 100))
        self.assertEqual(self.recipient(address, NEWS_LIST), ("active", {"firstname": "Max"}, 0))
        # A mail whose recipient was removed from every list afterwards.
        address = "mailgone2@example.com"
        self.answer("subscribe", [("bmRecipientId", address)], "ok")
        mail_id = self.sent_mail_id(address)
        self.answer("remove", [("bmRecipientId", address)], "ok")
        for op, params, want in [
                ("remove", [("bmVerbose", "true")], "ok: not_found"),
                ("copy", [("bmListId", str(NEWS_LIST))], "not_found"),
                ("move", [("bmListId", str(NEWS_LIST))], "not_found"),
                ("updatefields", [("firstname", "x")], "not_found"),
                ("createtrackingoptout", [], "not_found"),
                ("deletetrackingoptout", [], "not_found"),
                # Last: it records the unsubscribe (ok: not_found needs bmRemoveId).
                ("unsubscribe", [("bmRemoveId", "true"), ("bmVerbose", "true")],
                 "ok: not_found")]:
            with self.subTest(op=op):
                self.assertAnswer(call(op, params), want)
        self.assertIsNone(self.recipient(address, 100))
        self.assertIsNone(self.recipient(address, NEWS_LIST))

    def test_mail_service_subscribe_suppressed(self):
        # blacklisted: the mail's recipient blacklisted after the mail.
        address = "mailblock@example.com"
        self.answer("subscribe", [("bmRecipientId", address)], "ok")
        mail_id = self.sent_mail_id(address)
        self.answer("blacklist", [("bmPattern", address)], "ok")
        try:
            self.assertAnswer(self.mail_call(mail_id, "subscribe"), "blacklisted")
        finally:
            self.answer("unblacklist", [("bmPattern", address)], "ok")
        # unsubscribed: with bmFailOnUnsubscribe after an unsubscribe.
        address = "mailback@example.com"
        self.answer("subscribe", [("bmRecipientId", address)], "ok")
        mail_id = self.sent_mail_id(address)
        self.assertAnswer(self.mail_call(mail_id, "unsubscribe"), "ok")
        self.assertAnswer(self.mail_call(mail_id, "subscribe", [("bmFailOnUnsubscribe", "1")]),
                          "unsubscribed")
        self.assertEqual(self.recipient(address)[0], "unsubscribed")
        # too_many_bounces: a mail to a recipient at the bounce limit (its ID is
        # genuine although the mail itself ended too_many_bounces).
        mail_id = self.assertEnqueued(self.server.send_mail("bouncy@example.com", EVENT))
        self.server.wait_status(mail_id, "too_many_bounces")
        self.assertAnswer(self.mail_call(mail_id, "subscribe"), "too_many_bounces")

    # --- updatefields -------------------------------------------------------
    def test_updatefields(self):
        address = "fields@example.com"
        self.answer("subscribe", [("bmRecipientId", address), ("firstname", "Fi"),
                                  ("orders", "1")], "ok")
        self.answer("updatefields", [("bmRecipientId", address), ("orders[add]", "4"),
                                     ("firstname[append]", "<3"), ("bmSanitize", "true")], "ok")
        self.assertEqual(self.recipient(address)[1], {"firstname": "Fi&lt;3", "orders": "5"})
        self.answer("updatefields", [("bmRecipientId", address), ("orders[sub]", "2"),
                                     ("firstname", "Fay"), ("firstname[prepend]", "Dr. ")], "ok")
        self.assertEqual(self.recipient(address)[1], {"firstname": "Dr. Fay", "orders": "3"})
        self.answer("updatefields", [("firstname", "x")], "missing_id")
        self.answer("updatefields", [("bmRecipientId", "nobody@example.com")], "not_found")
        self.answer("updatefields", [("bmRecipientId", address), ("orders", "lots")],
                    "syntax_error")
        self.answer("updatefields", [("bmRecipientId", address), ("firstname[add]", "1")],
                    "syntax_error")
        self.answer("updatefields", [("bmRecipientId", address)], "wrong_tag: 505", code=TX_CODE)
        mail_id = self.sent_mail_id(address)
        self.assertAnswer(self.mail_call(mail_id, "updatefields", [("orders[add]", "1")]), "ok")
        self.assertEqual(self.recipient(address)[1]["orders"], "4")

    def test_field_values_follow_one_set_of_rules(self):
        """core/field_value.h's rules on the public API (decision 0016): an impossible date,
        fractional seconds or a 19-digit int is syntax_error and stores nothing; a bool reads
        as every boolean parameter (behaviour.md §2); '+' is dropped, t/z stored as T/Z."""
        address = "typed@example.com"
        for name, value in (("born", "2024-02-31"), ("born", "2023-02-29"),
                            ("seen", "2024-05-01T12:30:59.5Z"), ("seen", "2024-02-31T10:00"),
                            ("seen", "2024-05-01 25:00"), ("orders", "1000000000000000000")):
            with self.subTest(name=name, value=value):
                self.answer("subscribe", [("bmRecipientId", address), (name, value)],
                            "syntax_error")
                self.assertIsNone(self.recipient(address))
        self.answer("subscribe", [("bmRecipientId", address), ("born", "2024-02-29"),
                                  ("seen", "2024-05-01t12:30:59z"), ("vip", "Yes"),
                                  ("orders", "+7")], "ok")
        self.assertEqual(self.recipient(address)[1],
                         {"born": "2024-02-29", "seen": "2024-05-01T12:30:59Z", "vip": "true",
                          "orders": "7"})
        self.answer("updatefields", [("bmRecipientId", address), ("born", "2024-04-31")],
                    "syntax_error")
        self.answer("updatefields", [("bmRecipientId", address), ("vip", "nope"),
                                     ("seen", "2024-05-01 08:00")], "ok")
        stored = self.recipient(address)[1]
        self.assertEqual((stored["born"], stored["vip"], stored["seen"]),
                         ("2024-02-29", "false", "2024-05-01T08:00"))

    def test_updatefields_new_recipient_id(self):
        old, new = "rename.me@example.com", "renamed+shop@example.com"
        self.answer("subscribe", [("bmRecipientId", old), ("firstname", "Ren")], "ok")
        self.answer("copy", [("bmRecipientId", old), ("bmListId", str(NEWS_LIST))], "ok")
        self.answer("updatefields", [("bmRecipientId", old), ("bmNewRecipientId", world.JOHN)],
                    "duplicate")
        # Raw + in bmNewRecipientId stays + (behaviour.md §2).
        r = self.server.send(build_request(
            "GET", f"/http/form/{world.CODE}/updatefields?bmRecipientId={old}"
                   f"&bmNewRecipientId={new}&firstname=Renate"))
        self.assertAnswer(r, "ok")
        self.assertIsNone(self.recipient(old))
        self.assertEqual(self.recipient(new)[1]["firstname"], "Renate")
        self.assertIsNotNone(self.recipient(new, NEWS_LIST))
        self.answer("updatefields", [("bmRecipientId", new), ("bmNewRecipientId", "bad address")],
                    "syntax_error")
        self.answer("subscribe", [("bmRecipientId", "taken@example.com")], "ok")
        self.answer("updatefields", [("bmRecipientId", new),
                                     ("bmNewRecipientId", "taken@example.com"),
                                     ("bmOverwrite", "true")], "ok")
        self.assertEqual(self.recipient("taken@example.com")[1]["firstname"], "Renate")

    # --- blacklist ----------------------------------------------------------
    def test_blacklist_and_unblacklist(self):
        self.answer("subscribe", [("bmRecipientId", "joe@wild.example")], "ok")
        self.answer("blacklist", [("bmPattern", "*@wild.example"), ("bmReason", "e2e")], "ok")
        self.answer("blacklist", [("bmPattern", "*@wild.example")], "ok")
        self.answer("blacklist", [("bmPattern", "*@wild.example"), ("bmVerbose", "true")],
                    "ok: already_blacklisted")
        rows = self.query("SELECT reason FROM blocklist WHERE client_id = 1 AND pattern = ?",
                          ("*@wild.example",))
        self.assertEqual([tuple(r) for r in rows], [("e2e",)])
        self.assertEqual(self.sent_status("joe@wild.example"), "blacklisted")
        self.answer("subscribe", [("bmRecipientId", "ann@wild.example")], "blacklisted")
        self.answer("blacklist", [("bmPattern", "j?e@quest.example")], "ok")
        self.answer("subscribe", [("bmRecipientId", "joe@quest.example")], "blacklisted")
        self.answer("blacklist", [], "missing_id")
        self.answer("blacklist", [("bmPattern", "*")], "syntax_error")
        self.answer("unblacklist", [("bmPattern", "*@wild.example")], "ok")
        self.assertEqual(self.sent_status("joe@wild.example"), "sent")
        self.answer("unblacklist", [("bmPattern", "*@wild.example"), ("bmVerbose", "true")],
                    "ok: not_found")
        self.answer("unblacklist", [], "missing_id")
        self.answer("unblacklist", [("bmPattern", "*")], "syntax_error")
        # A raw + stays + in bmPattern.
        r = self.server.send(build_request(
            "GET", f"/http/form/{world.CODE}/blacklist?bmPattern=a+b@plus.example"))
        self.assertAnswer(r, "ok")
        self.answer("subscribe", [("bmRecipientId", Raw("a+b@plus.example"))], "blacklisted")
        mail_id = self.sent_mail_id(world.JOHN)
        self.assertAnswer(self.mail_call(mail_id, "blacklist", [("bmPattern", "x@y.example")]),
                          "wrong_tag: 506")

    # --- tracking opt-out ---------------------------------------------------
    def test_tracking_opt_out(self):
        self.answer("createtrackingoptout", [("bmRecipientId", JANE)], "ok")
        self.assertEqual(self.recipient(JANE)[2], 1)
        self.answer("deletetrackingoptout", [("bmRecipientId", JANE)], "ok")
        self.assertEqual(self.recipient(JANE)[2], 0)
        self.answer("createtrackingoptout", [("bmRecipientId", "nobody@example.com")],
                    "not_found")
        self.answer("deletetrackingoptout", [], "missing_id")
        self.answer("createtrackingoptout", [], "missing_id")
        self.answer("deletetrackingoptout", [("bmRecipientId", "nobody@example.com")],
                    "not_found")
        mail_id = self.sent_mail_id(JANE)
        self.assertAnswer(self.mail_call(mail_id, "createtrackingoptout"), "ok")
        self.assertEqual(self.recipient(JANE)[2], 1)
        self.assertAnswer(self.mail_call(mail_id, "deletetrackingoptout"), "ok")
        self.assertEqual(self.recipient(JANE)[2], 0)

    # --- real client shapes -------------------------------------------------
    def test_get_with_unescaped_plus(self):
        # node-optivo: encodeURI leaves + alone; bmEncoding=utf-8 first.
        r = self.server.send(build_request(
            "GET", f"/http/form/{world.CODE}/subscribe?bmEncoding=utf-8"
                   f"&bmRecipientId=p+q@example.com&firstname=Pat+Quinn"))
        self.assertAnswer(r, "ok")
        self.assertEqual(self.recipient("p+q@example.com")[1]["firstname"], "Pat Quinn")
        r = self.server.send(build_request(
            "GET", f"/http/form/{world.CODE}/unsubscribe?bmRecipientId=p+q@example.com"))
        self.assertAnswer(r, "ok")
        self.assertEqual(self.recipient("p+q@example.com")[0], "unsubscribed")

    def test_iso_8859_1_with_and_without_bm_encoding(self):
        self.answer("subscribe", [("bmEncoding", "ISO-8859-1"), ("bmRecipientId", "j1@example.com"),
                                  ("firstname", "Jürgen")], "ok", charset="latin-1")
        self.answer("subscribe", [("bmRecipientId", "j2@example.com"), ("firstname", "Jürgen")],
                    "ok", charset="latin-1")
        self.answer("updatefields", [("bmRecipientId", "j2@example.com"),
                                     ("firstname[append]", " Müller")], "ok", method="POST",
                    charset="latin-1")
        self.assertEqual(self.recipient("j1@example.com")[1]["firstname"], "Jürgen")
        self.assertEqual(self.recipient("j2@example.com")[1]["firstname"], "Jürgen Müller")

    def test_multipart_and_booleans(self):
        address = "multi@example.com"
        parts = [Part("bmRecipientId", address), Part("firstname", "Mu"),
                 Part("bmOptInId", str(SINGLE))]
        self.assertAnswer(self.form("subscribe", method="MULTIPART", parts=parts), "ok")
        parts = [Part("bmRecipientId", address), Part("firstname", "Multi"),
                 Part("bmOverwrite", "1"), Part("bmVerbose", "true")]
        self.assertAnswer(self.form("subscribe", method="MULTIPART", parts=parts), "ok: update")
        for op, params, want in [
                ("updatefields", [("bmRecipientId", address), ("orders[add]", "7")], "ok"),
                ("copy", [("bmRecipientId", address), ("bmListId", str(NEWS_LIST)),
                          ("bmVerbose", "1")], "ok"),
                ("createtrackingoptout", [("bmRecipientId", address)], "ok"),
                ("blacklist", [("bmPattern", "nobody@multi.example"), ("bmVerbose", "yes")], "ok"),
                ("unsubscribe", [("bmRecipientId", address), ("bmVerbose", "on")], "ok"),
                ("remove", [("bmRecipientId", address), ("bmVerbose", "TRUE")], "ok")]:
            self.assertAnswer(self.form(op, params, method="MULTIPART"), want)
        self.assertIsNone(self.recipient(address))
        self.assertEqual(self.recipient(address, NEWS_LIST)[1], {"firstname": "Multi"})

    def test_post_urlencoded_with_query(self):
        # PHP http_build_query: booleans as 1, query and body merged.
        r = self.form("subscribe", [("firstname", "Q"), ("bmOverwrite", "1")], method="POST",
                      query=[("bmRecipientId", "query@example.com")])
        self.assertAnswer(r, "ok")
        self.assertEqual(self.recipient("query@example.com")[1]["firstname"], "Q")


if __name__ == "__main__":
    unittest.main()
