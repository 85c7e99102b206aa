"""The public pages, the feed, the widget and the sitemap (issue 20): what
they show, what they never show, and how they are sent."""

import pytest
from defusedxml import ElementTree as ET
from django.core.cache import cache
from django.test import Client

from campaign import publishing, services
from campaign.models import Evidence
from tests.campaign.conftest import SECRETS, public_urls

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()


def test_campaign_page_shows_public_fields_progress_and_asks_by_target(client, public_world):
    html = client.get(f"/p/{public_world.campaign.slug}/").content.decode()
    assert "Follow-up of the OHCHR assessment" in html
    assert "What we asked of the UN and of China." in html
    assert "Publish the assessment now." in html and "Release the detained lawyers." in html
    assert html.index("Permanent Mission of China") < html.index("UN High Commissioner for Human Rights")
    assert "2 in progress (50%)" in html.replace("\n", " ") or "1 in progress (50%)" in html


def test_ask_page_shows_wording_target_source_deadline_status_timeline_and_evidence(client, public_world):
    ask = public_world.report
    html = client.get(f"/p/{public_world.campaign.slug}/{ask.public_id}/").content.decode()
    for text in (
        "Publish the assessment now.",
        "UN High Commissioner for Human Rights",
        "Joint statement",
        ask.deadline.isoformat(),
        'id="public-status">In progress<',
        "Raised in Geneva.",
        "OHCHR assessment",
        'href="https://docs.un.org/en/A/HRC/51/47"',
    ):
        assert text in html, text


def test_nothing_internal_appears_on_any_public_url(client, public_world, lead):
    publishing.campaign_publish(
        campaign=public_world.campaign, actor=lead, public_title="T", public_summary="S", allow_indexing=True
    )
    for url in public_urls(public_world):
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.content.decode()
        for secret in SECRETS:
            assert secret not in body, (url, secret)


@pytest.mark.parametrize(
    "path",
    ["/p/{slug}/{unpublished}/", "/p/{slug}/{deleted}/", "/p/{slug}/{other}/", "/p/other-private/", "/p/nope/"],
)
def test_hidden_things_are_404_never_403(client, public_world, path):
    url = path.format(
        slug=public_world.campaign.slug,
        unpublished="abcdefgh",
        deleted=public_world.deleted.public_id,
        other=public_world.other_ask.public_id,
    )
    response = client.get(url)
    assert response.status_code == 404
    assert not response.cookies


def test_unpublishing_the_campaign_takes_every_page_down_at_once_cached_copies_included(client, public_world, lead):
    urls = [url for url in public_urls(public_world) if url != "/sitemap.xml"]
    for url in urls:
        assert client.get(url).status_code == 200  # and now cached
    publishing.campaign_unpublish(campaign=public_world.campaign, actor=lead)
    for url in urls:
        assert client.get(url).status_code == 404, url
    publishing.campaign_publish(
        campaign=public_world.campaign, actor=lead, public_title="Back", public_summary="", allow_indexing=False
    )
    assert "Back" in client.get(urls[0]).content.decode()


def test_unpublishing_an_ask_takes_it_off_its_page_and_the_campaigns_at_once(client, public_world, lead):
    slug, ask = public_world.campaign.slug, public_world.release
    assert "Release the detained lawyers." in client.get(f"/p/{slug}/").content.decode()
    publishing.ask_unpublish(ask=ask, actor=lead)
    assert client.get(f"/p/{slug}/{ask.public_id}/").status_code == 404
    assert "Release the detained lawyers." not in client.get(f"/p/{slug}/").content.decode()
    assert "They were released." not in client.get(f"/p/{slug}/feed.atom").content.decode()


def test_evidence_made_confidential_leaves_the_cached_page_at_once(client, public_world, lead):
    url = f"/p/{public_world.campaign.slug}/{public_world.report.public_id}/"
    assert "https://www.ohchr.org/assessment" in client.get(url).content.decode()
    services.evidence_update(
        evidence=public_world.public_evidence,
        actor=lead,
        asks=[public_world.report],
        sensitivity=Evidence.Sensitivity.CONFIDENTIAL,
    )
    assert "https://www.ohchr.org/assessment" not in client.get(url).content.decode()


def test_a_signed_in_lead_stays_signed_in_after_reading_a_public_page(client, public_world, lead):
    client.force_login(lead)
    client.get(f"/p/{public_world.campaign.slug}/")
    assert client.get("/").status_code == 200


@pytest.mark.parametrize("signed_in", [False, True])
def test_public_pages_set_no_cookie_and_are_publicly_cacheable_with_an_etag(client, public_world, lead, signed_in):
    if signed_in:
        client.force_login(lead)  # a signed-in lead gets the same anonymous page
    for url in public_urls(public_world):
        response = client.get(url)
        assert not response.cookies, url  # Django keeps Set-Cookie here, not in headers
        cache_control = response.headers["Cache-Control"]
        assert "public" in cache_control and "max-age=" in cache_control and "private" not in cache_control, url
        assert "Cookie" not in response.headers.get("Vary", ""), url
        if url != "/sitemap.xml":
            assert response.headers["ETag"], url
            again = client.get(url, headers={"If-None-Match": response.headers["ETag"]})
            assert again.status_code == 304, url


def test_public_views_never_touch_the_user_or_the_session(public_world, monkeypatch):
    from campaign.middleware import NoSession

    touched = []
    monkeypatch.setattr(NoSession, "_get_session", lambda self, no_load=False: touched.append(1) or {})
    client = Client()
    for url in public_urls(public_world):
        assert client.get(url).status_code == 200
    assert touched == []


def test_pages_carry_open_graph_canonical_and_noindex_until_indexing_is_allowed(client, public_world, lead):
    slug = public_world.campaign.slug
    response = client.get(f"/p/{slug}/")
    html = response.content.decode()
    assert f'<link rel="canonical" href="http://localhost:8000/p/{slug}/">' in html
    assert '<meta property="og:title" content="Follow-up of the OHCHR assessment">' in html
    assert '<meta name="robots" content="noindex">' in html
    assert response.headers["X-Robots-Tag"] == "noindex"
    publishing.campaign_publish(
        campaign=public_world.campaign, actor=lead, public_title="T", public_summary="", allow_indexing=True
    )
    response = client.get(f"/p/{slug}/")
    assert 'name="robots"' not in response.content.decode()
    assert "X-Robots-Tag" not in response.headers


def test_sitemap_lists_indexable_public_pages_only(client, public_world, lead):
    assert "<loc>" not in client.get("/sitemap.xml").content.decode()
    publishing.campaign_publish(
        campaign=public_world.campaign, actor=lead, public_title="T", public_summary="", allow_indexing=True
    )
    root = ET.fromstring(client.get("/sitemap.xml").content)
    locs = {loc.text for loc in root.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")}
    slug = public_world.campaign.slug
    assert f"http://localhost:8000/p/{slug}/" in locs
    assert f"http://localhost:8000/p/{slug}/{public_world.report.public_id}/" in locs
    assert len(locs) == 5


def test_feed_is_valid_atom_of_public_updates(client, public_world):
    response = client.get(f"/p/{public_world.campaign.slug}/feed.atom")
    assert response["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)
    assert root.tag == f"{ATOM}feed"
    for required in ("id", "title", "updated", "author"):
        assert root.find(f"{ATOM}{required}") is not None, required
    entries = root.findall(f"{ATOM}entry")
    assert len(entries) == 3
    for entry in entries:
        for required in ("id", "title", "updated", "link"):
            assert entry.find(f"{ATOM}{required}") is not None, required
    notes = {entry.find(f"{ATOM}summary").text for entry in entries}
    assert notes == {"Raised in Geneva.", "They were released.", "Dropped."}


def test_unpublished_campaigns_feed_is_404(client, public_world):
    assert client.get("/p/other-private/feed.atom").status_code == 404


def test_only_the_widget_may_be_framed(client, public_world):
    slug = public_world.campaign.slug
    widget = client.get(f"/p/{slug}/embed/")
    assert "X-Frame-Options" not in widget.headers
    assert "frame-ancestors *" in widget.headers["Content-Security-Policy"]
    assert "<form" not in widget.content.decode()
    assert "Release the detained lawyers." in widget.content.decode()
    for url in (f"/p/{slug}/", f"/p/{slug}/{public_world.report.public_id}/", "/accounts/login/"):
        response = client.get(url)
        assert response.headers["X-Frame-Options"] == "DENY", url
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"], url


def test_public_pages_have_no_forms_and_no_scripts(client, public_world):
    for url in public_urls(public_world)[:4]:
        body = client.get(url).content.decode()
        assert "<form" not in body and "<script" not in body and "csrf" not in body, url
