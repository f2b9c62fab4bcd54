-- The directory's change counter, as migrations/sqlite/0006_directory_version.sql
-- (docs/decisions/0015-directory-cache.md): every committed insert, update
-- or delete of a table the directory cache keeps in memory bumps
-- directory_version.version. The triggers are deferred constraint
-- triggers: the counter's row is locked at COMMIT, as the transaction's
-- last lock, so two concurrent directory writers queue for it but cannot
-- deadlock on it; the new value is visible exactly when the change is.
CREATE TABLE directory_version (
  id      integer PRIMARY KEY CHECK (id = 1),
  version bigint  NOT NULL
);
INSERT INTO directory_version (id, version) VALUES (1, 0);

CREATE FUNCTION campaignd_directory_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE directory_version SET version = version + 1 WHERE id = 1;
  RETURN NULL;
END;
$$;
CREATE CONSTRAINT TRIGGER clients_version AFTER INSERT OR UPDATE OR DELETE ON clients
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION campaignd_directory_changed();
CREATE CONSTRAINT TRIGGER dkim_keys_version AFTER INSERT OR UPDATE OR DELETE ON dkim_keys
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION campaignd_directory_changed();
CREATE CONSTRAINT TRIGGER lists_version AFTER INSERT OR UPDATE OR DELETE ON lists
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION campaignd_directory_changed();
CREATE CONSTRAINT TRIGGER list_fields_version AFTER INSERT OR UPDATE OR DELETE ON list_fields
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION campaignd_directory_changed();
CREATE CONSTRAINT TRIGGER mailings_version AFTER INSERT OR UPDATE OR DELETE ON mailings
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION campaignd_directory_changed();
CREATE CONSTRAINT TRIGGER mailing_lists_version AFTER INSERT OR UPDATE OR DELETE ON mailing_lists
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION campaignd_directory_changed();
CREATE CONSTRAINT TRIGGER codes_version AFTER INSERT OR UPDATE OR DELETE ON codes
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION campaignd_directory_changed();
