"""Whatever the sizes of a group's sessions, every answer counts in at most one
released figure and every released figure holds at least k answers: so no two
released figures can be subtracted to expose a suppressed session."""

from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from groups.checkins.models import BlockRollup, SessionRollup
from tests.checkins.helpers import released_session, who5_all
from tests.factories import GroupFactory, UserFactory

pytestmark = pytest.mark.django_db


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    sizes=st.lists(st.integers(min_value=0, max_value=7), min_size=1, max_size=10), level=st.integers(0, 5)
)
def test_released_figures_never_overlap_and_never_fall_below_k(db, sizes, level):
    group = GroupFactory(owner=UserFactory())
    for week, size in enumerate(sizes):
        released_session(group, [{"who5": who5_all(level)}] * size, starts_in=timedelta(days=7 * week))

    rollups = list(SessionRollup.objects.filter(group=group).order_by("ordinal"))
    released_blocks = {b.number: b for b in BlockRollup.objects.filter(group=group, status="released")}
    counted = 0
    for rollup, size in zip(rollups, sizes, strict=True):
        in_session = rollup.status == "released"
        in_block = rollup.status == "suppressed" and rollup.block in released_blocks
        assert not (in_session and in_block)
        assert in_session == (size >= 5)
        assert (rollup.status == "suppressed") == (0 < size < 5)
        counted += size if (in_session or in_block) else 0
        if in_session:
            assert rollup.answers == size
    for block in released_blocks.values():
        assert block.answers >= 5
        pooled = [r for r in rollups if r.block == block.number and r.status == "suppressed"]
        assert block.answers == sum(sizes[r.ordinal - 1] for r in pooled)
    released_total = sum(r.answers for r in rollups if r.answers) + sum(
        b.answers for b in released_blocks.values()
    )
    assert released_total == counted
    # A block is released only when complete, and never for a block still filling.
    assert all(number * 4 <= len(sizes) for number in released_blocks)
