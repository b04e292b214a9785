"""The organization: state bodies, their structural units and positions, people, and everything dated about them.

Every fact that changes over time is a row with an interval (``started_on`` … ``ended_on``, both inclusive,
``ended_on`` NULL while it lasts), never a column overwritten in place: appointments, direct heads, substitutes,
absences, probation, sanctions, roles. "Where did X work on date D" is therefore a query, and a person who moves
unit mid-quarter keeps both facts (E-1 tenure, routing to the right evaluator).
"""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Field

from domain.vocabulary import AbsenceKind, Corps, Language, Role, SanctionKind
from persistence.models.base import Instant, Table, now_utc, one_of, ordered_dates, ref, text

#: Body-level roles stored in ``body_role`` (the dashboard roles of ``app_user`` are wider).
BODY_ROLES = (Role.APPOINTING_OFFICIAL, Role.HR, Role.HR_HEAD)


class BodyRow(Table, table=True):
    """A state body (мемлекеттік орган): the unit that approves a methodology and runs its own evaluations (G-3)."""

    __tablename__ = "body"

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=64, unique=True, sa_column_kwargs={"comment": "short stable key, e.g. 'nchr'"})
    name: str = Field(max_length=500)


class UnitRow(Table, table=True):
    """A structural unit (құрылымдық бөлімше) of a body; units form a tree through ``parent_id``."""

    __tablename__ = "unit"
    __table_args__ = (sa.UniqueConstraint("body_id", "code"),)

    id: int | None = Field(default=None, primary_key=True)
    body_id: int = ref("body.id", index=False)
    code: str = Field(max_length=64, sa_column_kwargs={"comment": "the key HR's files use for the unit ('U1')"})
    name: str = Field(max_length=500)
    parent_id: int | None = ref("unit.id", nullable=True)


class PositionRow(Table, table=True):
    """A kind of post in a unit: title and position category (canonical code such as ``C-1``, ``C-O-1``).

    Which categories count as "head of a structural unit" or "leadership position" is rulebook data, not stored.
    """

    __tablename__ = "position"
    __table_args__ = (sa.UniqueConstraint("unit_id", "title", "category"),)

    id: int | None = Field(default=None, primary_key=True)
    unit_id: int = ref("unit.id", index=False)
    title: str = Field(max_length=500)
    category: str = Field(
        max_length=16, sa_column_kwargs={"comment": "canonical category code: Latin letters, letter O (B-1, C-O-1)"}
    )


class PersonRow(Table, table=True):
    """A person of a body: employees, heads, HR staff, Commission members alike."""

    __tablename__ = "person"
    __table_args__ = (
        sa.UniqueConstraint("body_id", "personnel_number"),
        one_of("corps", Corps),
        one_of("language", Language),
    )

    id: int | None = Field(default=None, primary_key=True)
    body_id: int = ref("body.id", index=False)
    personnel_number: str = Field(
        max_length=64, sa_column_kwargs={"comment": "the body's key for the person (табель нөмірі), unique per body"}
    )
    full_name: str = Field(max_length=500)
    corps: str = Field(default=Corps.B.value, max_length=16, sa_column_kwargs={"comment": "A, B or political"})
    language: str = Field(default=Language.KK.value, max_length=2, sa_column_kwargs={"comment": "kk, ru or en"})
    created_at: datetime = Field(default_factory=now_utc, sa_type=Instant)


class AppointmentRow(Table, table=True):
    """A person holds a position from ``started_on`` to ``ended_on`` (inclusive); the history of moves (E-1)."""

    __tablename__ = "appointment"
    __table_args__ = (
        sa.Index(None, "person_id", "started_on"),
        ordered_dates("started_on", "ended_on"),
    )

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = ref("person.id", index=False)
    position_id: int = ref("position.id")
    started_on: date
    ended_on: date | None = None
    public_service: bool = Field(
        default=False,
        sa_column_kwargs={"comment": "the post provides public services (M-6)", "server_default": sa.false()},
    )


class HeadRelationRow(Table, table=True):
    """``head_id`` is the direct head (тікелей басшы) of ``person_id`` over an interval."""

    __tablename__ = "head_relation"
    __table_args__ = (
        sa.Index(None, "person_id", "started_on"),
        sa.CheckConstraint("head_id <> person_id", name="not_own_head"),
        ordered_dates("started_on", "ended_on"),
    )

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = ref("person.id", index=False)
    head_id: int = ref("person.id")
    started_on: date
    ended_on: date | None = None


class SubstitutionRow(Table, table=True):
    """``substitute_id`` acts for ``replaced_id`` over an interval; the substitute evaluates in their place (G-7)."""

    __tablename__ = "substitution"
    __table_args__ = (
        sa.Index(None, "replaced_id", "started_on"),
        sa.CheckConstraint("substitute_id <> replaced_id", name="not_own_substitute"),
        ordered_dates("started_on", "ended_on"),
    )

    id: int | None = Field(default=None, primary_key=True)
    replaced_id: int = ref("person.id", index=False, comment="the person who is away")
    substitute_id: int = ref("person.id", comment="the person acting for them")
    started_on: date
    ended_on: date
    basis: str | None = text(comment="order or note that appointed the substitute")


class DelegationRow(Table, table=True):
    """D-4 (000 §31, 003 §17): ``evaluator_id`` designated ``delegate_id`` to evaluate ``evaluatee_id`` from
    ``started_on`` (above the rulebook's threshold); the delegate is due while the evaluator is the one routed."""

    __tablename__ = "delegation"
    __table_args__ = (
        sa.Index(None, "evaluatee_id", "started_on"),
        sa.CheckConstraint("delegate_id <> evaluator_id", name="not_own_delegate"),
    )

    id: int | None = Field(default=None, primary_key=True)
    evaluator_id: int = ref("person.id", comment="the evaluator who designates")
    delegate_id: int = ref("person.id", comment="the person designated to evaluate")
    evaluatee_id: int = ref("person.id", index=False)
    started_on: date
    created_at: datetime = Field(default_factory=now_utc, sa_type=Instant)


class AbsenceRow(Table, table=True):
    """A person is away (leave, sick, business trip, training …) over an interval (E-3, E-5)."""

    __tablename__ = "absence"
    __table_args__ = (
        sa.Index(None, "person_id", "started_on"),
        one_of("kind", AbsenceKind),
        ordered_dates("started_on", "ended_on"),
    )

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = ref("person.id", index=False)
    kind: str = Field(max_length=32)
    started_on: date
    ended_on: date


class DismissalRow(Table, table=True):
    """A person left the body on ``dismissed_on`` (E-4: evaluated in absentia if before the deadline)."""

    __tablename__ = "dismissal"

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = ref("person.id")
    dismissed_on: date
    reason: str | None = text()


class ProbationRow(Table, table=True):
    """A person is on probation until ``ends_on`` (inclusive) (E-5: not evaluated during probation)."""

    __tablename__ = "probation"
    __table_args__ = (ordered_dates("started_on", "ends_on"),)

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = ref("person.id")
    started_on: date | None = None
    ends_on: date


class SanctionRow(Table, table=True):
    """A disciplinary sanction imposed on a date; the register behind the Q-3 cap."""

    __tablename__ = "sanction"
    __table_args__ = (
        sa.Index(None, "person_id", "imposed_on"),
        one_of("kind", SanctionKind),
        ordered_dates("imposed_on", "lifted_on"),
    )

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = ref("person.id", index=False)
    kind: str = Field(max_length=32)
    imposed_on: date
    lifted_on: date | None = None
    basis: str | None = text(comment="the order imposing the sanction")


class ContactChannelRow(Table, table=True):
    """One way to reach a person (e-mail, SMS, Telegram …), as an apprise URL; lower ``priority`` is tried first."""

    __tablename__ = "contact_channel"
    __table_args__ = (sa.UniqueConstraint("person_id", "kind", "address"),)

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = ref("person.id", index=False)
    kind: str = Field(max_length=32, sa_column_kwargs={"comment": "email, sms, telegram … (apprise-style)"})
    address: str = Field(max_length=500, sa_column_kwargs={"comment": "what a person reads: e1@example.kz"})
    apprise_url: str | None = Field(
        default=None,
        max_length=4000,
        sa_column_kwargs={"comment": "full apprise URL, sealed (sealed:v1:…, BAGALAU_SECRET_KEY); NULL: from settings"},
    )
    verified: bool = False
    priority: int = 100


class BodyRoleRow(Table, table=True):
    """A body-level role held over an interval: appointing official, HR service member, HR head (G-6)."""

    __tablename__ = "body_role"
    __table_args__ = (
        sa.Index(None, "body_id", "role"),
        one_of("role", BODY_ROLES),
        ordered_dates("started_on", "ended_on"),
    )

    id: int | None = Field(default=None, primary_key=True)
    body_id: int = ref("body.id", index=False)
    person_id: int = ref("person.id")
    role: str = Field(max_length=32)
    started_on: date | None = Field(default=None, sa_column_kwargs={"comment": "NULL: since the body's records begin"})
    ended_on: date | None = None


class CommissionMemberRow(Table, table=True):
    """Membership of a body's Evaluation Commission over an interval (M-7); the secretary does not vote."""

    __tablename__ = "commission_member"
    __table_args__ = (
        sa.CheckConstraint("NOT (is_chair AND is_secretary)", name="chair_is_not_secretary"),
        ordered_dates("started_on", "ended_on"),
    )

    id: int | None = Field(default=None, primary_key=True)
    body_id: int = ref("body.id")
    person_id: int = ref("person.id")
    is_chair: bool = False
    is_secretary: bool = False
    started_on: date | None = None
    ended_on: date | None = None
