-- Bounces and complaints inbound (events.md §2; docs/decisions/0020-bounce-domain.md).
-- A client's bounce domain ('' = none: the envelope sender stays the From
-- address), the local part of its VERP return paths and its complaint
-- address ('' = fbl@<bounce_domain>); the same columns as
-- migrations/postgres/0007_bounce_domain.sql.
ALTER TABLE clients ADD COLUMN bounce_domain TEXT NOT NULL DEFAULT '';
ALTER TABLE clients ADD COLUMN bounce_local TEXT NOT NULL DEFAULT 'bounces';
ALTER TABLE clients ADD COLUMN complaint_address TEXT NOT NULL DEFAULT '';

-- "Five soft bounces in a row without a delivery in between count as one
-- hard bounce": the inbound writer reads the newest `sent` and `bounce`
-- events of one address (at most five rows, newest first) through this.
CREATE INDEX events_by_address ON events (client_id, address, id)
  WHERE type IN ('sent', 'bounce');
