-- 002: the audit trail records refused edits too (optimistic concurrency).
-- Rows written before this migration were all applied changes.
ALTER TABLE resettlement_audit ADD COLUMN expected_status text;
ALTER TABLE resettlement_audit ADD COLUMN outcome text NOT NULL DEFAULT 'applied';
ALTER TABLE resettlement_audit ALTER COLUMN outcome DROP DEFAULT;
ALTER TABLE resettlement_audit ADD CONSTRAINT resettlement_audit_outcome CHECK (outcome IN ('applied', 'conflict'));
