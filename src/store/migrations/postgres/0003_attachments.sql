-- Transaction mails and personalized attachments, the same tables and
-- columns as migrations/sqlite/0004_attachments.sql
-- (docs/decisions/0011-transaction-mail-and-attachments.md).
-- clients.attachments: uploadpersonalizedattachments is enabled (0/1).
ALTER TABLE clients ADD COLUMN attachments integer NOT NULL DEFAULT 0
  CHECK (attachments IN (0, 1));

-- One upload: its key is the hex SHA-256 of the token (the token is never
-- stored); its files are kept until expires_at (unix milliseconds).
CREATE TABLE uploads (
  client_id  bigint NOT NULL REFERENCES clients (id),
  token_hash text   NOT NULL CHECK (length(token_hash) = 64),
  created_at bigint NOT NULL,
  expires_at bigint NOT NULL,
  PRIMARY KEY (client_id, token_hash)
);
-- The purge of expired uploads.
CREATE INDEX uploads_by_expiry ON uploads (expires_at);

CREATE TABLE upload_files (
  client_id    bigint  NOT NULL,
  token_hash   text    NOT NULL,
  position     integer NOT NULL,
  file_name    text    NOT NULL,
  content_type text    NOT NULL,
  data         bytea   NOT NULL,
  PRIMARY KEY (client_id, token_hash, position),
  FOREIGN KEY (client_id, token_hash) REFERENCES uploads (client_id, token_hash)
);

-- onlineversion: a recipient's newest mail (store/mailing_lookup.h).
CREATE INDEX mails_by_recipient ON mails (client_id, recipient_id, id);
