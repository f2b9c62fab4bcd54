-- The directory's change counter (docs/decisions/0015-directory-cache.md):
-- every insert, update or delete of a table the directory cache
-- (store/directory_cache.h) keeps in memory bumps directory_version.version
-- in the same transaction, so a process polling the counter sees every
-- committed change of any process (CLI, apply, admin API, another serve).
-- The queue, recipients and suppression tables have no trigger: they are
-- not cached, and enqueue/record must not pay for one.
CREATE TABLE directory_version (
  id      INTEGER PRIMARY KEY CHECK (id = 1),
  version INTEGER NOT NULL
);
INSERT INTO directory_version (id, version) VALUES (1, 0);
CREATE TRIGGER clients_insert_version AFTER INSERT ON clients
BEGIN UPDATE directory_version SET version = version + 1; END;
CREATE TRIGGER clients_update_version AFTER UPDATE ON clients
BEGIN UPDATE directory_version SET version = version + 1; END;
CREATE TRIGGER clients_delete_version AFTER DELETE ON clients
BEGIN UPDATE directory_version SET version = version + 1; END;
CREATE TRIGGER dkim_keys_insert_version AFTER INSERT ON dkim_keys
BEGIN UPDATE directory_version SET version = version + 1; END;
CREATE TRIGGER dkim_keys_update_version AFTER UPDATE ON dkim_keys
BEGIN UPDATE directory_version SET version = version + 1; END;
CREATE TRIGGER dkim_keys_delete_version AFTER DELETE ON dkim_keys
BEGIN UPDATE directory_version SET version = version + 1; END;
CREATE TRIGGER lists_insert_version AFTER INSERT ON lists
BEGIN UPDATE directory_version SET version = version + 1; END;
CREATE TRIGGER lists_update_version AFTER UPDATE ON lists
BEGIN UPDATE directory_version SET version = version + 1; END;
CREATE TRIGGER lists_delete_version AFTER DELETE ON lists
BEGIN UPDATE directory_version SET version = version + 1; END;
CREATE TRIGGER list_fields_insert_version AFTER INSERT ON list_fields
BEGIN UPDATE directory_version SET version = version + 1; END;
CREATE TRIGGER list_fields_update_version AFTER UPDATE ON list_fields
BEGIN UPDATE directory_version SET version = version + 1; END;
CREATE TRIGGER list_fields_delete_version AFTER DELETE ON list_fields
BEGIN UPDATE directory_version SET version = version + 1; END;
CREATE TRIGGER mailings_insert_version AFTER INSERT ON mailings
BEGIN UPDATE directory_version SET version = version + 1; END;
CREATE TRIGGER mailings_update_version AFTER UPDATE ON mailings
BEGIN UPDATE directory_version SET version = version + 1; END;
CREATE TRIGGER mailings_delete_version AFTER DELETE ON mailings
BEGIN UPDATE directory_version SET version = version + 1; END;
CREATE TRIGGER mailing_lists_insert_version AFTER INSERT ON mailing_lists
BEGIN UPDATE directory_version SET version = version + 1; END;
CREATE TRIGGER mailing_lists_update_version AFTER UPDATE ON mailing_lists
BEGIN UPDATE directory_version SET version = version + 1; END;
CREATE TRIGGER mailing_lists_delete_version AFTER DELETE ON mailing_lists
BEGIN UPDATE directory_version SET version = version + 1; END;
CREATE TRIGGER codes_insert_version AFTER INSERT ON codes
BEGIN UPDATE directory_version SET version = version + 1; END;
CREATE TRIGGER codes_update_version AFTER UPDATE ON codes
BEGIN UPDATE directory_version SET version = version + 1; END;
CREATE TRIGGER codes_delete_version AFTER DELETE ON codes
BEGIN UPDATE directory_version SET version = version + 1; END;
