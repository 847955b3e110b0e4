-- The current Solaris PIN key, one row shared by every instance: whoever learns of a new key stores it
-- here and tells the others over the event bus (topic pin_key); an instance that missed a message
-- reloads this row. Public key material only.
create table pin_key (
    id         smallint    primary key default 1 check (id = 1),
    kid        varchar(200) not null,
    n          text        not null,
    e          varchar(64) not null,
    fetched_at timestamptz not null
);

-- Solaris webhook notifications already processed (Solaris-Webhook-Id), so a retry — on any instance —
-- is processed once. Kept for Solaris' 5-day retry window, then purged.
create table webhook_event (
    id          varchar(100) primary key,
    event_type  varchar(64)  not null,
    received_at timestamptz  not null
);

create index webhook_event_by_time on webhook_event (received_at);
