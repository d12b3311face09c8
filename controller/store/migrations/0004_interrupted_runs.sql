-- A run killed mid-way stayed unfinished in `runs` forever. Now each run records who runs
-- it and when it last said it is alive, so a later start can end it as 'interrupted':
-- * holder: 'host/pid/runId', the name its tenant leases carry (engine/run-lease.ts);
-- * heartbeat_at: set at start and by each heartbeat;
-- * outcome 'interrupted': ended by someone else because its process is gone or silent.
ALTER TABLE runs ADD COLUMN holder text;
ALTER TABLE runs ADD COLUMN heartbeat_at timestamptz;
UPDATE runs SET heartbeat_at = started_at WHERE finished_at IS NULL;

ALTER TABLE runs DROP CONSTRAINT runs_outcome_check;
ALTER TABLE runs
  ADD CONSTRAINT runs_outcome_check
  CHECK (outcome IN ('ok', 'changes', 'failed', 'refused', 'cancelled', 'interrupted'));

-- Unfinished runs are what the interrupted-run sweep reads at every start.
CREATE INDEX runs_unfinished ON runs (heartbeat_at) WHERE finished_at IS NULL;
