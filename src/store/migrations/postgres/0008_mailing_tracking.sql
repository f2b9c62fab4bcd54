-- What a mailing tracks (events.md §3; docs/decisions/0021-tracking.md):
-- 'none' (the default: tracking needs a legal basis), 'opens', 'clicks' or
-- 'all'. Written by store/sql/records.cc WriteMailing only; the same column
-- as migrations/sqlite/0009_mailing_tracking.sql.
ALTER TABLE mailings ADD COLUMN tracking text NOT NULL DEFAULT 'none'
  CHECK (tracking IN ('none', 'opens', 'clicks', 'all'));
