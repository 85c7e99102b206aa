"""Symbols and communication references as links to the UN, on the pages, in the
digest's both parts and in the exports; escaping holds around them."""

import csv
import datetime
import io

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from markupsafe import Markup

from campaign.mail.outbox import email_deliver_all
from campaign.services import ask_change_status
from campaign.un_links import link_references, reference_url
from tests.campaign.test_digests import IN_PERIOD, message_to, send, weekly
from tests.factories import EvidenceFactory, UpdateFactory

CERD_LINK = (
    '<bdi dir="ltr"><a href="https://docs.un.org/en/CERD/C/CHN/CO/14-17" class="un-ref" '
    'rel="noopener noreferrer">CERD/C/CHN/CO/14-17</a></bdi>'
)


def test_a_symbol_links_to_the_document_system_and_a_communication_to_the_search():
    assert reference_url("un_symbol", "A/HRC/51/L.6") == "https://docs.un.org/en/A/HRC/51/L.6"
    assert reference_url("un_symbol", "S/RES/2334 (2016)") == "https://docs.un.org/en/S/RES/2334%20(2016)"
    assert reference_url("communication", "AL CHN 5/2021") == "https://spcommreports.ohchr.org/"
    assert reference_url("other", "") == ""


def test_the_url_templates_are_settings(settings):
    settings.UN_DOCUMENT_URL = "https://undocs.org/{symbol}"
    settings.UN_COMMUNICATION_URL = "https://example.org/search?ref={reference}"
    assert reference_url("un_symbol", "A/HRC/51/L.6") == "https://undocs.org/A/HRC/51/L.6"
    assert reference_url("communication", "AL CHN 5/2021") == "https://example.org/search?ref=AL%20CHN%205/2021"


def test_the_filter_escapes_the_text_and_links_only_the_symbols():
    html = link_references('<script>alert(1)</script>"CERD/C/CHN/CO/14-17" & A/HRC/51/L.6.')
    assert isinstance(html, Markup)
    assert html == (
        "&lt;script&gt;alert(1)&lt;/script&gt;&#34;" + CERD_LINK + "&#34; &amp; "
        '<bdi dir="ltr"><a href="https://docs.un.org/en/A/HRC/51/L.6" class="un-ref" rel="noopener noreferrer">'
        "A/HRC/51/L.6</a></bdi>."
    )


def test_the_link_is_built_from_the_canonical_form_not_the_raw_text():
    html = link_references("adopted as A/HRC/51/l.6 and S/RES/2334(2016)")
    assert 'href="https://docs.un.org/en/A/HRC/51/L.6"' in html and ">A/HRC/51/l.6</a>" in html
    assert 'href="https://docs.un.org/en/S/RES/2334%20(2016)"' in html


def test_a_url_template_with_an_ampersand_is_escaped_in_the_attribute(settings):
    settings.UN_COMMUNICATION_URL = "https://example.org/?a=1&ref={reference}"
    assert 'href="https://example.org/?a=1&amp;ref=AL%20CHN%205/2021"' in link_references("AL CHN 5/2021")


def test_a_symbol_cut_short_by_truncation_is_not_linked():
    assert "<a" not in link_references("See A/HRC/51/L…")


@pytest.fixture
def cited(campaign, ask):
    ask.wording = 'Implement <b>CERD/C/CHN/CO/14-17</b> "now" and answer AL CHN 5/2021.'
    ask.save()
    return EvidenceFactory(
        campaign=campaign,
        asks=[ask],
        title="CERD's observations",
        reference="cerd/c/chn/co/14–17",
        summary="Follows A/HRC/51/L.6 <script>x</script>",
        published_on=datetime.date(2018, 9, 19),
    )


def test_the_ask_page_links_symbols_in_the_wording_the_evidence_and_its_summary(client, viewer, ask, cited):
    UpdateFactory(ask=ask, note="Raised under A/78/PV.3")
    client.force_login(viewer)
    html = client.get(reverse("ask_detail", args=[ask.pk])).content.decode()

    assert "Implement &lt;b&gt;" + CERD_LINK + "&lt;/b&gt; &#34;now&#34;" in html
    assert ">AL CHN 5/2021</a></bdi>" in html
    assert "UN document · " + CERD_LINK + " · 19 Sep 2018" in html  # the canonical form, linked
    assert 'href="https://docs.un.org/en/A/HRC/51/L.6"' in html and "&lt;script&gt;x&lt;/script&gt;" in html
    assert 'href="https://docs.un.org/en/A/78/PV.3"' in html


def test_an_unknown_reference_is_shown_as_typed_and_flagged(client, viewer, campaign, ask):
    EvidenceFactory(campaign=campaign, asks=[ask], reference='Letter "3" <b>')
    client.force_login(viewer)
    html = client.get(reverse("ask_detail", args=[ask.pk])).content.decode()
    assert "Letter &#34;3&#34; &lt;b&gt; <span" in html and "(not a UN symbol)" in html


def test_the_campaign_page_links_its_evidence(client, viewer, campaign, cited):
    client.force_login(viewer)
    assert CERD_LINK in client.get(reverse("campaign_detail", args=[campaign.slug])).content.decode()


def test_the_csv_export_lists_the_links_of_the_wordings_symbols(client, viewer, ask, cited):
    client.force_login(viewer)
    response = client.get(reverse("asks_export"))
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0]["un_links"].splitlines() == [
        "https://docs.un.org/en/CERD/C/CHN/CO/14-17",
        "https://spcommreports.ohchr.org/",
    ]


def test_the_admin_evidence_export_carries_the_canonical_form_and_link(cited):
    from campaign.exports import EvidenceResource

    dataset = EvidenceResource().export()
    assert dataset.dict[0]["reference_canonical"] == "CERD/C/CHN/CO/14-17"
    assert dataset.dict[0]["reference_link"] == "https://docs.un.org/en/CERD/C/CHN/CO/14-17"


def test_the_digest_links_new_evidence_and_symbols_in_notes_in_both_parts(campaign, ask, lead, viewer):
    weekly(viewer)
    with time_machine.travel(IN_PERIOD, tick=False):
        EvidenceFactory(campaign=campaign, title="CERD's observations", reference="cerd/c/chn/co/14–17")
        ask_change_status(ask=ask, new_status="in_progress", author=lead, note='Cited <i>A/HRC/51/L.6</i> "again"')
    email_deliver_all()
    mail.outbox.clear()

    send()
    message, html = message_to(viewer)
    assert CERD_LINK + " — CERD&#x27;s observations" in html
    assert (
        '&lt;i&gt;<bdi dir="ltr"><a href="https://docs.un.org/en/A/HRC/51/L.6" class="un-ref" '
        'rel="noopener noreferrer">A/HRC/51/L.6</a></bdi>&lt;/i&gt;'
    ) in html
    assert "CERD/C/CHN/CO/14-17 <https://docs.un.org/en/CERD/C/CHN/CO/14-17> — CERD's observations" in message.body
