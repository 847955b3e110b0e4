-- Change requests (SCA PIN changes) and their audit trail. No PIN material, TAN or signature is
-- ever stored: string_to_sign is Solaris' challenge, not a secret of the user.

create table change_request (
    id               uuid primary key,
    solaris_id       varchar(64) unique,          -- null only while the Solaris call is in flight
    card_id          varchar(64)  not null,
    person_id        varchar(64)  not null,
    status           varchar(32)  not null,
    authorize_url    varchar(2048),
    string_to_sign   varchar(1024),
    delivery_method  varchar(32),
    device_id        varchar(100),
    confirm_attempts integer      not null default 0,
    created_at       timestamptz  not null,
    updated_at       timestamptz  not null,
    expires_at       timestamptz  not null,
    synced_at        timestamptz  not null,
    version          bigint       not null default 0,
    constraint change_request_status_known check (status in
        ('ACCEPTED', 'AUTHORIZATION_REQUIRED', 'CONFIRMATION_REQUIRED', 'COMPLETED', 'FAILED', 'EXPIRED'))
);

-- At most one open change request per card, whatever the number of replicas.
create unique index change_request_one_open_per_card on change_request (card_id)
    where status in ('ACCEPTED', 'AUTHORIZATION_REQUIRED', 'CONFIRMATION_REQUIRED');

-- The expiry sweep reads open requests by expiry.
create index change_request_open_by_expiry on change_request (expires_at)
    where status in ('ACCEPTED', 'AUTHORIZATION_REQUIRED', 'CONFIRMATION_REQUIRED');

create index change_request_by_person on change_request (person_id, created_at);

create table change_request_event (
    id                bigserial primary key,
    change_request_id uuid         not null,
    card_id           varchar(64)  not null,
    person_id         varchar(64)  not null,
    action            varchar(32)  not null,  -- create, sync, authorize, confirm, expire
    from_status       varchar(32),
    to_status         varchar(32),
    outcome           varchar(96)  not null,  -- ok, or what went wrong (a code, never content)
    at                timestamptz  not null
);

create index change_request_event_by_request on change_request_event (change_request_id, id);
