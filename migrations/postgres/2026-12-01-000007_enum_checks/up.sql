-- Enum columns accept only the words foitrack knows (the text_enum! spellings), so a stray
-- value is refused when written instead of failing every later read. A NULL channel or outcome
-- (not yet sent, not yet answered) passes, as CHECK lets NULL through.

ALTER TABLE users ADD CONSTRAINT users_role_known CHECK (role IN ('admin', 'researcher', 'coder', 'viewer'));
ALTER TABLE requests ADD CONSTRAINT requests_state_known CHECK (state IN ('draft', 'awaiting_response', 'awaiting_clarification', 'awaiting_fee', 'answered', 'partially_answered', 'refused', 'not_held', 'internal_review', 'withdrawn', 'closed'));
ALTER TABLE requests ADD CONSTRAINT requests_channel_known CHECK (channel IN ('email', 'portal', 'post', 'form', 'other'));
ALTER TABLE requests ADD CONSTRAINT requests_outcome_known CHECK (outcome IN ('full', 'partial', 'refused', 'not_held', 'other'));
ALTER TABLE events ADD CONSTRAINT events_kind_known CHECK (kind IN ('sent', 'acknowledged', 'clarification_requested', 'clarification_sent', 'fee_notice_given', 'fee_paid', 'extension_claimed', 'response_received', 'internal_review_requested', 'internal_review_answered', 'ico_complaint', 'withdrawn', 'closed', 'note', 'retraction', 'deadline_recalculated'));
ALTER TABLE outbox ADD CONSTRAINT outbox_kind_known CHECK (kind IN ('request', 'digest', 'chaser', 'review_request'));
ALTER TABLE outbox ADD CONSTRAINT outbox_state_known CHECK (state IN ('pending', 'sending', 'sent', 'failed', 'cancelled'));
ALTER TABLE alerts ADD CONSTRAINT alerts_kind_known CHECK (kind IN ('overdue', 'very_overdue', 'due_soon', 'clarification_waiting', 'review_due', 'chaser', 'review_request'));
