"""Belgian municipalities (NIS/REFNIS codes) grouped into primary-care zones.

A modest, real list: enough municipalities in each region to exercise zone, municipality and
region breakdowns and small-cell suppression (Zuienkerke, Lontzen are deliberately small).
Populations are rounded Statbel 1 January 2024 figures (approximate, not from the seeds) and
only serve as sampling weights. Zone membership is illustrative: the real ELZ/bassin/zone
boundaries are maintained by the regions (see C10, territories). The zone ``ZORA`` is modelled
on ELZ Zora as described in ``shared/seeds/000_…txt`` lines 405-407: six municipalities and
about 102,280 inhabitants; its member list here is illustrative.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Municipality:
    nis: int
    name: str
    zone: str
    region: str  # VLG (Flanders), BRU (Brussels), WAL (Wallonia)
    population: int


@dataclass(frozen=True)
class Zone:
    code: str
    name: str
    kind: str  # ELZ, bassin, zone
    region: str


ZONES: list[Zone] = [
    Zone("ZORA", "ELZ Zora", "ELZ", "VLG"),
    Zone("LEUVEN", "ELZ Leuven", "ELZ", "VLG"),
    Zone("BRUGGE", "ELZ Brugge", "ELZ", "VLG"),
    Zone("ANTWERPEN", "ELZ Antwerpen", "ELZ", "VLG"),
    Zone("GENT", "ELZ Gent", "ELZ", "VLG"),
    Zone("LIMBURG-C", "ELZ Centraal-Limburg", "ELZ", "VLG"),
    Zone("BXL-NW", "Bassin Bruxelles Nord-Ouest", "bassin", "BRU"),
    Zone("BXL-C", "Bassin Bruxelles Centre", "bassin", "BRU"),
    Zone("BXL-S", "Bassin Bruxelles Sud", "bassin", "BRU"),
    Zone("LIEGE", "Zone de soins Liège", "zone", "WAL"),
    Zone("NAMUR", "Zone de soins Namur", "zone", "WAL"),
    Zone("CHARLEROI", "Zone de soins Charleroi", "zone", "WAL"),
    Zone("OSTBELGIEN", "Versorgungszone Ostbelgien", "zone", "WAL"),
]

_M = Municipality
MUNICIPALITIES: list[Municipality] = [
    # ZORA: six municipalities, weights scaled so the zone totals 102,280 (000_…txt l. 407)
    _M(41048, "Ninove", "ZORA", "VLG", 31_500),
    _M(41011, "Denderleeuw", "ZORA", "VLG", 16_300),
    _M(41024, "Haaltert", "ZORA", "VLG", 14_400),
    _M(41082, "Erpe-Mere", "ZORA", "VLG", 15_600),
    _M(41034, "Lede", "ZORA", "VLG", 14_800),
    _M(23044, "Liedekerke", "ZORA", "VLG", 9_680),
    _M(24062, "Leuven", "LEUVEN", "VLG", 104_000),
    _M(24038, "Herent", "LEUVEN", "VLG", 22_000),
    _M(24055, "Kortenberg", "LEUVEN", "VLG", 20_500),
    _M(24009, "Bertem", "LEUVEN", "VLG", 10_300),
    _M(24086, "Oud-Heverlee", "LEUVEN", "VLG", 11_300),
    _M(31005, "Brugge", "BRUGGE", "VLG", 119_000),
    _M(31022, "Oostkamp", "BRUGGE", "VLG", 24_000),
    _M(31006, "Damme", "BRUGGE", "VLG", 11_000),
    _M(31042, "Zuienkerke", "BRUGGE", "VLG", 2_800),
    _M(11002, "Antwerpen", "ANTWERPEN", "VLG", 545_000),
    _M(44021, "Gent", "GENT", "VLG", 268_000),
    _M(71022, "Hasselt", "LIMBURG-C", "VLG", 80_000),
    _M(71016, "Genk", "LIMBURG-C", "VLG", 67_000),
    _M(71011, "Diepenbeek", "LIMBURG-C", "VLG", 19_500),
    _M(21012, "Molenbeek-Saint-Jean", "BXL-NW", "BRU", 98_000),
    _M(21010, "Jette", "BXL-NW", "BRU", 53_000),
    _M(21011, "Koekelberg", "BXL-NW", "BRU", 22_000),
    _M(21008, "Ganshoren", "BXL-NW", "BRU", 25_000),
    _M(21003, "Berchem-Sainte-Agathe", "BXL-NW", "BRU", 25_500),
    _M(21004, "Bruxelles", "BXL-C", "BRU", 196_000),
    _M(21015, "Schaerbeek", "BXL-C", "BRU", 131_000),
    _M(21014, "Saint-Josse-ten-Noode", "BXL-C", "BRU", 27_000),
    _M(21006, "Evere", "BXL-C", "BRU", 43_000),
    _M(21001, "Anderlecht", "BXL-S", "BRU", 126_000),
    _M(21009, "Ixelles", "BXL-S", "BRU", 87_000),
    _M(21016, "Uccle", "BXL-S", "BRU", 84_000),
    _M(21013, "Saint-Gilles", "BXL-S", "BRU", 50_000),
    _M(21007, "Forest", "BXL-S", "BRU", 56_000),
    _M(62063, "Liège", "LIEGE", "WAL", 195_000),
    _M(62096, "Seraing", "LIEGE", "WAL", 64_000),
    _M(62051, "Herstal", "LIEGE", "WAL", 40_000),
    _M(92094, "Namur", "NAMUR", "WAL", 113_000),
    _M(92142, "Gembloux", "NAMUR", "WAL", 26_500),
    _M(52011, "Charleroi", "CHARLEROI", "WAL", 203_000),
    _M(52012, "Châtelet", "CHARLEROI", "WAL", 36_000),
    _M(63023, "Eupen", "OSTBELGIEN", "WAL", 20_000),
    _M(63040, "Kelmis", "OSTBELGIEN", "WAL", 11_200),
    _M(63061, "Raeren", "OSTBELGIEN", "WAL", 11_000),
    _M(63048, "Lontzen", "OSTBELGIEN", "WAL", 6_000),
]

ZONE_BY_CODE = {z.code: z for z in ZONES}


def municipalities(zone: str | None = None) -> list[Municipality]:
    """The municipalities of one zone, or all of them; unknown zone raises ``KeyError``."""
    if zone is None:
        return list(MUNICIPALITIES)
    if zone not in ZONE_BY_CODE:
        raise KeyError(zone)
    return [m for m in MUNICIPALITIES if m.zone == zone]
