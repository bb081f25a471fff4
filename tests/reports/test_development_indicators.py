"""Priority 3's development counts come from learning and development sessions (evidence), not
from an activity's method tag. A hand-built dataset with known answers:

Wessex, 2026/27 Q2 (July to September 2026): two sessions (a training course on 10 July with two
lay partners and a member of staff, a conference on 30 September with one lay partner); Q1 (June
2026): one briefing with one lay partner; last year's Q2 (August 2025): one mentoring session with
nobody recorded; October 2026 is after the quarter. Yorkshire: one session in Q2 with one lay
partner. An activity tagged "training" in Q2 counts for nothing here.
-> Wessex sessions (2, 1, 1), lay partner attendances (3, 1, 0); the network: 3 and 4 this quarter.
"""

from __future__ import annotations

from datetime import date

import pytest

from reports.indicators import compile_indicators
from tests.accounts.factories import UserFactory
from tests.evidence.factories import DevelopmentSessionFactory, SessionAttendanceFactory
from tests.reports import factories as f
from tests.reports.conftest import QUARTER
from tests.reports.test_indicators import values

pytestmark = pytest.mark.django_db


@pytest.fixture
def sessions(wessex, yorkshire):
    partners = [f.partner(wessex, f"Learner {n}", joined=date(2025, 1, 1)) for n in range(3)]
    course = DevelopmentSessionFactory(organisation=wessex, kind="training", date=date(2026, 7, 10))
    for partner in partners[:2]:
        SessionAttendanceFactory(session=course, partner=partner)
    SessionAttendanceFactory(session=course, partner=None, user=UserFactory())
    conference = DevelopmentSessionFactory(organisation=wessex, kind="conference", date=date(2026, 9, 30))
    SessionAttendanceFactory(session=conference, partner=partners[2])
    briefing = DevelopmentSessionFactory(organisation=wessex, kind="briefing", date=date(2026, 6, 30))
    SessionAttendanceFactory(session=briefing, partner=partners[0])
    DevelopmentSessionFactory(organisation=wessex, kind="mentoring", date=date(2025, 8, 1))
    later = DevelopmentSessionFactory(organisation=wessex, date=date(2026, 10, 1))
    SessionAttendanceFactory(session=later, partner=partners[1])
    elsewhere = DevelopmentSessionFactory(organisation=yorkshire, date=date(2026, 8, 15))
    SessionAttendanceFactory(session=elsewhere, partner=f.partner(yorkshire, "Y learner", joined=date(2025, 1, 1)))
    tagged = f.activity(
        wessex,
        f.programme(wessex, "P", created=date(2025, 1, 1)),
        day=date(2026, 8, 5),
        level="informing",
        method="training",
    )
    f.took_part(tagged, partners[0])


def test_development_counts_come_from_sessions(sessions, wessex):
    data = compile_indicators(organisation=wessex, quarter=QUARTER)
    assert values(data, "learning.training_sessions") == (2, 1, 1)
    assert values(data, "learning.training_attendance") == (3, 1, 0)


def test_the_network_counts_every_ahsn_sessions(sessions, network):
    data = compile_indicators(organisation=network, quarter=QUARTER)
    assert values(data, "learning.training_sessions")[0] == 3
    assert values(data, "learning.training_attendance")[0] == 4
