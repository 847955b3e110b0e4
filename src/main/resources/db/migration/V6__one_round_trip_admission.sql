-- A PIN submission's bookkeeping in one round trip (README: Performance). Until V5 the BFF ran six
-- statements in a transaction for it (advisory locks, retry check, two limit counts, insert, commit);
-- this function does the same work, in the same order and under the same locks, in one call.
--
-- Under advisory locks on the person and on the card (so simultaneous submissions for any of a person's
-- cards, on any instance, are counted one after the other):
--   'retried'     a submission of the same JWE by the same person under the same Idempotency-Key is
--                 already recorded: a retry of a request whose outcome was not final, not counted again;
--   'card_limit'  / 'user_limit': p_card_max / p_user_max submissions within the window already;
--                 retry_after_seconds says when the oldest of them leaves it;
--   'reused'      this JWE was submitted before (single use);
--   'recorded'    counted and recorded now.
-- The caller passes p_now (its clock) and the limits (its configuration), so nothing is decided here
-- that the service's settings do not say.

-- Retry-After for a window whose oldest submission leaves it at `leaves`: whole seconds, at least 1.
create function seconds_until_leaving(leaves timestamptz, now timestamptz) returns bigint
    language sql immutable
as $$ select greatest(1, floor(extract(epoch from leaves - now))::bigint + 1) $$;

create function pin_submission_admit(
        p_person text, p_card text, p_flow text, p_fingerprint text, p_key_id text, p_idem_key text,
        p_now timestamptz, p_card_max integer, p_card_window_seconds double precision,
        p_user_max integer, p_user_window_seconds double precision)
    returns table (outcome text, retry_after_seconds bigint)
    language plpgsql
as $$
declare
    card_window interval := make_interval(secs => p_card_window_seconds);
    user_window interval := make_interval(secs => p_user_window_seconds);
    card_since  timestamptz := p_now - card_window;
    user_since  timestamptz := p_now - user_window;
    card_seen   bigint;
    user_seen   bigint;
    card_oldest timestamptz;
    user_oldest timestamptz;
begin
    perform pg_advisory_xact_lock(hashtextextended('person:' || p_person, 0));
    perform pg_advisory_xact_lock(hashtextextended('card:' || p_card, 0));

    if p_idem_key is not null and exists (select 1 from pin_submission
            where fingerprint = p_fingerprint and person_id = p_person and idem_key = p_idem_key) then
        return query select 'retried'::text, 0::bigint;
        return;
    end if;

    -- Both windows in one scan (pin_submission_by_card and pin_submission_by_person, OR-ed).
    select count(*) filter (where card_id = p_card and submitted_at > card_since),
           min(submitted_at) filter (where card_id = p_card and submitted_at > card_since),
           count(*) filter (where person_id = p_person and submitted_at > user_since),
           min(submitted_at) filter (where person_id = p_person and submitted_at > user_since)
        into card_seen, card_oldest, user_seen, user_oldest
        from pin_submission
        where (card_id = p_card and submitted_at > card_since) or (person_id = p_person and submitted_at > user_since);
    if card_seen >= p_card_max then
        return query select 'card_limit'::text, seconds_until_leaving(card_oldest + card_window, p_now);
        return;
    end if;
    if user_seen >= p_user_max then
        return query select 'user_limit'::text, seconds_until_leaving(user_oldest + user_window, p_now);
        return;
    end if;

    insert into pin_submission (fingerprint, person_id, card_id, flow, submitted_at, idem_key, key_id)
        values (p_fingerprint, p_person, p_card, p_flow, p_now, p_idem_key, p_key_id)
        on conflict (fingerprint) do nothing;
    if not found then
        return query select 'reused'::text, 0::bigint;
        return;
    end if;
    return query select 'recorded'::text, 0::bigint;
end
$$;
