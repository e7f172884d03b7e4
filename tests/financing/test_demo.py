"""The demo has budgets with a transfer and MDO fees; with the P3 data set (as ``careweave demo`` loads it) its zone
report is the seed table, every row; loading twice adds nothing."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.utils import timezone

from careweave.demo.financing import load_financing
from careweave.financing import reports
from careweave.financing.catalogue import SEED_NEW_PATIENTS, SEED_TABLE, SEED_TOTALS
from careweave.financing.models import BudgetTransfer, Provision
from careweave.territory.models import Zone

pytestmark = pytest.mark.xdist_group("demo-200")
DEMO = {"persons": 200, "seed": 42}


def test_the_demo_has_the_seed_table_budgets_a_transfer_and_mdo_fees(demo_zone):  # noqa: ANN001
    zone = Zone.objects.get(code="ZORA")
    call_command("load_p3_table", "--zone", "ZORA", stdout=io.StringIO())
    rep = reports.build([zone], "year")
    seeded = [i for i, p in enumerate(rep.periods) if p.year <= 2024]
    assert len(seeded) == len(SEED_TOTALS)  # the demo's own provisions are of this year
    assert {r.code: [r.counts[i] for i in seeded] for r in rep.rows if r.code in SEED_TABLE} == SEED_TABLE
    assert [rep.total.counts[i] for i in seeded] == SEED_TOTALS
    assert [rep.new_patients[i] for i in seeded] == SEED_NEW_PATIENTS
    summary, _statuses = reports.zone_budgets(zone, timezone.localdate())
    assert summary.budgets == 8 and 0 < summary.used <= summary.available
    assert BudgetTransfer.objects.count() == 1
    assert Provision.objects.filter(provision_type__code="MDO").exists()
    count = Provision.objects.count()
    load_financing({u.username: u for u in User.objects.all()}, timezone.now())
    assert Provision.objects.count() == count and BudgetTransfer.objects.count() == 1
