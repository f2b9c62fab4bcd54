-- Admin API (docs/decisions/0012-admin-api.md): per-client API keys, stored
-- only as the SHA-256 of the key (auth/code_hash.h). The mail search by
-- recipient uses mails_by_recipient (the attachments migration before this).
CREATE TABLE api_keys (
  client_id  bigint NOT NULL REFERENCES clients (id),
  id         bigint NOT NULL,
  name       text   NOT NULL,
  key_hash   text   NOT NULL UNIQUE CHECK (length(key_hash) > 0),
  created_at bigint NOT NULL,
  PRIMARY KEY (client_id, id)
);
