"""The domain cast (tests/domain/conftest.py) plus a small social map built through the actions."""

from __future__ import annotations

import importlib.util
from datetime import time
from pathlib import Path

import pytest

_spec = importlib.util.spec_from_file_location("territory_cast", Path(__file__).parents[1] / "domain" / "conftest.py")
_cast = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_cast)
for _name, _value in vars(_cast).items():
    if type(_value).__name__ == "FixtureFunctionDefinition":
        globals()[_name] = _value

from careweave.territory.actions import register_service  # noqa: E402
from careweave.territory.models import Zone  # noqa: E402

WEEK = {d: [(time(9, 0), time(12, 0)), (time(13, 0), time(17, 0))] for d in range(5)}


@pytest.fixture
def municipality_zones(db) -> dict[str, Zone]:  # noqa: ANN001
    elz = Zone.objects.create(code="ZORA", name="ELZ Zora", kind=Zone.Kind.ELZ, region=Zone.Region.FLANDERS,
                              postal_codes="9400 9470 1770")
    hospital = Zone.objects.create(code="HN", name="Ziekenhuisnetwerk", kind=Zone.Kind.HOSPITAL_NETWORK,
                                   region=Zone.Region.FLANDERS, postal_codes="9400 9300")
    ninove = Zone.objects.create(code="NIS-41048", name="Ninove", kind=Zone.Kind.MUNICIPALITY,
                                 region=Zone.Region.FLANDERS, parent=elz)
    sector = Zone.objects.create(code="41048A00-", name="Ninove-Centrum", kind=Zone.Kind.STATISTICAL_SECTOR,
                                 region=Zone.Region.FLANDERS, parent=ninove)
    brussels = Zone.objects.create(code="BXL-C", name="Bassin Centre", kind=Zone.Kind.BRUSSELS_BASSIN,
                                   region=Zone.Region.BRUSSELS, postal_codes="1000")
    return {"elz": elz, "hospital": hospital, "ninove": ninove, "sector": sector, "brussels": brussels}


@pytest.fixture
def make_service(db, municipality_zones):  # noqa: ANN001, ANN201
    """A provider registers its own entry (through the action)."""

    def make(provider, name: str, *, discipline: str = "physio", languages: str = "nl",  # noqa: ANN001
             postal_code: str = "9400", municipality: str = "Ninove", lat: float = 50.8283, lon: float = 4.0247,
             hours: dict | None = None, zones: list | None = None, **extra):  # noqa: ANN003
        from careweave.people.models import Professional

        if isinstance(provider, Professional):
            extra.setdefault("professional", provider)
            provider = provider.user
        return register_service(
            provider,
            service={"name": name, "discipline": discipline, "languages": languages, **extra},
            location={"postal_code": postal_code, "municipality": municipality, "latitude": lat, "longitude": lon},
            hours=WEEK if hours is None else hours, zones=zones,
        )

    return make


@pytest.fixture
def physios(make_professional, make_service) -> dict:  # noqa: ANN001
    """Two French-speaking physiotherapists (near and far from Ninove), a Dutch-speaking one, a dietitian."""
    from careweave.people.models import Discipline

    physio = Discipline.PHYSIOTHERAPIST
    return {
        "fr": make_service(make_professional(physio), "Kiné Denderleeuw", languages="nl,fr", postal_code="9470",
                           municipality="Denderleeuw", lat=50.885, lon=4.0733),
        "far": make_service(make_professional(physio), "Kiné Bruxelles", languages="fr", postal_code="1000",
                            municipality="Bruxelles", lat=50.8467, lon=4.3525),
        "nl": make_service(make_professional(physio), "Kine Ninove", languages="nl"),
        "dietitian": make_service(make_professional(Discipline.DIETITIAN), "Diëtist Ninove", discipline="dietitian"),
    }
