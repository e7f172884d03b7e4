"""Distances and reference points for the social map: great-circle distance and postal-code centroids.

Centroids are approximate town centres (WGS84), enough to rank services by distance; a postal code
that is not listed falls back to the mean position of the locations registered with it.
"""

from __future__ import annotations

import math

EARTH_RADIUS_KM = 6371.0088  # mean Earth radius (IUGG)

# postal code -> (municipality, latitude, longitude)
POSTAL_CODES: dict[str, tuple[str, float, float]] = {
    # ELZ Zora (population.geography ZORA) and its neighbours
    "9400": ("Ninove", 50.8283, 4.0247),
    "9470": ("Denderleeuw", 50.8850, 4.0733),
    "9450": ("Haaltert", 50.9050, 4.0000),
    "9420": ("Erpe-Mere", 50.9280, 3.9690),
    "9340": ("Lede", 50.9660, 3.9860),
    "1770": ("Liedekerke", 50.8700, 4.0870),
    "9300": ("Aalst", 50.9378, 4.0403),
    "9500": ("Geraardsbergen", 50.7736, 3.8822),
    "1750": ("Lennik", 50.8067, 4.1600),
    # large towns of each region
    "1000": ("Bruxelles", 50.8467, 4.3525),
    "1030": ("Schaerbeek", 50.8676, 4.3737),
    "1050": ("Ixelles", 50.8333, 4.3667),
    "1070": ("Anderlecht", 50.8365, 4.3086),
    "1080": ("Molenbeek-Saint-Jean", 50.8550, 4.3220),
    "2000": ("Antwerpen", 51.2194, 4.4025),
    "3000": ("Leuven", 50.8798, 4.7005),
    "3500": ("Hasselt", 50.9307, 5.3325),
    "4000": ("Liège", 50.6326, 5.5797),
    "4700": ("Eupen", 50.6276, 6.0372),
    "5000": ("Namur", 50.4674, 4.8720),
    "6000": ("Charleroi", 50.4108, 4.4446),
    "8000": ("Brugge", 51.2093, 3.2247),
    "9000": ("Gent", 51.0543, 3.7174),
}


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance between two WGS84 points, in kilometres."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlambda = math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def bounding_box(lat: float, lon: float, km: float) -> tuple[float, float, float, float]:
    """(min_lat, max_lat, min_lon, max_lon) enclosing the circle of ``km`` around a point (an SQL prefilter)."""
    dlat = math.degrees(km / EARTH_RADIUS_KM)
    dlon = math.degrees(km / (EARTH_RADIUS_KM * max(0.01, math.cos(math.radians(lat)))))
    return lat - dlat, lat + dlat, lon - dlon, lon + dlon


def postal_code_centroid(code: str) -> tuple[float, float] | None:
    """The centre of a postal code: the table above, else the mean of the locations registered there."""
    code = code.strip()
    if code in POSTAL_CODES:
        _name, lat, lon = POSTAL_CODES[code]
        return lat, lon
    from django.db.models import Avg

    from careweave.territory.models import Location

    mean = Location.objects.filter(postal_code=code).aggregate(lat=Avg("latitude"), lon=Avg("longitude"))
    if mean["lat"] is None:
        return None
    return mean["lat"], mean["lon"]
