-- The planner needs two facts 0001 could not hold:
-- * an entry's deletionPolicy, remembered from the last apply, because the document that
--   said "orphan" is gone by the time the planner decides what its removal means;
-- * the 'forget' action (stop managing without touching the platform) in step records.
ALTER TABLE inventory
  ADD COLUMN deletion_policy text CHECK (deletion_policy IN ('delete', 'orphan'));

ALTER TABLE steps DROP CONSTRAINT steps_action_check;
ALTER TABLE steps
  ADD CONSTRAINT steps_action_check
  CHECK (action IN ('create', 'update', 'delete', 'adopt', 'noop', 'forget'));
