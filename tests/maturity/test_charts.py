"""Spider and bubble chart geometry: the numbers land where the reader expects them."""

from __future__ import annotations

from careweave.maturity.charts import CENTRE, RADIUS, bubbles, radar
from careweave.maturity.dimensions import codes

C = codes()


def test_radar_puts_dimension_1_at_the_top_and_scales_0_to_5() -> None:
    chart = radar([("a", {C[0]: 5, C[3]: 2.5}, "x")])
    points = [tuple(map(float, p.split(","))) for p in chart["series"][0].points.split()]
    assert len(points) == 12 and len(chart["axes"]) == 12 and len(chart["rings"]) == 5
    assert points[0] == (CENTRE, CENTRE - RADIUS)  # 5 at the top
    assert points[3] == (CENTRE + RADIUS / 2, CENTRE)  # 2.5 on the right (dimension 4 at three o'clock)
    assert points[1] == (CENTRE, CENTRE)  # missing: drawn at the centre


def test_bubble_area_follows_the_count() -> None:
    chart = bubbles({C[0]: [0, 1, 4, 0, 0, 0]})
    cells = chart["rows"][0]["cells"]
    assert [c["n"] for c in cells] == [0, 1, 4, 0, 0, 0]
    assert cells[2]["r"] == 11 and cells[1]["r"] == 5.5  # area 1/4 → radius 1/2
    assert cells[0]["r"] == 0 and len(chart["rows"]) == 12
