-- Events, webhooks and statistics (events.md §1, §4, §5, §6;
-- docs/decisions/0018-events-and-webhooks.md). Written by store/sql/events.h
-- only; the same tables and columns as migrations/postgres/0006_events.sql.

-- One row per event; id is the public event id (AUTOINCREMENT: never
-- reused, also after a purge of the newest rows). mail_seq is the mails row
-- (NULL when the event is not about a mail; no foreign key: mails are purged
-- before their events). mailing_id/list_id 0, recipient_id/address '' when
-- none. type is checked by the C++ enum alone, so a new type needs no table
-- rebuild. No index on `at`: ids are handed out in time order, and the
-- purge walks the primary key.
CREATE TABLE events (
  id           INTEGER PRIMARY KEY AUTOINCREMENT,
  client_id    INTEGER NOT NULL,
  type         TEXT    NOT NULL,
  at           INTEGER NOT NULL,
  mail_seq     INTEGER,
  mailing_id   INTEGER NOT NULL,
  list_id      INTEGER NOT NULL,
  recipient_id TEXT    NOT NULL,
  address      TEXT    NOT NULL,  -- lower-case
  data         TEXT    NOT NULL CHECK (json_valid(data))
) STRICT;
CREATE INDEX events_by_client ON events (client_id, id);
CREATE INDEX events_by_mail ON events (mail_seq, id) WHERE mail_seq IS NOT NULL;

-- Webhook subscriptions. types: a JSON array of event types. auth_name is
-- basicAuth's user or keyAuth's header name; auth_secret its password or
-- header value, kept as given because it is replayed to the receiver (never
-- logged, never shown after creation). signing_secret: the HMAC key of
-- X-Campaignd-Signature. failing_since 0: not failing. lease_owner/until:
-- the dispatcher posting a batch now.
CREATE TABLE webhooks (
  client_id       INTEGER NOT NULL REFERENCES clients (id),
  id              INTEGER NOT NULL,
  url             TEXT    NOT NULL,
  types           TEXT    NOT NULL CHECK (json_valid(types)),
  auth            TEXT    NOT NULL CHECK (auth IN ('none', 'basicAuth', 'keyAuth')),
  auth_name       TEXT    NOT NULL,
  auth_secret     TEXT    NOT NULL,
  signing_secret  BLOB    NOT NULL CHECK (length(signing_secret) > 0),
  state           TEXT    NOT NULL CHECK (state IN ('activated', 'deactivated', 'suspended')),
  created_at      INTEGER NOT NULL,
  failing_since   INTEGER NOT NULL DEFAULT 0,
  attempts        INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL DEFAULT 0,
  lease_owner     TEXT,
  lease_until     INTEGER,
  PRIMARY KEY (client_id, id)
) STRICT;
-- The dispatcher's search for a due subscription.
CREATE INDEX webhooks_due ON webhooks (next_attempt_at) WHERE state = 'activated';

-- The outbox: the events each subscription still has to receive.
CREATE TABLE webhook_outbox (
  client_id  INTEGER NOT NULL,
  webhook_id INTEGER NOT NULL,
  event_id   INTEGER NOT NULL,
  PRIMARY KEY (client_id, webhook_id, event_id)
) STRICT, WITHOUT ROWID;

-- Every delivery attempt: the batch (first event id, count), the HTTP status
-- (0: none) or the error, the first 1 KiB of the answer; final 1: the
-- attempt after which the batch was given up (the subscription suspended).
CREATE TABLE webhook_attempts (
  id             INTEGER PRIMARY KEY,
  client_id      INTEGER NOT NULL,
  webhook_id     INTEGER NOT NULL,
  at             INTEGER NOT NULL,
  first_event_id INTEGER NOT NULL,
  events         INTEGER NOT NULL,
  http_status    INTEGER NOT NULL,
  error          TEXT    NOT NULL,
  duration_ms    INTEGER NOT NULL,
  response       BLOB    NOT NULL,
  final          INTEGER NOT NULL CHECK (final IN (0, 1))
) STRICT;
CREATE INDEX webhook_attempts_by_webhook ON webhook_attempts (client_id, webhook_id, id);

-- Hourly counters per client and mailing (0: none); hour = unix seconds / 3600.
CREATE TABLE stats_hourly (
  client_id      INTEGER NOT NULL,
  mailing_id     INTEGER NOT NULL,
  hour           INTEGER NOT NULL,
  enqueued       INTEGER NOT NULL,
  sent           INTEGER NOT NULL,
  failed         INTEGER NOT NULL,
  bounced_hard   INTEGER NOT NULL,
  bounced_soft   INTEGER NOT NULL,
  complaints     INTEGER NOT NULL,
  unsubscribes   INTEGER NOT NULL,
  opens          INTEGER NOT NULL,
  opens_unique   INTEGER NOT NULL,
  opens_machine  INTEGER NOT NULL,
  clicks         INTEGER NOT NULL,
  clicks_unique  INTEGER NOT NULL,
  clicks_machine INTEGER NOT NULL,
  PRIMARY KEY (client_id, mailing_id, hour)
) STRICT, WITHOUT ROWID;

-- Clicks per link (its index in the mailing) and hour.
CREATE TABLE stats_links (
  client_id     INTEGER NOT NULL,
  mailing_id    INTEGER NOT NULL,
  link_index    INTEGER NOT NULL,
  hour          INTEGER NOT NULL,
  clicks        INTEGER NOT NULL,
  clicks_unique INTEGER NOT NULL,
  PRIMARY KEY (client_id, mailing_id, link_index, hour)
) STRICT, WITHOUT ROWID;
