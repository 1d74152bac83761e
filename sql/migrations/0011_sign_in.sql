-- Signing in without the dashboard role ever reading a password hash.
-- The dashboard asks for the salt and cost of the stored argon2id hash
-- (auth.password_salt), hashes the password typed with them, and hands the
-- result to auth.sign_in, which compares it with the stored hash, applies the
-- lock-out and records the attempt and an audit row, all as the owner.

-- The encoded hash up to its salt: "$argon2id$v=19$m=…,t=…,p=…$<salt>". An
-- unknown name gets a salt derived from the name, so the answer does not tell
-- which names exist.
create function auth.password_salt(name text) returns text
language sql stable security definer
set search_path = pg_catalog, pg_temp
as $$
    select coalesce(
        (select substring(password_hash from '^(\$argon2id\$v=\d+\$[^$]+\$[^$]+)\$')
         from auth.accounts where account = name),
        '$argon2id$v=19$m=65536,t=3,p=4$'
            || rtrim(encode(substring(sha256(convert_to('ducha:' || name, 'UTF8')) from 1 for 16),
                            'base64'), '=')
    )
$$;

create function auth.sign_in(name text, proof text, address text)
returns table (status text, retry_at timestamptz, display_name text, roles text[], units text[])
language plpgsql volatile security definer
set search_path = pg_catalog, pg_temp
as $$
#variable_conflict use_column
declare
    given    text := left(coalesce(name, ''), 200);
    acct     auth.accounts;
    rules    auth.policy;
    span     interval;
    recent   timestamptz[];
    unlocks  timestamptz;
begin
    select * into rules from auth.policy;
    span := make_interval(mins => rules.lockout_minutes);
    select * into acct from auth.accounts as a where a.account = name;

    if acct.account is null then
        insert into auth.sign_in_attempts (account, succeeded, address)
        values (given, false, left(address, 200));
        insert into auth.audit (account, action, address, detail)
        values (given, 'sign_in.failed', left(address, 200), '{"reason": "unknown"}');
        return query select 'failed'::text, null::timestamptz, null::text, null::text[], null::text[];
        return;
    end if;

    -- Failures since the last success, newest first, within the window.
    select array_agg(attempted_at order by attempted_at desc) into recent
    from auth.sign_in_attempts as attempts
    where attempts.account = acct.account
        and not attempts.succeeded
        and attempts.attempted_at > now() - span
        and attempts.attempted_at > coalesce(
            (select max(ok.attempted_at) from auth.sign_in_attempts as ok
             where ok.account = acct.account and ok.succeeded), '-infinity');
    if coalesce(array_length(recent, 1), 0) >= rules.lockout_failures then
        -- Locked until the failure that completed the count leaves the window.
        -- Attempts while locked are audited but not counted, so they do not
        -- push the time back.
        unlocks := recent[rules.lockout_failures] + span;
        insert into auth.audit (account, action, address, detail)
        values (acct.account, 'sign_in.locked', left(address, 200),
                jsonb_build_object('retry_at', unlocks));
        return query select 'locked'::text, unlocks, null::text, null::text[], null::text[];
        return;
    end if;

    if acct.disabled then
        insert into auth.sign_in_attempts (account, succeeded, address)
        values (acct.account, false, left(address, 200));
        insert into auth.audit (account, action, address, detail)
        values (acct.account, 'sign_in.failed', left(address, 200), '{"reason": "disabled"}');
        return query select 'disabled'::text, null::timestamptz, null::text, null::text[],
                            null::text[];
        return;
    end if;

    if acct.password_hash is null or proof is distinct from acct.password_hash then
        insert into auth.sign_in_attempts (account, succeeded, address)
        values (acct.account, false, left(address, 200));
        insert into auth.audit (account, action, address, detail)
        values (acct.account, 'sign_in.failed', left(address, 200), '{"reason": "password"}');
        return query select 'failed'::text, null::timestamptz, null::text, null::text[],
                            null::text[];
        return;
    end if;

    insert into auth.sign_in_attempts (account, succeeded, address)
    values (acct.account, true, left(address, 200));
    insert into auth.audit (account, action, address) values (acct.account, 'sign_in', left(address, 200));
    return query
    select 'ok'::text, null::timestamptz, acct.display_name,
           coalesce((select array_agg(r.role order by r.role) from auth.account_roles as r
                     where r.account = acct.account), '{}'),
           coalesce((select array_agg(u.unit_code order by u.unit_code) from auth.account_units as u
                     where u.account = acct.account), '{}');
end
$$;

-- The roles and units of the enabled account with this e-mail (sign-in by the
-- office's OpenID Connect provider, which has checked the person already).
create function auth.person_by_email(mail text, address text)
returns table (account text, display_name text, roles text[], units text[])
language plpgsql volatile security definer
set search_path = pg_catalog, pg_temp
as $$
#variable_conflict use_column
declare
    acct auth.accounts;
begin
    select * into acct from auth.accounts as a
    where lower(a.email) = lower(mail) and not a.disabled;
    if acct.account is null then
        insert into auth.audit (account, action, address, detail)
        values (left(mail, 200), 'sign_in.failed', left(address, 200), '{"reason": "oidc_unknown"}');
        return;
    end if;
    insert into auth.audit (account, action, address, detail)
    values (acct.account, 'sign_in', left(address, 200), '{"via": "oidc"}');
    return query
    select acct.account, acct.display_name,
           coalesce((select array_agg(r.role order by r.role) from auth.account_roles as r
                     where r.account = acct.account), '{}'),
           coalesce((select array_agg(u.unit_code order by u.unit_code) from auth.account_units as u
                     where u.account = acct.account), '{}');
end
$$;

-- A signed-in person changes their own password: the old one proven the
-- same way as at sign-in, the new one hashed by the dashboard.
create function auth.change_password(name text, old_proof text, new_hash text) returns boolean
language plpgsql volatile security definer
set search_path = pg_catalog, pg_temp
as $$
begin
    if name is distinct from current_setting('ducha.account', true) then
        raise exception '只能修改自己的密码 / you can change only your own password'
            using errcode = 'insufficient_privilege';
    end if;
    if new_hash is null or new_hash not like '$argon2id$%' then
        raise exception 'not an argon2id hash' using errcode = 'invalid_parameter_value';
    end if;
    update auth.accounts set password_hash = new_hash, updated_at = now()
    where account = name and not disabled and password_hash = old_proof;
    if not found then
        insert into auth.audit (account, action, target, detail)
        values (name, 'account.password_failed', name, '{}');
        return false;
    end if;
    insert into auth.audit (account, action, target) values (name, 'account.password', name);
    return true;
end
$$;

revoke all on function auth.password_salt(text) from public;
revoke all on function auth.sign_in(text, text, text) from public;
revoke all on function auth.person_by_email(text, text) from public;
revoke all on function auth.change_password(text, text, text) from public;
