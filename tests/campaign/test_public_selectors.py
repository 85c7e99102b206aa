"""campaign.public, the one module the public pages read through: every rule
of what is public (issue 20)."""

import pytest
from django.http import Http404

from campaign import public, publishing
from campaign.models import AskStatus, Evidence
from tests.factories import EvidenceFactory


def test_an_unpublished_campaign_gives_nothing(public_world, lead):
    publishing.campaign_unpublish(campaign=public_world.campaign, actor=lead)
    with pytest.raises(Http404):
        public.published_campaign(public_world.campaign.slug)
    assert public.indexable_campaigns() == []
    assert public.sitemap_entries() == []


def test_a_never_published_campaign_gives_nothing_even_with_published_asks(public_world):
    with pytest.raises(Http404):
        public.published_campaign(public_world.other.slug)


def test_only_published_live_asks_of_the_campaign_are_listed(public_world):
    campaign = public.published_campaign(public_world.campaign.slug)
    ids = {ask.public_id for ask in public.campaign_asks(campaign)}
    expected = {public_world.report, public_world.release, public_world.dropped, public_world.fresh}
    assert ids == {ask.public_id for ask in expected}


@pytest.mark.parametrize("which", ["unpublished", "deleted", "other_ask"])
def test_an_unpublished_deleted_or_other_campaigns_ask_is_404(public_world, which):
    campaign = public.published_campaign(public_world.campaign.slug)
    ask = getattr(public_world, which)
    with pytest.raises(Http404):
        public.public_ask(campaign, ask.public_id or "abcdefgh")


def test_an_unpublished_ask_is_404_and_keeps_its_public_id_for_republishing(public_world, lead):
    campaign = public.published_campaign(public_world.campaign.slug)
    public_id = public_world.report.public_id
    publishing.ask_unpublish(ask=public_world.report, actor=lead)
    with pytest.raises(Http404):
        public.public_ask(campaign, public_id)
    again = publishing.ask_publish(ask=public_world.report, actor=lead, public_wording="Publish it.")
    assert again.public_id == public_id
    assert public.public_ask(campaign, public_id).wording == "Publish it."


def test_public_status_is_the_latest_published_updates_never_the_internal_one(public_world):
    campaign = public.published_campaign(public_world.campaign.slug)
    statuses = {ask.public_id: ask.status for ask in public.campaign_asks(campaign)}
    assert public_world.report.status == AskStatus.MET  # internally
    # Its latest update (not met) was withdrawn: the one before it counts.
    assert statuses[public_world.report.public_id] == AskStatus.IN_PROGRESS
    assert statuses[public_world.release.public_id] == AskStatus.MET
    assert statuses[public_world.fresh.public_id] == AskStatus.OPEN


def test_unpublished_and_withdrawn_updates_never_appear(public_world):
    campaign = public.published_campaign(public_world.campaign.slug)
    ask = public.public_ask(campaign, public_world.report.public_id)
    notes = [update.note for update in public.ask_updates(campaign, ask)]
    assert notes == ["Raised in Geneva."]
    feed_notes = {update.note for update in public.campaign_updates(campaign)}
    assert feed_notes == {"Raised in Geneva.", "They were released.", "Dropped."}


def test_internal_and_confidential_evidence_never_appear(public_world):
    campaign = public.published_campaign(public_world.campaign.slug)
    ask = public.public_ask(campaign, public_world.report.public_id)
    evidence = public.ask_evidence(campaign, ask)
    assert [item.title for item in evidence] == ["OHCHR assessment"]
    assert evidence[0].reference_url == "https://docs.un.org/en/A/HRC/51/47"


def test_evidence_turned_internal_leaves_at_once(public_world, lead):
    from campaign import services

    services.evidence_update(
        evidence=public_world.public_evidence,
        actor=lead,
        asks=[public_world.report],
        sensitivity=Evidence.Sensitivity.INTERNAL,
    )
    campaign = public.published_campaign(public_world.campaign.slug)
    ask = public.public_ask(campaign, public_world.report.public_id)
    assert public.ask_evidence(campaign, ask) == []


def test_public_evidence_of_another_campaign_is_not_shown(public_world):
    EvidenceFactory(campaign=public_world.other, title="Elsewhere", sensitivity="public", asks=[public_world.report])
    campaign = public.published_campaign(public_world.campaign.slug)
    ask = public.public_ask(campaign, public_world.report.public_id)
    assert [item.title for item in public.ask_evidence(campaign, ask)] == ["OHCHR assessment"]


def test_progress_rolls_up_weights_and_leaves_withdrawn_out(public_world):
    campaign = public.published_campaign(public_world.campaign.slug)
    progress = public.progress(public.campaign_asks(campaign))
    weights = {segment.status: segment.weight for segment in progress.segments}
    # report: in progress, weight 2; release: met; fresh: open; dropped: withdrawn, left out.
    assert progress.total_weight == 4
    assert weights == {"met": 1, "partially_met": 0, "in_progress": 2, "open": 1, "not_met": 0}
    assert [round(segment.share) for segment in progress.segments] == [25, 0, 50, 25, 0]


def test_asks_are_grouped_by_target(public_world):
    campaign = public.published_campaign(public_world.campaign.slug)
    groups = public.asks_by_target(public.campaign_asks(campaign))
    assert [(name, len(asks)) for name, _, asks in groups] == [
        ("Permanent Mission of China", 1),
        ("UN High Commissioner for Human Rights", 3),
    ]


def test_the_sitemap_lists_only_indexable_campaigns_and_their_public_asks(public_world, lead):
    assert public.sitemap_entries() == []  # indexing not allowed
    publishing.campaign_publish(
        campaign=public_world.campaign, actor=lead, public_title="T", public_summary="", allow_indexing=True
    )
    paths = {path for path, _ in public.sitemap_entries()}
    slug = public_world.campaign.slug
    assert paths == {f"/p/{slug}/"} | {
        f"/p/{slug}/{ask.public_id}/"
        for ask in (public_world.report, public_world.release, public_world.dropped, public_world.fresh)
    }


def test_what_leaves_the_module_holds_public_fields_only(public_world):
    campaign = public.published_campaign(public_world.campaign.slug)
    ask = public.campaign_asks(campaign)[0]
    # Plain values, no model instances: nothing to follow to an owner or a note.
    for value in (*vars(campaign).values(), *vars(ask).values()):
        assert not hasattr(value, "_meta"), value
