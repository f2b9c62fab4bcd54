-- What a mailing tracks (events.md §3; docs/decisions/0021-tracking.md):
-- 'none' (the default: tracking needs a legal basis), 'opens', 'clicks' or
-- 'all'. Written by store/sql/records.cc WriteMailing only; the same column
-- as migrations/postgres/0008_mailing_tracking.sql. The existing mailings
-- triggers of 0006 bump directory_version on its changes too.
ALTER TABLE mailings ADD COLUMN tracking TEXT NOT NULL DEFAULT 'none'
  CHECK (tracking IN ('none', 'opens', 'clicks', 'all'));
