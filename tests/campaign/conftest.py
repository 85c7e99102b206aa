"""A published campaign with every kind of thing that must stay off its public
pages, shared by the public tracker's tests (issue 20). Every string in
``SECRETS`` is internal and must appear on no public URL."""

from types import SimpleNamespace

import pytest

from campaign import publishing, services
from campaign.models import AskStatus, Evidence
from tests.factories import AskFactory, CampaignFactory, EvidenceFactory, TargetFactory

SECRETS = (
    "INTERNAL-WORDING-SECRET",
    "INTERNAL-TITLE-SECRET",
    "INTERNAL-NOTE-SECRET",
    "UNPUBLISHED-ASK-SECRET",
    "DELETED-ASK-SECRET",
    "INTERNAL-EVIDENCE-SECRET",
    "CONFIDENTIAL-EVIDENCE-SECRET",
    "WITHDRAWN-NOTE-SECRET",
    "INTERNAL-OUTCOME-EVIDENCE-SECRET",
    "INTERNAL-RATIONALE-SECRET",
    "OTHER-CAMPAIGN-SECRET",
    "STAFF-CAMPAIGN-TITLE-SECRET",
    "Owner Secretname",
    "lead@example.org",
)


@pytest.fixture
def public_world(campaign, lead, editor, target):
    campaign.title = "STAFF-CAMPAIGN-TITLE-SECRET"
    campaign.save()
    editor.full_name = "Owner Secretname"
    editor.save()
    state = TargetFactory(name="Permanent Mission of China", kind="state")
    publishing.campaign_publish(
        campaign=campaign,
        actor=lead,
        public_title="Follow-up of the OHCHR assessment",
        public_summary="What we asked of the UN and of China.",
        allow_indexing=False,
    )

    def published_ask(title, wording, *, target=target, weight=1, status=AskStatus.IN_PROGRESS):
        ask = AskFactory(campaign=campaign, target=target, owner=editor, title=title, wording="INTERNAL-WORDING-SECRET")
        if status:
            # An internal outcome: what it rests on and why stay off the public pages.
            basis = EvidenceFactory(campaign=campaign, title="INTERNAL-OUTCOME-EVIDENCE-SECRET", asks=[ask])
            services.ask_change_status(
                ask=ask,
                new_status=AskStatus.MET,
                author=lead,
                note="INTERNAL-NOTE-SECRET",
                evidence=basis,
                response="supported",
                rationale="INTERNAL-RATIONALE-SECRET: the reply met every part of the ask, as the team judged in its review.",
            )
        publishing.ask_publish(
            ask=ask, actor=lead, public_wording=wording, public_weight=weight, public_source_title="Joint statement"
        )
        return ask

    report = published_ask("INTERNAL-TITLE-SECRET", "Publish the assessment now.", weight=2)
    publishing.update_publish(
        ask=report, actor=lead, public_status=AskStatus.IN_PROGRESS, public_note="Raised in Geneva."
    )
    withdrawn_update = publishing.update_publish(
        ask=report, actor=lead, public_status=AskStatus.NOT_MET, public_note="WITHDRAWN-NOTE-SECRET"
    )
    publishing.update_unpublish(update=withdrawn_update, actor=lead)
    release = published_ask("Release", "Release the detained lawyers.", target=state)
    publishing.update_publish(ask=release, actor=lead, public_status=AskStatus.MET, public_note="They were released.")
    dropped = published_ask("Dropped", "Hold a special session.")
    publishing.update_publish(ask=dropped, actor=lead, public_status=AskStatus.WITHDRAWN, public_note="Dropped.")
    fresh = published_ask("Fresh", "Answer our letter.", status=None)  # no published update: "open"

    unpublished = AskFactory(
        campaign=campaign, target=target, wording="UNPUBLISHED-ASK-SECRET", title="UNPUBLISHED-ASK-SECRET"
    )
    deleted = published_ask("DELETED-ASK-SECRET", "DELETED-ASK-SECRET")
    services.ask_soft_delete(ask=deleted, author=lead)

    public_evidence = EvidenceFactory(
        campaign=campaign,
        title="OHCHR assessment",
        reference="A/HRC/51/47",
        url="https://www.ohchr.org/assessment",
        sensitivity=Evidence.Sensitivity.PUBLIC,
        asks=[report],
    )
    EvidenceFactory(campaign=campaign, title="INTERNAL-EVIDENCE-SECRET", asks=[report])
    EvidenceFactory(
        campaign=campaign,
        title="CONFIDENTIAL-EVIDENCE-SECRET",
        sensitivity=Evidence.Sensitivity.CONFIDENTIAL,
        asks=[report],
    )

    other = CampaignFactory(slug="other-private", title="OTHER-CAMPAIGN-SECRET")
    other_ask = AskFactory(campaign=other, target=target, wording="OTHER-CAMPAIGN-SECRET")
    other_ask.published, other_ask.public_id, other_ask.public_wording = True, "zzzzzzzz", "OTHER-CAMPAIGN-SECRET"
    other_ask.save()

    campaign.refresh_from_db()
    for ask in (report, release, dropped, fresh, unpublished, deleted):
        ask.refresh_from_db()
    return SimpleNamespace(
        campaign=campaign,
        report=report,
        release=release,
        dropped=dropped,
        fresh=fresh,
        unpublished=unpublished,
        deleted=deleted,
        public_evidence=public_evidence,
        other=other,
        other_ask=other_ask,
    )


def public_urls(world) -> list[str]:
    slug = world.campaign.slug
    return [
        f"/p/{slug}/",
        f"/p/{slug}/embed/",
        f"/p/{slug}/feed.atom",
        *(f"/p/{slug}/{ask.public_id}/" for ask in (world.report, world.release, world.dropped, world.fresh)),
        "/sitemap.xml",
    ]
