"""Trigram indexes for the ask search, on PostgreSQL.

The ask list searches an ask's title and wording and its evidence's reference
with ``icontains``, which Django writes as ``UPPER(column) LIKE UPPER('%word%')``.
A B-tree cannot serve a pattern that starts with a wildcard, so every search
read every ask and every piece of evidence of the campaigns in scope. pg_trgm's
GIN indexes on the same ``UPPER(...)`` expressions serve it (the bench's
filtered search: 11.3 -> 7.8 ms of queries).

PostgreSQL only, so not in the models' Meta: SQLite, the embedded default, has
no such index. pg_trgm is a trusted extension (PostgreSQL 13 and later): the
database's owner may create it.
"""

from django.db import migrations

INDEXES = {
    "ask_title_trgm": ("campaign_ask", "title"),
    "ask_wording_trgm": ("campaign_ask", "wording"),
    "evidence_reference_trgm": ("campaign_evidence", "reference"),
}


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, (table, column) in INDEXES.items():
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin (UPPER({column}) gin_trgm_ops)")


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("campaign", "0003_live_rows_indexes")]

    operations = [migrations.RunPython(create_indexes, drop_indexes, elidable=False)]
