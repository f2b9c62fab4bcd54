-- The initial schema (behaviour.md §1). Times are unix milliseconds; arrays
-- and field values are JSON text; every table but mails/mail_events is keyed
-- by client first, so no lookup can cross clients.

CREATE TABLE clients (
  id             INTEGER PRIMARY KEY,
  name           TEXT    NOT NULL,
  transport      TEXT    NOT NULL,
  redirect_hosts TEXT    NOT NULL CHECK (json_valid(redirect_hosts)),
  bounce_limit   INTEGER NOT NULL,
  mail_id_secret BLOB    NOT NULL CHECK (length(mail_id_secret) > 0)
) STRICT;

CREATE TABLE dkim_keys (
  client_id       INTEGER NOT NULL REFERENCES clients (id),
  domain          TEXT    NOT NULL,
  selector        TEXT    NOT NULL,
  algorithm       TEXT    NOT NULL CHECK (algorithm IN ('rsa-sha256', 'ed25519-sha256')),
  private_key_pem TEXT    NOT NULL,
  PRIMARY KEY (client_id, domain, selector)
) STRICT;

CREATE TABLE lists (
  client_id INTEGER NOT NULL REFERENCES clients (id),
  id        INTEGER NOT NULL,
  name      TEXT    NOT NULL,
  kind      TEXT    NOT NULL CHECK (kind IN ('standard', 'optin', 'transaction')),
  test      INTEGER NOT NULL CHECK (test IN (0, 1)),
  PRIMARY KEY (client_id, id)
) STRICT;

CREATE TABLE list_fields (
  client_id INTEGER NOT NULL,
  list_id   INTEGER NOT NULL,
  position  INTEGER NOT NULL,
  name      TEXT    NOT NULL,
  type      TEXT    NOT NULL CHECK (type IN ('text', 'int', 'decimal', 'bool', 'date', 'datetime')),
  PRIMARY KEY (client_id, list_id, name),
  FOREIGN KEY (client_id, list_id) REFERENCES lists (client_id, id)
) STRICT;

CREATE TABLE recipients (
  client_id    INTEGER NOT NULL,
  list_id      INTEGER NOT NULL,
  recipient_id TEXT    NOT NULL,
  fields       TEXT    NOT NULL CHECK (json_valid(fields)),
  state        TEXT    NOT NULL CHECK (state IN ('active', 'unsubscribed', 'pending')),
  PRIMARY KEY (client_id, list_id, recipient_id),
  FOREIGN KEY (client_id, list_id) REFERENCES lists (client_id, id)
) STRICT;
-- The same address across a client's lists (unsubscribe, rename).
CREATE INDEX recipients_by_address ON recipients (client_id, recipient_id);

CREATE TABLE mailings (
  client_id    INTEGER NOT NULL REFERENCES clients (id),
  id           INTEGER NOT NULL,
  name         TEXT    NOT NULL,
  type         TEXT    NOT NULL CHECK (type IN ('regular', 'event', 'confirmation', 'template')),
  status       TEXT    NOT NULL CHECK (status IN ('NEW', 'SENDING', 'PAUSED', 'DONE', 'CANCELED')),
  target_group TEXT    NOT NULL,
  from_address TEXT    NOT NULL,
  reply_to     TEXT    NOT NULL,
  subject      TEXT    NOT NULL,
  text_body    TEXT    NOT NULL,
  html_body    TEXT    NOT NULL,
  PRIMARY KEY (client_id, id)
) STRICT;

CREATE TABLE mailing_lists (
  client_id  INTEGER NOT NULL,
  mailing_id INTEGER NOT NULL,
  list_id    INTEGER NOT NULL,
  PRIMARY KEY (client_id, mailing_id, list_id),
  FOREIGN KEY (client_id, mailing_id) REFERENCES mailings (client_id, id),
  FOREIGN KEY (client_id, list_id) REFERENCES lists (client_id, id)
) STRICT;

CREATE TABLE codes (
  client_id      INTEGER NOT NULL,
  name           TEXT    NOT NULL,
  code_hash      TEXT    NOT NULL UNIQUE CHECK (length(code_hash) > 0),  -- the code lookup
  list_id        INTEGER NOT NULL,
  operations     TEXT    NOT NULL CHECK (json_valid(operations)),
  ips            TEXT    NOT NULL CHECK (json_valid(ips)),
  methods        TEXT    NOT NULL CHECK (json_valid(methods)),
  protocols      TEXT    NOT NULL CHECK (json_valid(protocols)),
  redirect_hosts TEXT    NOT NULL CHECK (json_valid(redirect_hosts)),
  enabled        INTEGER NOT NULL CHECK (enabled IN (0, 1)),
  PRIMARY KEY (client_id, name),
  FOREIGN KEY (client_id, list_id) REFERENCES lists (client_id, id)
) STRICT;

CREATE TABLE blocklist (
  client_id   INTEGER NOT NULL REFERENCES clients (id),
  pattern     TEXT    NOT NULL,  -- lower-case
  reason      TEXT    NOT NULL,
  is_wildcard INTEGER NOT NULL CHECK (is_wildcard IN (0, 1)),
  PRIMARY KEY (client_id, pattern)
) STRICT;
CREATE INDEX blocklist_wildcards ON blocklist (client_id) WHERE is_wildcard = 1;

-- Client-wide unsubscribes; per-list ones are recipients.state.
CREATE TABLE unsubscribes (
  client_id INTEGER NOT NULL REFERENCES clients (id),
  address   TEXT    NOT NULL,  -- lower-case
  PRIMARY KEY (client_id, address)
) STRICT;

CREATE TABLE bounces (
  client_id    INTEGER NOT NULL REFERENCES clients (id),
  address      TEXT    NOT NULL,  -- lower-case
  hard_bounces INTEGER NOT NULL CHECK (hard_bounces >= 0),
  PRIMARY KEY (client_id, address)
) STRICT;

-- mails.id is the sequence of the MailId: AUTOINCREMENT never reuses an id.
-- A mail keeps its list and mailing IDs even if those are removed later.
CREATE TABLE mails (
  id              INTEGER PRIMARY KEY AUTOINCREMENT,
  client_id       INTEGER NOT NULL REFERENCES clients (id),
  list_id         INTEGER NOT NULL,
  mailing_id      INTEGER NOT NULL,
  recipient_id    TEXT    NOT NULL,
  fields          TEXT    NOT NULL CHECK (json_valid(fields)),
  status          TEXT    NOT NULL,
  attempts        INTEGER NOT NULL DEFAULT 0,
  created_at      INTEGER NOT NULL,
  updated_at      INTEGER NOT NULL,
  next_attempt_at INTEGER NOT NULL,
  lease_owner     TEXT,
  lease_until     INTEGER,
  last_reply      TEXT    NOT NULL DEFAULT ''
) STRICT;
-- Claims: open mails by due time, never attempted (fresh) and deferred (retry).
CREATE INDEX mails_claim_fresh ON mails (next_attempt_at)
  WHERE status IN ('enqueued', 'sending') AND attempts = 0;
CREATE INDEX mails_claim_retry ON mails (next_attempt_at)
  WHERE status IN ('enqueued', 'sending') AND attempts > 0;
-- ReleaseClaims(worker).
CREATE INDEX mails_by_lease_owner ON mails (lease_owner) WHERE lease_owner IS NOT NULL;
-- A client's mails, newest last (admin lookups).
CREATE INDEX mails_by_client ON mails (client_id, id);

CREATE TABLE mail_events (
  id      INTEGER PRIMARY KEY,
  mail_id INTEGER NOT NULL REFERENCES mails (id),
  at      INTEGER NOT NULL,
  status  TEXT    NOT NULL,
  reply   TEXT    NOT NULL
) STRICT;
CREATE INDEX mail_events_by_mail ON mail_events (mail_id, id);
