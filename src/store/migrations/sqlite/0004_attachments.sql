-- Transaction mails and personalized attachments
-- (docs/decisions/0011-transaction-mail-and-attachments.md).
-- clients.attachments: uploadpersonalizedattachments is enabled (0/1).
ALTER TABLE clients ADD COLUMN attachments INTEGER NOT NULL DEFAULT 0
  CHECK (attachments IN (0, 1));

-- One upload: its key is the hex SHA-256 of the token (the token is never
-- stored); its files are kept until expires_at (unix milliseconds).
CREATE TABLE uploads (
  client_id  INTEGER NOT NULL REFERENCES clients (id),
  token_hash TEXT    NOT NULL CHECK (length(token_hash) = 64),
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  PRIMARY KEY (client_id, token_hash)
) STRICT;
-- The purge of expired uploads.
CREATE INDEX uploads_by_expiry ON uploads (expires_at);

CREATE TABLE upload_files (
  client_id    INTEGER NOT NULL,
  token_hash   TEXT    NOT NULL,
  position     INTEGER NOT NULL,
  file_name    TEXT    NOT NULL,
  content_type TEXT    NOT NULL,
  data         BLOB    NOT NULL,
  PRIMARY KEY (client_id, token_hash, position),
  FOREIGN KEY (client_id, token_hash) REFERENCES uploads (client_id, token_hash)
) STRICT;

-- onlineversion: a recipient's newest mail (store/mailing_lookup.h).
CREATE INDEX mails_by_recipient ON mails (client_id, recipient_id, id);
