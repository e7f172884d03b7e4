"""Zone dashboard pages: access control (403), content, suppression, audited outreach list."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.fixture()
def data_dir(settings, zone_pop):
    settings.POPULATION_DATA_DIR = zone_pop
    settings.SMALL_CELL_K = 5
    return zone_pop


@pytest.fixture()
def staff(client):
    user = User.objects.create_user("zone", password="x-very-long-password")
    user.groups.add(Group.objects.get_or_create(name="zone_staff")[0])
    client.force_login(user)
    return user


def test_anonymous_and_ordinary_users_are_refused(client, data_dir):
    url = reverse("population:zone", args=["ZORA"])
    assert client.get(url).status_code == 403
    client.force_login(User.objects.create_user("someone", password="x-very-long-password"))
    assert client.get(url).status_code == 403
    assert client.get(reverse("population:index")).status_code == 403
    assert client.get(reverse("population:outreach", args=["ZORA"])).status_code == 403


def test_zone_dashboard_shows_pyramid_indicators_and_hides_small_cells(client, data_dir, staff):
    response = client.get(reverse("population:zone", args=["ZORA"]))
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("<svg") > 3
    assert 'id="ind-flu_vaccination_65"' in html
    assert 'id="ind-gmd_65"' in html and 'id="ind-gp_per_10000"' in html
    assert "—" in html  # suppressed cells are visible as such
    assert "Ninove" in html  # small multiples per municipality
    # no person-level link without the permission
    assert reverse("population:outreach", args=["ZORA"]) not in html


def test_index_lists_the_zone(client, data_dir, staff):
    response = client.get(reverse("population:index"))
    assert response.status_code == 200
    assert reverse("population:zone", args=["ZORA"]) in response.content.decode()


def test_unknown_zone_is_404(client, data_dir, staff):
    assert client.get(reverse("population:zone", args=["NOWHERE"])).status_code == 404


def test_empty_data_dir_explains_how_to_generate(client, settings, tmp_path, staff):
    settings.POPULATION_DATA_DIR = tmp_path / "none"
    response = client.get(reverse("population:index"))
    assert response.status_code == 200
    assert "careweave population generate" in response.content.decode()


def test_outreach_list_needs_permission_and_is_audited(client, data_dir, staff):
    from careweave.access.models import AuditEvent

    url = reverse("population:outreach", args=["ZORA"])
    assert client.get(url).status_code == 403
    assert AuditEvent.objects.filter(resource_type="PopulationOutreachList", outcome="denied").count() == 1
    staff.user_permissions.add(Permission.objects.get(codename="view_outreach_list"))
    staff = User.objects.get(pk=staff.pk)
    client.force_login(staff)
    response = client.get(url)
    assert response.status_code == 200
    rows = response.content.decode().split("<tbody>", 1)[1]
    assert "no_gmd" not in rows  # reasons are shown as text, not ids (the filter's option values are ids)
    event = AuditEvent.objects.filter(resource_type="PopulationOutreachList", outcome="success").get()
    assert event.resource_id == "ZORA" and event.user == staff
    dashboard = client.get(reverse("population:zone", args=["ZORA"])).content.decode()
    assert url in dashboard


def test_a_superuser_is_not_let_into_the_person_level_outreach_list(client, data_dir):
    """Security issue 17 item 13: the list is for the zone's outreach team, not for whoever is superuser."""
    from careweave.access.models import AuditEvent

    root = User.objects.create_superuser("root", password="x-very-long-password")
    client.force_login(root)
    assert client.get(reverse("population:outreach", args=["ZORA"])).status_code == 403
    assert client.get(reverse("population:outreach_csv", args=["ZORA"])).status_code == 403
    assert AuditEvent.objects.filter(user=root, resource_type="PopulationOutreachList", outcome="denied").count() == 2
    assert reverse("population:outreach", args=["ZORA"]) not in client.get(
        reverse("population:zone", args=["ZORA"])
    ).content.decode()
    root.groups.add(Group.objects.get_or_create(name="zone_staff")[0])  # staff of the zone, still no grant
    assert client.get(reverse("population:outreach", args=["ZORA"])).status_code == 403
    group = Group.objects.create(name="outreach team")
    group.permissions.add(Permission.objects.get(codename="view_outreach_list"))
    root.groups.add(group)  # granted through a group: now part of the outreach team
    assert client.get(reverse("population:outreach", args=["ZORA"])).status_code == 200


def test_superuser_sees_the_dashboard(client, data_dir):
    client.force_login(User.objects.create_superuser("root", password="x-very-long-password"))
    assert client.get(reverse("population:zone", args=["ZORA"])).status_code == 200


def test_demo_population_is_generated_once(tmp_path):
    from careweave.population.api import ensure_demo_population

    first = ensure_demo_population(tmp_path / "demo", persons=500, seed=3)
    again = ensure_demo_population(tmp_path / "demo", persons=500, seed=3)
    assert first["generated_at"] == again["generated_at"]
    assert (tmp_path / "demo" / "persons").is_dir()


def test_pyramid_label_goes_beside_a_bar_too_narrow_for_it(client, data_dir, staff):
    import xml.etree.ElementTree as ET

    html = client.get(reverse("population:zone", args=["ZORA"])).content.decode()
    start = html.index("<svg", html.index('id="pyramid-h"'))
    svg = ET.fromstring(html[start:html.index("</svg>", start) + 6])
    ns = {"s": "http://www.w3.org/2000/svg"}
    view_width = float(svg.get("viewBox").split()[2])
    placed = {}
    for g in svg.findall("s:g", ns):
        rect, label = g.find("s:rect", ns), g.find("s:text[@class='label']", ns)
        right = float(rect.get("x")) + float(rect.get("width"))
        estimated_end = float(label.get("x")) + 0.6 * 12 * len(label.text)
        placed[g.get("class")] = (label.get("text-anchor"), float(label.get("x")), right, estimated_end)
    anchor, x, right, end = placed["level-3"]  # "3 · Case management (high complexity)" in a 160 px bar
    assert anchor == "start" and x > right and end <= view_width
    anchor, x, right, end = placed["level-0"]  # the widest bar keeps its label inside
    assert anchor == "middle" and x < right


def _luminance(colour: str) -> float:
    """WCAG 2 relative luminance of a #rrggbb colour."""
    channels = [int(colour.lstrip("#")[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast(a: str, b: str) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_contrast_helper_matches_wcag_examples() -> None:
    assert round(_contrast("#000000", "#ffffff"), 1) == 21.0
    assert round(_contrast("#b2182b", "#000000"), 1) == 3.1  # the measurement


def test_every_pyramid_label_has_a_contrast_of_at_least_4_5(client, data_dir, staff):
    """Issue 11.6: text on a bar is measured against the bar, text beside it against the page."""
    import re
    from pathlib import Path

    css = (Path(__file__).resolve().parents[2] / "careweave/web/static/web/careweave.css").read_text()
    page = re.search(r"--canvas:\s*(#[0-9a-fA-F]{6})", css).group(1)
    html = client.get(reverse("population:zone", args=["ZORA"])).content.decode()
    svg = html.split('id="pyramid-title"', 1)[1].split("</svg>", 1)[0]
    levels = re.findall(r'<g class="level-(\d)">(.*?)</g>', svg, re.S)
    assert len(levels) == 4
    for level, group in levels:
        bar = re.search(r'<rect[^>]*fill="(#[0-9a-fA-F]{6})"', group).group(1)
        for text in re.findall(r"<text[^>]*>", group):
            ink = re.search(r'fill="(#[0-9a-fA-F]{6})"', text)
            colour = ink.group(1) if ink else "#000000"  # SVG text is black unless told otherwise
            beside = 'text-anchor="start"' in text
            ratio = _contrast(colour, page if beside else bar)
            assert ratio >= 4.5, f"level {level}: {colour} on {page if beside else bar} is {ratio:.2f}:1"


def test_the_dashboards_numbers_are_written_as_the_reader_writes_them(client, data_dir, staff):
    """Issue 18: "81.1" and "0.95" on a Dutch or French page."""
    import re

    from careweave.web.language import SESSION_KEY

    for language in ("nl", "fr"):
        session = client.session
        session[SESSION_KEY] = language
        session.save()
        html = client.get(reverse("population:zone", args=["ZORA"])).content.decode()
        cells = re.findall(r'<td class="num">([^<]*)</td>', html)
        numbers = [c for c in cells if any(ch.isdigit() for ch in c)]
        assert numbers, "the indicator table has values"
        assert not [c for c in numbers if re.search(r"\d\.\d{1,2}$", c)], f"{language}: decimal points in {numbers}"
        assert any("," in c for c in numbers), numbers
