-- 004: a status change may carry the resettlement site it sets and a note (a plan proposal confirmed).
ALTER TABLE resettlement_audit ADD COLUMN site_id text;
ALTER TABLE resettlement_audit ADD COLUMN note text;
