-- Sessions that outlive a page reload (issue 10). A Streamlit session lives
-- as long as its websocket, so a reload used to sign the person out. Now a
-- sign-in also opens a session: the dashboard keeps a random token in a
-- cookie and the warehouse keeps only its SHA-256. A new browser session
-- hands the token to auth.resume_session, which answers with the person or
-- refuses (unknown, expired, revoked, account disabled) and audits either way.
-- Sign-out, disabling the account and a password change revoke the session.
-- The dashboard role never reads the table: it calls these functions only.

create table auth.sessions (
    token_sha256  bytea primary key check (length(token_sha256) = 32),
    account       text not null references auth.accounts on delete cascade,
    created_at    timestamptz not null default now(),
    last_seen     timestamptz not null default now(),
    -- Idle expiry (DUCHA_IDLE_HOURS): each use moves it on by idle_for.
    idle_for      interval not null check (idle_for > interval '0'),
    expires_at    timestamptz not null,
    address       text,
    revoked_at    timestamptz,
    revoked_why   text check (revoked_why in ('sign_out', 'disabled', 'password'))
);
create index sessions_account on auth.sessions (account) where revoked_at is null;

alter table auth.sessions enable row level security;
alter table auth.sessions force row level security;
create policy everyone on auth.sessions using (true) with check (true);

-- Sign in and open a session in one call: a session exists only for a
-- password just proven. The token is the dashboard's random secret (at
-- least 32 characters); only its hash is stored.
create function auth.sign_in(
    name text, proof text, address text, session_token text, idle_seconds integer
)
returns table (status text, retry_at timestamptz, display_name text, roles text[], units text[])
language plpgsql volatile security definer
set search_path = pg_catalog, pg_temp
as $$
#variable_conflict use_column
declare
    outcome record;
begin
    if session_token is null or length(session_token) < 32 or idle_seconds is null
            or idle_seconds <= 0 then
        raise exception 'a session needs a token of 32+ characters and a positive idle time'
            using errcode = 'invalid_parameter_value';
    end if;
    select * into outcome from auth.sign_in(name, proof, address);
    if outcome.status = 'ok' then
        insert into auth.sessions (token_sha256, account, idle_for, expires_at, address)
        values (sha256(convert_to(session_token, 'UTF8')), name,
                make_interval(secs => idle_seconds),
                now() + make_interval(secs => idle_seconds), left(address, 200));
    end if;
    return query select outcome.status, outcome.retry_at, outcome.display_name, outcome.roles,
                        outcome.units;
end
$$;

-- A new browser session presents its cookie. 'ok' moves the idle expiry on
-- and returns the person (roles and units as they are now); anything else is
-- refused and audited, a forged (unknown) token included.
create function auth.resume_session(session_token text, address text)
returns table (status text, account text, display_name text, roles text[], units text[])
language plpgsql volatile security definer
set search_path = pg_catalog, pg_temp
as $$
#variable_conflict use_column
declare
    found_session auth.sessions;
    acct          auth.accounts;
    refusal       text;
begin
    select * into found_session from auth.sessions as s
    where s.token_sha256 = sha256(convert_to(coalesce(session_token, ''), 'UTF8'));
    if found_session.account is null then
        refusal := 'unknown';
    elsif found_session.revoked_at is not null then
        refusal := 'revoked';
    elsif found_session.expires_at <= now() then
        refusal := 'expired';
    else
        select * into acct from auth.accounts as a where a.account = found_session.account;
        if acct.disabled then
            refusal := 'disabled';
        end if;
    end if;
    if refusal is not null then
        insert into auth.audit (account, action, address, detail)
        values (found_session.account, 'session.refused', left(address, 200),
                jsonb_build_object('reason', refusal));
        return query select refusal, found_session.account, null::text, null::text[],
                            null::text[];
        return;
    end if;
    update auth.sessions as s set last_seen = now(), expires_at = now() + s.idle_for
    where s.token_sha256 = found_session.token_sha256;
    insert into auth.audit (account, action, address, detail)
    values (acct.account, 'sign_in', left(address, 200), '{"via": "session"}');
    return query
    select 'ok'::text, acct.account, acct.display_name,
           coalesce((select array_agg(r.role order by r.role) from auth.account_roles as r
                     where r.account = acct.account), '{}'),
           coalesce((select array_agg(u.unit_code order by u.unit_code) from auth.account_units as u
                     where u.account = acct.account), '{}');
end
$$;

-- A signed-in person's activity moves the idle expiry on (not audited; the
-- dashboard calls it now and then, not on every click). False: the session
-- is gone (revoked, expired, disabled), and the person is to be signed out.
create function auth.touch_session(session_token text) returns boolean
language sql volatile security definer
set search_path = pg_catalog, pg_temp
as $$
    update auth.sessions as s set last_seen = now(), expires_at = now() + s.idle_for
    from auth.accounts as a
    where s.token_sha256 = sha256(convert_to(coalesce(session_token, ''), 'UTF8'))
        and s.revoked_at is null and s.expires_at > now()
        and a.account = s.account and not a.disabled
    returning true
$$;

create function auth.close_session(session_token text, address text) returns void
language plpgsql volatile security definer
set search_path = pg_catalog, pg_temp
as $$
declare
    closed text;
begin
    update auth.sessions as s set revoked_at = now(), revoked_why = 'sign_out'
    where s.token_sha256 = sha256(convert_to(coalesce(session_token, ''), 'UTF8'))
        and s.revoked_at is null
    returning s.account into closed;
    if closed is not null then
        insert into auth.audit (account, action, address) values (closed, 'sign_out', left(address, 200));
    end if;
end
$$;

-- Disabling an account or changing its password (command line or dashboard)
-- ends every session it has open.
create function auth.revoke_sessions() returns trigger
language plpgsql
as $$
begin
    update auth.sessions set revoked_at = now(),
        revoked_why = case when new.disabled and not old.disabled then 'disabled' else 'password' end
    where account = new.account and revoked_at is null;
    return null;
end
$$;
create trigger accounts_revoke_sessions after update on auth.accounts
    for each row
    when ((new.disabled and not old.disabled) or new.password_hash is distinct from old.password_hash)
    execute function auth.revoke_sessions();

revoke all on function auth.sign_in(text, text, text, text, integer) from public;
revoke all on function auth.resume_session(text, text) from public;
revoke all on function auth.touch_session(text) from public;
revoke all on function auth.close_session(text, text) from public;
grant execute on function auth.sign_in(text, text, text, text, integer),
    auth.resume_session(text, text), auth.touch_session(text), auth.close_session(text, text)
    to ducha_dashboard;
