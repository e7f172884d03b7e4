"""The demo's social map: services in the zone and referrals in every status."""

from __future__ import annotations

import pytest

from careweave.territory.models import Referral, Service

pytestmark = pytest.mark.xdist_group("demo-200")
DEMO = {"persons": 200, "seed": 42}


def test_the_demo_social_map_loads_with_referrals_in_every_status(demo_zone) -> None:  # noqa: ANN001
    social = demo_zone["social_map"]
    assert 40 <= social["services"] <= 90
    assert set(Referral.objects.values_list("status", flat=True)) == {"sent", "accepted", "refused", "done"}
    french_physios = [s for s in Service.objects.filter(discipline="physio") if "fr" in s.language_list]
    assert len(french_physios) >= 3
