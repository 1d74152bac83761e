"""Stewards' decisions: approve or reject a loaded file, lock and release periods."""

from __future__ import annotations

from psycopg import sql

from etl.accounts import apply_scope, audit_decision
from etl.kinds import KINDS
from etl.loading.locks import lock_promotions
from etl.loading.versions import refresh_current
from etl.warehouse import connect, first_value

__all__ = ["StewardError", "decide", "lock_period", "release_period", "set_kind_rules"]


class StewardError(ValueError):
    """A steward's request that cannot be done; the message is for the user (zh / en)."""


def _name(who: str) -> str:
    if not who or not who.strip():
        raise StewardError("请填写审核人姓名 / the steward's name is required")
    return who.strip()


Scope = tuple[str, str, str] | None  # (account, roles, units): as the signed-in person


def decide(
    url: str,
    file_id: int,
    action: str,
    decided_by: str,
    reason: str | None = None,
    scope: Scope = None,
) -> str:
    """A steward approves or rejects (withdraws) an accepted file; returns the new approval.

    ``scope`` (account, roles, units): decide as the signed-in person, on the
    dashboard role's connection, the decision signed by their account; the
    warehouse refuses it unless they are a steward of the file's units.
    """
    if action not in ("approve", "reject"):
        raise ValueError(f"unknown action {action!r}")
    if not decided_by.strip():
        raise ValueError("decided_by must name the steward / 必须填写审核人")
    approval = "approved" if action == "approve" else "rejected"
    with connect(url) as conn, conn.transaction():
        apply_scope(conn, scope)
        row = conn.execute(
            "select kind, outcome from ingest.files where file_id = %s for update", (file_id,)
        ).fetchone()
        if row is None or row[1] not in ("accepted", "accepted_with_warnings"):
            raise ValueError(f"file {file_id} is not an accepted file / 文件未被接收")
        kind = KINDS[row[0]]
        lock_promotions(conn, kind)
        conn.execute(
            "insert into ingest.decisions (file_id, action, decided_by, reason, signed_by)"
            " values (%s, %s, %s, %s, %s)",
            (file_id, action, decided_by.strip(), reason, scope[0] if scope else None),
        )
        conn.execute(
            "update ingest.files set approval = %s where file_id = %s", (approval, file_id)
        )
        refresh_current(conn, kind, file_id)
        audit_decision(conn, scope, f"decision.{action}", f"file {file_id}", {"reason": reason})
    return approval


def lock_period(
    url: str,
    kind: str,
    unit_code: str,
    period: str,
    locked_by: str,
    reason: str | None = None,
    scope: Scope = None,
) -> int:
    """Lock an approved (kind, unit, period): later returns for it wait for a release."""
    who = _name(locked_by)
    if kind not in KINDS or not KINDS[kind].sliced:
        raise StewardError(
            f"只有按期报送的报表可以锁定 / only periodic returns can be locked: {kind}"
        )
    with connect(url) as conn, conn.transaction():
        apply_scope(conn, scope)
        # Current rows are those of the latest approved version.
        approved = first_value(
            conn.execute(
                sql.SQL(
                    "select exists (select 1 from core.{} where unit_code = %s and period = %s"
                    " and is_current)"
                ).format(sql.Identifier(kind)),
                (unit_code, period),
            )
        )
        if not approved:
            raise StewardError(
                f"{unit_code} {period} 没有已审核的{KINDS[kind].zh}，不能锁定 / "
                f"no approved {kind} return for {unit_code} {period} to lock"
            )
        already = conn.execute(
            "select 1 from ingest.period_locks where kind = %s and unit_code = %s"
            " and period = %s and released_at is null",
            (kind, unit_code, period),
        ).fetchone()
        if already:
            raise StewardError(f"已锁定 / already locked: {kind} {unit_code} {period}")
        lock_id: int = first_value(
            conn.execute(
                "insert into ingest.period_locks (kind, unit_code, period, locked_by, reason,"
                " signed_by) values (%s, %s, %s, %s, %s, %s) returning lock_id",
                (kind, unit_code, period, who, reason, scope[0] if scope else None),
            )
        )
        audit_decision(conn, scope, "decision.lock", f"{kind} {unit_code} {period}")
        return lock_id


def release_period(
    url: str,
    kind: str,
    unit_code: str,
    period: str,
    released_by: str,
    reason: str | None = None,
    scope: Scope = None,
) -> None:
    """Release a lock; returns held while it was locked still need approving one by one."""
    who = _name(released_by)
    with connect(url) as conn, conn.transaction():
        apply_scope(conn, scope)
        released = conn.execute(
            "update ingest.period_locks set released_by = %s, released_at = now(),"
            " release_reason = %s, released_signed_by = %s where kind = %s and unit_code = %s"
            " and period = %s and released_at is null returning lock_id",
            (who, reason, scope[0] if scope else None, kind, unit_code, period),
        ).fetchone()
        if released is None:
            raise StewardError(f"未锁定 / not locked: {kind} {unit_code} {period}")
        audit_decision(conn, scope, "decision.release", f"{kind} {unit_code} {period}")


# The change and its record in one statement: both or neither; nothing when
# the values are those the kind already has.
_SET_KIND_RULES = """
with old as (
    select kind, deadline_days, requires_approval
    from ingest.kind_settings
    where kind = %(kind)s
    for update
),

changed as (
    update ingest.kind_settings as settings
    set deadline_days = %(deadline_days)s, requires_approval = %(requires_approval)s
    from old
    where settings.kind = old.kind
        and (old.deadline_days, old.requires_approval)
            is distinct from (%(deadline_days)s, %(requires_approval)s)
    returning settings.kind
)

insert into ingest.kind_settings_changes
    (kind, old_deadline_days, new_deadline_days, old_requires_approval,
     new_requires_approval, changed_by, reason, signed_by)
select old.kind, old.deadline_days, %(deadline_days)s, old.requires_approval,
       %(requires_approval)s, %(changed_by)s, %(reason)s, %(signed_by)s
from old
inner join changed on changed.kind = old.kind
"""


def set_kind_rules(
    url: str,
    kind: str,
    deadline_days: int,
    requires_approval: bool,
    changed_by: str,
    reason: str | None = None,
    scope: Scope = None,
) -> bool:
    """Change a kind's reporting deadline (days after the period's end) and approval policy,
    recording who changed it (ingest.kind_settings_changes); False when nothing changed."""
    who = _name(changed_by)
    if kind not in KINDS:
        raise StewardError(f"unknown kind {kind!r}")
    if deadline_days < 0:
        raise StewardError("报送期限不能为负数 / deadline_days must not be negative")
    params = {
        "kind": kind,
        "deadline_days": int(deadline_days),
        "requires_approval": bool(requires_approval),
        "changed_by": who,
        "reason": (reason or "").strip() or None,
        "signed_by": scope[0] if scope else None,
    }
    with connect(url) as conn, conn.transaction():
        apply_scope(conn, scope)
        changed = conn.execute(_SET_KIND_RULES, params).rowcount > 0
        if changed:
            detail = {
                "deadline_days": params["deadline_days"],
                "requires_approval": requires_approval,
            }
            audit_decision(conn, scope, "decision.rules", kind, detail)
        return changed
