-- Client::rate_limit: messages per second across all workers, 0 = unlimited
-- (docs/decisions/0006-provisioning-file.md).
ALTER TABLE clients ADD COLUMN rate_limit INTEGER NOT NULL DEFAULT 0 CHECK (rate_limit >= 0);
