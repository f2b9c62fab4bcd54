-- Admin API (docs/decisions/0012-admin-api.md): per-client API keys, stored
-- only as the SHA-256 of the key (auth/code_hash.h), and the mail search by
-- recipient.
CREATE TABLE api_keys (
  client_id  bigint NOT NULL REFERENCES clients (id),
  id         bigint NOT NULL,
  name       text   NOT NULL,
  key_hash   text   NOT NULL UNIQUE CHECK (length(key_hash) > 0),
  created_at bigint NOT NULL,
  PRIMARY KEY (client_id, id)
);
CREATE INDEX mails_by_recipient ON mails (client_id, recipient_id, id);
