-- Admin API (docs/decisions/0012-admin-api.md): per-client API keys, stored
-- only as the SHA-256 of the key (auth/code_hash.h). The mail search by
-- recipient uses mails_by_recipient (the attachments migration before this).
CREATE TABLE api_keys (
  client_id  INTEGER NOT NULL REFERENCES clients (id),
  id         INTEGER NOT NULL,
  name       TEXT    NOT NULL,
  key_hash   TEXT    NOT NULL UNIQUE CHECK (length(key_hash) > 0),
  created_at INTEGER NOT NULL,
  PRIMARY KEY (client_id, id)
) STRICT;
