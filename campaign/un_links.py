"""Links to the UN for document symbols and Special Procedures references.

Every link is built from a canonical form (``campaign.un_symbols``), never from
the text as typed, and through the URL templates in settings. Nothing here
calls the UN: the document system answers 200 even for a symbol it does not
hold, so existence is not checked.
"""

from urllib.parse import quote

from django.conf import settings
from markupsafe import Markup, escape

from campaign import un_symbols

# The symbol reads left to right inside right-to-left text; <bdi> isolates it.
LINK = Markup('<bdi dir="ltr"><a href="{url}" class="un-ref" rel="noopener noreferrer">{text}</a></bdi>')


def reference_url(kind: str, canonical: str) -> str:
    """The URL for a canonical symbol or reference; "" for anything else."""
    if not canonical:
        return ""
    quoted = quote(canonical, safe="/()")
    if kind == un_symbols.UN_SYMBOL:
        return settings.UN_DOCUMENT_URL.format(symbol=quoted, reference=quoted)
    if kind == un_symbols.COMMUNICATION:
        return settings.UN_COMMUNICATION_URL.format(symbol=quoted, reference=quoted)
    return ""


def evidence_reference_url(evidence) -> str:
    return reference_url(evidence.reference_kind, evidence.reference_canonical)


def reference_link(evidence) -> Markup:
    """An evidence item's reference: a link when it is a symbol or a
    communication (showing the canonical form), else the typed text, escaped."""
    url = evidence_reference_url(evidence)
    if not url:
        return escape(evidence.reference)
    return LINK.format(url=url, text=evidence.reference_canonical)


def link_references(text) -> Markup:
    """``text`` escaped, then each symbol or communication reference in it
    wrapped in a link to its canonical form's URL. The matches are found in
    the escaped text (no symbol contains a character escaping changes), so no
    raw text ever reaches the markup."""
    escaped = escape(text or "")  # Markup: its slices stay Markup, already escaped
    pieces, position = [], 0
    for found in un_symbols.find_references(str(escaped)):
        url = reference_url(found.reference.kind, found.reference.canonical)
        pieces.append(escaped[position : found.start])
        pieces.append(LINK.format(url=url, text=escaped[found.start : found.end]))
        position = found.end
    pieces.append(escaped[position:])
    return Markup("").join(pieces)


def reference_urls_in(text: str) -> list[str]:
    """The URLs of the symbols and references in ``text``, once each, in order (for exports)."""
    urls = (reference_url(item.reference.kind, item.reference.canonical) for item in un_symbols.find_references(text))
    return list(dict.fromkeys(urls))
