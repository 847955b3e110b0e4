-- Every encrypted PIN forwarded to Solaris, by fingerprint (SHA-256 of the compact JWE, never
-- the JWE): makes each encrypted PIN single-use and counts attempts per card and per person.
create table pin_submission (
    fingerprint  char(64)    primary key,
    person_id    varchar(64) not null,
    card_id      varchar(64) not null,
    flow         varchar(16) not null,   -- direct, sca
    submitted_at timestamptz not null
);

create index pin_submission_by_card on pin_submission (card_id, submitted_at);
create index pin_submission_by_person on pin_submission (person_id, submitted_at);

-- Idempotency-Key records, scoped to the caller. The stored answer is the BFF's own response
-- (a change request, or a problem), which never holds PIN material.
create table idempotency_record (
    person_id    varchar(64)  not null,
    idem_key     varchar(255) not null,
    request_hash char(64)     not null,
    status       integer,                -- null while the first request is in flight
    content_type varchar(100),
    body         text,
    location     varchar(255),
    created_at   timestamptz  not null,
    expires_at   timestamptz  not null,
    primary key (person_id, idem_key)
);

create index idempotency_record_by_expiry on idempotency_record (expires_at);
