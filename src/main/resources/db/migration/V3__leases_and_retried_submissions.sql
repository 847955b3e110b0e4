-- An Idempotency-Key claim is a lease: a request that died while holding it (instance killed) frees it
-- once the lease runs out, and a retry with the same key and the same request takes it over.
alter table idempotency_record add column lease_until timestamptz;
update idempotency_record set lease_until = created_at where lease_until is null;
alter table idempotency_record alter column lease_until set not null;

-- The Idempotency-Key a submission was sent under (null without one): a retry of the same request with
-- the same key, after an outcome that was not final (503, 504, a dead instance), may send the same
-- encrypted PIN again without it counting as reuse or as a second attempt.
alter table pin_submission add column idem_key varchar(255);
