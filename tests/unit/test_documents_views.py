"""What the view models derive for the documents: quorum (M-7), majority (C-6), KPIs achieved (M-4), 360 (T-6)."""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal

import pytest

from documents import samples
from documents.views import CommissionMember, CommissionProtocol, DocumentKind, PanelVote, Person, Requisites
from domain.vocabulary import Language


def _commission(present: list[bool]) -> CommissionProtocol:
    members = tuple(
        CommissionMember(f"Member {i}", "chair" if i == 0 else "member", here) for i, here in enumerate(present)
    )
    return CommissionProtocol(
        requisites=Requisites("Body", "2025", Language.EN),
        meeting_date=date(2026, 1, 28),
        members=(*members, CommissionMember("Secretary", "secretary", True)),
        lines=(),
        approved_by=Person("Official"),
    )


@pytest.mark.parametrize(
    ("present", "required", "met"),
    [
        ([True] * 5, 4, True),
        ([True, True, True, True, False], 4, True),
        ([True, True, True, False, False], 4, False),
        ([True] * 6, 4, True),
        ([True, True, True, True, False, False], 4, True),
        ([True, True, True, True, True, True, False], 5, True),
    ],
)
def test_the_commission_quorum_is_two_thirds_of_the_voting_members_rounded_up(
    present: list[bool], required: int, met: bool
) -> None:
    """M-7: quorum ≥ 2/3 of the members; the secretary (HR) does not vote and does not count."""
    protocol = _commission(present)
    assert protocol.quorum_required == required
    assert protocol.quorum_met is met
    assert len(protocol.voting_members) == len(present)


def test_the_calibration_majority_counts_the_votes_for_the_adopted_score() -> None:
    """C-6: the final score is the one a majority voted for."""
    protocol = samples.calibration_protocol(Language.KK)
    assert protocol.majority == 2
    unanimous = dataclasses.replace(protocol, votes=tuple(PanelVote(v.member, Decimal("4.50")) for v in protocol.votes))
    assert unanimous.majority == 3


def test_kpi_count_sheet_counts_the_kpis_achieved() -> None:
    """M-4: 4 of 5 achieved in the sample, "effective"."""
    sheet = samples.kpi_count_sheet(Language.RU)
    assert sheet.achieved_count == 4
    assert sheet.category == "effective"


def test_360_overall_is_the_mean_of_the_competency_averages() -> None:
    report = samples.report_360(Language.KK)
    expected = sum(line.average for line in report.competencies) / len(report.competencies)
    assert report.overall == expected.quantize(Decimal("0.01"))


def test_views_are_frozen() -> None:
    sheet = samples.differentiation_sheet(Language.KK)
    with pytest.raises(dataclasses.FrozenInstanceError):
        sheet.score = Decimal(5)  # type: ignore[misc]


def test_every_sample_is_a_document_of_a_known_kind_in_the_language_asked() -> None:
    for language in Language:
        for name, document in samples.all_samples(language).items():
            assert document.requisites.language == language, name
            assert document.kind in DocumentKind
            assert len(document.content_hash) == 64
