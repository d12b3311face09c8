-- Secrets stored through the controller API (PUT /v1/tenants/{tenant}/secrets/{name}),
-- named by `{fromSecret}` in resources of an `api` source (the Terraform provider's
-- write-only `pin` / `password`). Only ciphertext is kept: AES-256-GCM (the 16-byte tag
-- appended), sealed by the controller with a key derived from OMNIA_SECRET_KEY, which the
-- store never sees; key_id names that key, so a value sealed under another key is refused
-- with a clear error instead of decrypting to garbage. The address (source, tenant, name)
-- is the cipher's associated data: a row copied under another name does not open.
CREATE TABLE stored_secrets (
  source     text NOT NULL CHECK (source <> ''),
  tenant     text NOT NULL CHECK (tenant <> ''),
  name       text NOT NULL CHECK (name ~ '^[a-z0-9][a-z0-9-]{0,126}$'),
  ciphertext bytea NOT NULL CHECK (octet_length(ciphertext) >= 16),
  nonce      bytea NOT NULL CHECK (octet_length(nonce) = 12),
  key_id     text NOT NULL CHECK (key_id ~ '^[0-9a-f]{8}$'),
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  PRIMARY KEY (source, tenant, name)
);
