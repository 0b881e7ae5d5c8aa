-- The digest reports requests whose body's address is failing (bounced or refused for good).
ALTER TABLE alerts DROP CONSTRAINT alerts_kind_known;
ALTER TABLE alerts ADD CONSTRAINT alerts_kind_known CHECK (kind IN ('address_failing', 'overdue', 'very_overdue', 'due_soon', 'clarification_waiting', 'review_due', 'chaser', 'review_request'));
