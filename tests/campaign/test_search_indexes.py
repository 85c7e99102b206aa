"""The ask search's trigram indexes (PostgreSQL only, migration 0004): their
expressions must be exactly what Django's ``icontains`` writes, or PostgreSQL
never uses them and every search reads every ask and piece of evidence."""

import pytest
from django.db import connection

from campaign.models import Ask, Evidence

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="pg_trgm indexes are made only on PostgreSQL; CI runs this there"
)


def _plan(queryset) -> str:
    sql, params = queryset.order_by().query.sql_with_params()
    with connection.cursor() as cursor:
        # A test database holds next to no rows, which PostgreSQL would rather
        # read whole or walk along some other index; forbidding both shows
        # whether an index can find the matching rows itself.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


@pytest.mark.parametrize(
    ("search", "index"),
    [
        # all_objects: without the live-rows condition, whose partial indexes
        # would otherwise serve an empty table just as well.
        (lambda: Ask.all_objects.filter(title__icontains="Xinjiang"), "ask_title_trgm"),
        (lambda: Ask.all_objects.filter(wording__icontains="Xinjiang"), "ask_wording_trgm"),
        (lambda: Evidence.all_objects.filter(reference__icontains="CHN 13/2018"), "evidence_reference_trgm"),
    ],
)
def test_a_search_by_words_reads_through_its_trigram_index(db, search, index):
    assert f"Bitmap Index Scan on {index}" in _plan(search())
