-- Secret hashes are keyed by a key kept outside the store (controller/runtime/secret-key.ts):
-- the salt that keyed them sat in this database, so anyone with a backup could brute-force
-- every 4-6 digit PIN in seconds.
-- * The salt goes.
-- * Every stored hash not made with a key (the `v2:<key id>:<hex>` form) becomes the marker
--   'unknown:adopted-by-export'. The old hashes stay reversible as long as any copy of
--   the salt exists, and nothing can check them without it; the engine takes the declared
--   value of a marked field as the live one and records its hash under the key at the
--   next run, as it does after `omnia export`.
DROP TABLE installation;

UPDATE inventory SET secret_hashes = (
  SELECT jsonb_object_agg(
    e.field,
    CASE WHEN jsonb_typeof(e.hash) = 'string' AND e.hash #>> '{}' LIKE 'v2:%'
         THEN e.hash ELSE to_jsonb('unknown:adopted-by-export'::text) END)
  FROM jsonb_each(secret_hashes) AS e(field, hash)
)
WHERE secret_hashes <> '{}'::jsonb;
