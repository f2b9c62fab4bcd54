-- The recipient operations of behaviour.md §3 (subscribe with opt-in,
-- unsubscribe with attribution, tracking opt-out) and opt-in processes
-- (docs/decisions/0010-recipient-operations.md); the same columns as
-- migrations/sqlite/0003 (copy-db moves rows between them).

ALTER TABLE recipients ADD COLUMN tracking_opt_out integer NOT NULL DEFAULT 0
  CHECK (tracking_opt_out IN (0, 1));
ALTER TABLE recipients ADD COLUMN optin_id bigint NOT NULL DEFAULT 0;
ALTER TABLE recipients ADD COLUMN optin_at bigint NOT NULL DEFAULT 0;
ALTER TABLE recipients ADD COLUMN optin_source text NOT NULL DEFAULT '';

ALTER TABLE unsubscribes ADD COLUMN mail_id bigint NOT NULL DEFAULT 0;
ALTER TABLE unsubscribes ADD COLUMN mailing_id bigint NOT NULL DEFAULT 0;
ALTER TABLE unsubscribes ADD COLUMN at bigint NOT NULL DEFAULT 0;

CREATE TABLE optin_processes (
  client_id        bigint NOT NULL REFERENCES clients (id),
  id               bigint NOT NULL,
  name             text   NOT NULL,
  kind             text   NOT NULL CHECK (kind IN ('single', 'confirmed', 'double')),
  mailing_id       bigint NOT NULL,
  confirmation_url text   NOT NULL,
  PRIMARY KEY (client_id, id)
);
