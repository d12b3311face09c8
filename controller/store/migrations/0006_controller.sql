-- The controller service (`omnia serve`, issue 9): registered sources, the reconcile
-- request queue, each tenant's status, API tokens, the event log, webhook deliveries
-- seen, live replicas, resources stored through the API; and who changed a drifted
-- resource. No secret value is kept: a platform password or webhook secret is a
-- reference ({fromEnv} / {fromFile}), a token only its hash.

-- A partner's manifest repository and what the controller last read of it. Tables below
-- name a source by id without a foreign key: `deleteSource` removes its rows from all of
-- them in one transaction, and a CLI run of an unregistered folder still records runs.
CREATE TABLE sources (
  id                 text PRIMARY KEY CHECK (id ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
  partner            text NOT NULL CHECK (partner <> ''),
  location           jsonb NOT NULL,
  account            jsonb NOT NULL,
  policies           jsonb NOT NULL,
  webhook_secret     jsonb,
  created_at         timestamptz NOT NULL,
  updated_at         timestamptz NOT NULL,
  last_revision      text,
  last_good_revision text,
  -- Problems of last_revision, each `file:line:col: message`; empty when it validated.
  problems           jsonb NOT NULL DEFAULT '[]'::jsonb,
  last_read_at       timestamptz
);
CREATE INDEX sources_partner ON sources (partner);

-- One queued reconcile per tenant and mode: a trigger for a queued tenant merges into its
-- row (reasons, generation). Workers claim due rows with FOR UPDATE SKIP LOCKED; a claim
-- lapses at claimed_until, so a dead worker's requests go back to the queue.
CREATE TABLE reconcile_requests (
  source        text NOT NULL,
  tenant        text NOT NULL,
  mode          text NOT NULL CHECK (mode IN ('apply', 'drift')),
  reasons       text[] NOT NULL,
  generation    integer NOT NULL DEFAULT 1,
  not_before    timestamptz NOT NULL,
  attempts      integer NOT NULL DEFAULT 0,
  requested_at  timestamptz NOT NULL,
  claimed_by    text,
  claimed_until timestamptz,
  PRIMARY KEY (source, tenant, mode),
  CHECK ((claimed_by IS NULL) = (claimed_until IS NULL))
);
CREATE INDEX reconcile_requests_due ON reconcile_requests (mode, not_before);

-- The last word on one tenant of one source, as the dashboard and the API show it.
CREATE TABLE tenant_status (
  source            text NOT NULL,
  tenant            text NOT NULL,
  partner           text NOT NULL,
  phase             text NOT NULL CHECK (phase IN ('InSync', 'Drifted', 'Reconciling', 'Failed', 'Suspended')),
  reason            text,
  observed_revision text,
  last_run_id       text,
  last_run_at       timestamptz,
  drifted           integer NOT NULL DEFAULT 0 CHECK (drifted >= 0),
  attempts          integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  next_attempt_at   timestamptz,
  updated_at        timestamptz NOT NULL,
  PRIMARY KEY (source, tenant)
);
CREATE INDEX tenant_status_partner ON tenant_status (partner, tenant);
CREATE INDEX tenant_status_phase ON tenant_status (phase);

-- API tokens of partners, kept as hashes made by the service (the token never reaches
-- the store). A revoked token stays, so its use can be told apart from an unknown one.
CREATE TABLE api_tokens (
  id           text PRIMARY KEY,
  partner      text NOT NULL CHECK (partner <> ''),
  name         text NOT NULL,
  scopes       text[] NOT NULL CHECK (scopes <@ ARRAY['read', 'write', 'admin']::text[]),
  hash         text NOT NULL UNIQUE CHECK (hash <> ''),
  created_at   timestamptz NOT NULL,
  revoked_at   timestamptz,
  last_used_at timestamptz
);
CREATE INDEX api_tokens_partner ON api_tokens (partner);

-- The event log. seq comes from controller_event_seq, whose one row every append
-- updates in the same statement: appends commit one at a time in seq order, so a reader
-- that saw seq n has seen every event before it (a sequence would let n+1 commit first
-- and a reader resuming after it miss n for good).
CREATE TABLE controller_event_seq (
  id   boolean PRIMARY KEY DEFAULT true CHECK (id),
  last bigint NOT NULL
);
CREATE TABLE controller_events (
  seq     bigint PRIMARY KEY,
  at      timestamptz NOT NULL,
  type    text NOT NULL CHECK (type IN ('run.started', 'run.finished', 'step.finished', 'tenant.status',
                                        'source.revision', 'api.change')),
  partner text NOT NULL,
  source  text,
  tenant  text,
  actor   text,
  ip      text,
  data    jsonb NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX controller_events_partner ON controller_events (partner, seq);
CREATE INDEX controller_events_at ON controller_events (at);

-- Webhook deliveries seen, by the forge's delivery id: a replay is refused.
CREATE TABLE webhook_deliveries (
  source      text NOT NULL,
  delivery_id text NOT NULL,
  received_at timestamptz NOT NULL,
  PRIMARY KEY (source, delivery_id)
);
CREATE INDEX webhook_deliveries_received_at ON webhook_deliveries (received_at);

-- Replicas of `omnia serve` that said they are alive; the rate budget is shared among them.
CREATE TABLE controller_replicas (
  id           text PRIMARY KEY,
  started_at   timestamptz NOT NULL,
  heartbeat_at timestamptz NOT NULL
);

-- Documents written through the API (`PUT /v1/tenants/{tenant}/resources/{kind}/{key}`),
-- the desired state of `api` sources. Never a secret value: the service refuses them.
CREATE TABLE stored_resources (
  source     text NOT NULL,
  key        text NOT NULL,
  tenant     text NOT NULL,
  kind       text NOT NULL,
  document   jsonb NOT NULL,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  PRIMARY KEY (source, key)
);
CREATE INDEX stored_resources_tenant ON stored_resources (source, tenant);

-- Who changed a drifted resource by hand, from the platform's audit logs (DriftAttribution).
ALTER TABLE resource_status ADD COLUMN changed_by jsonb;

-- Runs are listed by source and paged by start.
CREATE INDEX runs_source_started_at ON runs (source, started_at DESC);
