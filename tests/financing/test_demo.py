"""The demo loads the seed's P3 table, budgets with a transfer and MDO fees, and loading twice adds nothing."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from careweave.demo import load_demo
from careweave.demo.financing import load_financing
from careweave.financing import reports
from careweave.financing.catalogue import SEED_TABLE, SEED_TOTALS
from careweave.financing.models import BudgetTransfer, Provision
from careweave.territory.models import Zone


@pytest.mark.django_db
def test_the_demo_has_the_seed_table_budgets_a_transfer_and_mdo_fees(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    result = load_demo(seed=42)
    assert result["financing"]["seed_table_lines"] > 1000
    zone = Zone.objects.get(code="ZORA")
    rep = reports.build([zone], "year")
    assert {r.code: r.counts for r in rep.rows} == SEED_TABLE and rep.total.counts == SEED_TOTALS
    summary, _statuses = reports.zone_budgets(zone, timezone.localdate())
    assert summary.budgets == 8 and 0 < summary.used <= summary.available
    assert BudgetTransfer.objects.count() == 1
    assert Provision.objects.filter(provision_type__code="MDO").exists()
    count = Provision.objects.count()
    load_financing({u.username: u for u in User.objects.all()}, timezone.now())
    assert Provision.objects.count() == count and BudgetTransfer.objects.count() == 1
