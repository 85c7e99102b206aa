"""Pages are built on every request from the database, so a change made behind
the app's back (a loaddata, a data migration, raw SQL) shows on the next view.
The page cache this replaced kept showing a viewer evidence that a loaddata had
made confidential."""

import json

from django.core.management import call_command
from django.db import connection

from campaign.models import Evidence
from tests.factories import EvidenceFactory


def test_evidence_made_confidential_by_loaddata_disappears_from_the_viewers_next_page(client, viewer, ask, tmp_path):
    item = EvidenceFactory(campaign=ask.campaign, asks=[ask], title="Minutes of the meeting", sensitivity="internal")
    client.force_login(viewer)
    assert "Minutes of the meeting" in client.get(ask.get_absolute_url()).content.decode()

    fixture = tmp_path / "evidence.json"
    call_command("dumpdata", "campaign.evidence", f"--pks={item.pk}", output=str(fixture))
    rows = json.loads(fixture.read_text())
    rows[0]["fields"]["sensitivity"] = Evidence.Sensitivity.CONFIDENTIAL
    fixture.write_text(json.dumps(rows))
    call_command("loaddata", str(fixture), verbosity=0)

    assert "Minutes of the meeting" not in client.get(ask.get_absolute_url()).content.decode()


def test_a_title_changed_by_raw_sql_shows_on_the_next_view(client, viewer, ask):
    client.force_login(viewer)
    client.get(ask.get_absolute_url())
    with connection.cursor() as cursor:
        cursor.execute("UPDATE campaign_ask SET title = %s WHERE id = %s", ["Renamed behind the app's back", ask.pk])
    for url in (ask.get_absolute_url(), "/asks/", f"/campaigns/{ask.campaign.slug}/"):
        assert "Renamed behind the app&#39;s back" in client.get(url).content.decode(), url
