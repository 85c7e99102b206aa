"""Existing evidence gets the canonical form and kind of its reference, as
``Evidence.read_reference`` sets them on every save from now on; and, on
PostgreSQL, a trigram index for searching part of a canonical symbol (as
0004 does for the typed reference)."""

from django.db import migrations

from campaign import un_symbols

BATCH = 500


def fill_canonical_references(apps, schema_editor):
    Evidence = apps.get_model("campaign", "Evidence")
    rows = Evidence.objects.exclude(reference="").only("id", "reference").order_by("id")
    changed = []
    for evidence in rows.iterator(chunk_size=BATCH):
        parsed = un_symbols.parse(evidence.reference)
        evidence.reference_canonical, evidence.reference_kind = parsed.canonical[:120], parsed.kind
        changed.append(evidence)
        if len(changed) >= BATCH:
            Evidence.objects.bulk_update(changed, ["reference_canonical", "reference_kind"])
            changed = []
    Evidence.objects.bulk_update(changed, ["reference_canonical", "reference_kind"])


def create_trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS evidence_canonical_trgm ON campaign_evidence "
        "USING gin (UPPER(reference_canonical) gin_trgm_ops)"
    )


def drop_trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS evidence_canonical_trgm")


class Migration(migrations.Migration):
    dependencies = [("campaign", "0008_evidence_reference_canonical")]

    operations = [
        migrations.RunPython(fill_canonical_references, migrations.RunPython.noop, elidable=True),
        migrations.RunPython(create_trigram_index, drop_trigram_index, elidable=False),
    ]
