-- The recipient operations of behaviour.md §3 (subscribe with opt-in,
-- unsubscribe with attribution, tracking opt-out) and opt-in processes
-- (docs/decisions/0010-recipient-operations.md).

-- What the opt-in operations keep per recipient: the tracking opt-out flag,
-- the opt-in process last started for it (0: none), when it started (unix
-- ms; bmOptinFrequencyLimit) and bmOptinSource.
ALTER TABLE recipients ADD COLUMN tracking_opt_out INTEGER NOT NULL DEFAULT 0
  CHECK (tracking_opt_out IN (0, 1));
ALTER TABLE recipients ADD COLUMN optin_id INTEGER NOT NULL DEFAULT 0;
ALTER TABLE recipients ADD COLUMN optin_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE recipients ADD COLUMN optin_source TEXT NOT NULL DEFAULT '';

-- An unsubscribe's attribution: the mail (its sequence, 0: none) and
-- mailing it came from, and when.
ALTER TABLE unsubscribes ADD COLUMN mail_id INTEGER NOT NULL DEFAULT 0;
ALTER TABLE unsubscribes ADD COLUMN mailing_id INTEGER NOT NULL DEFAULT 0;
ALTER TABLE unsubscribes ADD COLUMN at INTEGER NOT NULL DEFAULT 0;

CREATE TABLE optin_processes (
  client_id        INTEGER NOT NULL REFERENCES clients (id),
  id               INTEGER NOT NULL,
  name             TEXT    NOT NULL,
  kind             TEXT    NOT NULL CHECK (kind IN ('single', 'confirmed', 'double')),
  mailing_id       INTEGER NOT NULL,  -- 0: none (single)
  confirmation_url TEXT    NOT NULL,
  PRIMARY KEY (client_id, id)
) STRICT;
