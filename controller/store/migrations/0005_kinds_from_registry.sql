-- The kinds are the kind registry's (controller/model/registry.ts, derived from schemas/),
-- not a list in SQL: a new kind needs a schema, a descriptor and an adapter, and no
-- migration. Steps and resource status never listed them; the inventory did.
ALTER TABLE inventory DROP CONSTRAINT inventory_kind_check;
