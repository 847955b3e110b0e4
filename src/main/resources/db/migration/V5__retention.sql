-- Retention (README: Security, "Retention"). One purge job deletes, in batches and with SKIP LOCKED:
-- final change requests (and their audit rows) after pinbff.retention.change-requests, PIN submissions
-- no longer needed by the limits nor by single use, expired Idempotency-Key records and webhook IDs.

-- No query reads change requests by person (ownership is checked on the row found by its ID).
drop index if exists change_request_by_person;

-- The purge takes final requests oldest first by their last change.
create index change_request_final_by_update on change_request (updated_at)
    where status in ('COMPLETED', 'FAILED', 'EXPIRED');

-- The Solaris PIN key a submission's JWE was encrypted for. An encrypted PIN can only be accepted again
-- while its key is the current one (any other key_id is refused before the replay check), so its
-- fingerprint is kept while the key is current, and at least as long as the attempt limits look back.
-- Null: written before this column existed (or by an instance still running the previous version
-- during a rolling update); the purge labels such rows with the key current when it first sees them,
-- in batches, rather than this migration rewriting the whole table under an exclusive lock.
alter table pin_submission add column key_id varchar(100);

-- The purge reads the (few) keys in use by a skip scan, finds unlabelled rows (key_id is null) and
-- deletes per retired key, oldest first.
create index pin_submission_by_key on pin_submission (key_id, submitted_at);
