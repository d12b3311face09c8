-- The state store's first schema: the installation's salt, the inventory of managed
-- objects, runs and their steps, per-resource status, and tenant leases.

-- One row: facts about this installation. The salt keys the HMAC of secret hashes, so
-- hashes from one installation say nothing in another.
CREATE TABLE installation (
  id         boolean PRIMARY KEY DEFAULT true CHECK (id),
  salt       text NOT NULL CHECK (length(salt) >= 16),
  created_at timestamptz NOT NULL DEFAULT clock_timestamp()
);

-- Which live object each managed resource is, and which source owns it. One owner per
-- natural key: a second source claiming it is an ownership clash, not a second row.
CREATE TABLE inventory (
  key             text PRIMARY KEY,
  kind            text NOT NULL CHECK (kind IN ('Tenant', 'User', 'Pbx', 'Extension', 'Number', 'SipTrunk')),
  tenant          text NOT NULL,
  platform_id     text,
  source          text NOT NULL,
  state           text NOT NULL CHECK (state IN ('creating', 'managed')),
  -- Salted hashes of the secrets last applied, by field path; never a secret itself.
  secret_hashes   jsonb NOT NULL DEFAULT '{}'::jsonb,
  last_applied_at timestamptz,
  created_at      timestamptz NOT NULL DEFAULT clock_timestamp(),
  updated_at      timestamptz NOT NULL DEFAULT clock_timestamp(),
  CHECK (state = 'creating' OR platform_id IS NOT NULL)
);
CREATE INDEX inventory_source_tenant ON inventory (source, tenant);
CREATE INDEX inventory_tenant ON inventory (tenant);

-- One plan, apply or drift run of one source.
CREATE TABLE runs (
  id          text PRIMARY KEY,
  mode        text NOT NULL CHECK (mode IN ('plan', 'apply', 'drift')),
  source      text NOT NULL,
  tenants     text[] NOT NULL DEFAULT '{}',
  started_at  timestamptz NOT NULL,
  finished_at timestamptz,
  -- Null while running.
  outcome     text CHECK (outcome IN ('ok', 'changes', 'failed', 'refused', 'cancelled')),
  summary     jsonb NOT NULL DEFAULT '{}'::jsonb,
  error       text,
  -- Highest step seq handed out by the store (steps whose caller gives no seq).
  last_seq    integer NOT NULL DEFAULT 0
);
CREATE INDEX runs_started_at ON runs (started_at DESC);

-- One action of a run on one resource, written when it starts and again when it ends.
CREATE TABLE steps (
  run_id      text NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  seq         integer NOT NULL CHECK (seq > 0),
  -- Order in which steps were recorded (parallel steps start out of seq order).
  recorded    bigint GENERATED ALWAYS AS IDENTITY,
  key         text NOT NULL,
  kind        text NOT NULL,
  tenant      text NOT NULL,
  action      text NOT NULL CHECK (action IN ('create', 'update', 'delete', 'adopt', 'noop')),
  state       text NOT NULL CHECK (state IN ('started', 'ok', 'failed', 'terminal', 'skipped')),
  request_id  text,
  platform_id text,
  adopted     boolean NOT NULL DEFAULT false,
  started_at  timestamptz NOT NULL,
  finished_at timestamptz,
  duration_ms integer,
  error       text,
  skip_reason text,
  PRIMARY KEY (run_id, seq)
);
CREATE INDEX steps_key ON steps (key);

-- The last word on each resource: how its last step ended and whether it has drifted.
CREATE TABLE resource_status (
  key          text PRIMARY KEY,
  kind         text NOT NULL,
  tenant       text NOT NULL,
  last_outcome text CHECK (last_outcome IN ('ok', 'failed', 'terminal', 'skipped')),
  last_error   text,
  last_run_id  text,
  drift        text NOT NULL DEFAULT 'unknown' CHECK (drift IN ('in_sync', 'drifted', 'unknown')),
  drift_diffs  jsonb NOT NULL DEFAULT '[]'::jsonb,
  updated_at   timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX resource_status_tenant ON resource_status (tenant);

-- One writer per tenant at a time. A lease lapses at expires_at, so a dead process's
-- lease frees itself; a live holder renews before then.
CREATE TABLE tenant_leases (
  tenant      text PRIMARY KEY,
  holder      text NOT NULL,
  acquired_at timestamptz NOT NULL,
  expires_at  timestamptz NOT NULL
);
