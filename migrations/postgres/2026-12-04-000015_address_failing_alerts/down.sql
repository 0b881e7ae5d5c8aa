DELETE FROM alerts WHERE kind = 'address_failing';
ALTER TABLE alerts DROP CONSTRAINT alerts_kind_known;
ALTER TABLE alerts ADD CONSTRAINT alerts_kind_known CHECK (kind IN ('overdue', 'very_overdue', 'due_soon', 'clarification_waiting', 'review_due', 'chaser', 'review_request'));
