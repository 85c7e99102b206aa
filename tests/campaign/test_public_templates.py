"""Every name and attribute each public template can reach (issue 20). The
public templates share nothing with the staff pages, and read only the
dataclasses of campaign.public; this test fails when one reaches further."""

from pathlib import Path

import pytest
from django.template import engines
from jinja2 import nodes

PUBLIC_TEMPLATES = Path(__file__).resolve().parents[2] / "templates" / "public"

# What the views put in the context, and the macros' own arguments and loop variables.
ALLOWED_NAMES = {
    "site_url", "canonical", "campaign", "ask", "updates", "evidence", "outcome", "signatories",
    "progress", "asks_by_target", "meta", "p", "static", "loop",
    # macro arguments and loop variables
    "title", "description", "id", "heading_level", "link_target", "segment", "target_name", "target_kind",
    "asks", "update", "item", "name",
    # the suggestion form's page (suggest.html): what the submitter typed, and the form's token
    "values", "errors", "notice", "sent", "token",
}  # fmt: skip
# The attributes they read, each a public field or property of campaign.public's dataclasses.
ALLOWED_ATTRIBUTES = {
    # PublicCampaign
    "title", "summary", "allow_indexing", "published_at", "url", "feed_url",
    # PublicAsk
    "public_id", "wording", "target_name", "target_kind", "source_title", "source_url", "source_date",
    "deadline", "status", "status_label", "suggest_url",
    # PublicUpdate
    "note", "anchor",
    # PublicEvidence
    "kind", "reference", "reference_url", "published_on",
    # Progress and its segments
    "segments", "count", "weight", "share", "offset", "label",
    # outcome (issue 19's slot)
    "text", "evidence_public",
    # dates, the loop, the imported macros
    "isoformat", "index", "sharing", "bar", "asks_list",
    # the suggestion form's own fields (values and errors), besides text and url
    "date", "email",
}  # fmt: skip
# Never on a public page, whatever a dataclass might grow.
FORBIDDEN = {"version", "campaign_id", "ask_id", "owner", "author", "user", "request", "csrf_input", "csrf_token"}


def _parsed(path: Path):
    environment = engines["public"].env
    return environment.parse(path.read_text())


def _reached(path: Path) -> tuple[set[str], set[str]]:
    tree = _parsed(path)
    names = {node.name for node in tree.find_all(nodes.Name)}
    attributes = {node.attr for node in tree.find_all(nodes.Getattr)}
    # ``x["key"]`` reaches as far as ``x.key`` does.
    attributes |= {node.arg.value for node in tree.find_all(nodes.Getitem) if isinstance(node.arg, nodes.Const)}
    return names, attributes


def test_there_are_public_templates_and_none_is_shared_with_the_staff_pages():
    names = {path.name for path in PUBLIC_TEMPLATES.glob("*.html")}
    assert {"base.html", "campaign.html", "ask.html", "embed.html", "404.html", "suggest.html"} <= names
    for path in PUBLIC_TEMPLATES.glob("*.html"):
        tree = _parsed(path)
        for node in [*tree.find_all(nodes.Extends), *tree.find_all(nodes.Import), *tree.find_all(nodes.Include)]:
            assert (PUBLIC_TEMPLATES / node.template.value).exists(), (path.name, node.template.value)


@pytest.mark.parametrize("path", sorted(PUBLIC_TEMPLATES.glob("*.html")), ids=lambda path: path.name)
def test_each_public_template_reaches_only_public_fields(path):
    names, attributes = _reached(path)
    assert names <= ALLOWED_NAMES, names - ALLOWED_NAMES
    assert attributes <= ALLOWED_ATTRIBUTES, attributes - ALLOWED_ATTRIBUTES
    assert not (names | attributes) & FORBIDDEN


def test_the_allow_list_is_made_of_the_dataclasses_public_fields():
    from campaign import public

    declared = set()
    for cls in (public.PublicCampaign, public.PublicAsk, public.PublicUpdate, public.PublicEvidence):
        declared |= {name for name in dir(cls) if not name.startswith("_")}
        declared |= set(cls.__dataclass_fields__)
    declared |= set(public.Progress.__dataclass_fields__) | set(public.ProgressSegment.__dataclass_fields__)
    template_only = {"text", "evidence_public", "isoformat", "index", "sharing", "bar", "asks_list", "date", "email"}
    assert ALLOWED_ATTRIBUTES - template_only <= declared
    assert not ALLOWED_ATTRIBUTES & FORBIDDEN


def test_a_template_reaching_an_internal_field_would_fail(tmp_path):
    rogue = tmp_path / "rogue.html"
    rogue.write_text("{{ ask.ask_id }} {{ campaign.version }}")
    _, attributes = _reached(rogue)
    assert not attributes <= ALLOWED_ATTRIBUTES
