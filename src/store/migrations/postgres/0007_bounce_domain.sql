-- As migrations/sqlite/0008_bounce_domain.sql (the comments there say what
-- each column holds; docs/decisions/0020-bounce-domain.md).
ALTER TABLE clients ADD COLUMN bounce_domain text NOT NULL DEFAULT '';
ALTER TABLE clients ADD COLUMN bounce_local text NOT NULL DEFAULT 'bounces';
ALTER TABLE clients ADD COLUMN complaint_address text NOT NULL DEFAULT '';

CREATE INDEX events_by_address ON events (client_id, address, id)
  WHERE type IN ('sent', 'bounce');
