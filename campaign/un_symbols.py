"""UN document symbols and Special Procedures communication references.

The whole grammar lives here, in pure functions with no database and no
network: ``parse`` turns what a person typed into a ``Reference`` of one of
three kinds, with its canonical form; ``find_references`` finds them in free
text (an ask's wording, notes, evidence summaries) for the pages to link.

A UN document symbol is slash-separated components::

    series / body… / document type / session / country / number / modifiers (year)
    A      / HRC    / RES           / 50      /         / 13
    CERD   / C      /               /         / CHN     / CO/14-17
    CEDAW  / C      /               /         / CHN     / CO/7-8 / Add.1
    S      / RES    / 2334 (2016)

Canonical form: upper case except the modifiers (``Add.1``, ``Rev.2``,
``Corr.1``, ``Amend.1``), no spaces inside, ASCII hyphens, and a bracketed
year or Roman session after one space (``S/RES/2334 (2016)``, ``A/RES/491 (V)``).

A Special Procedures communication reference is a type (AL: allegation letter,
UA: urgent appeal, OL: other letter; J…: joint), a three-letter country code
(OTH for non-State actors), and ``number/year``: ``AL CHN 5/2021``. Older
references have no type: ``CHN 13/2018``.

Existence is never checked: the UN's document system answers 200 even for a
symbol it does not hold, and the machine may be offline.
"""

import re
import unicodedata
from dataclasses import dataclass

UN_SYMBOL = "un_symbol"
COMMUNICATION = "communication"
OTHER = "other"

# Document series: the principal organs, the Secretariat and the treaty bodies
# (whose symbols start with their own name). E/C.12 and E/CN.4 are series E.
SERIES = frozenset(
    {
        "A",
        "S",
        "E",
        "ST",
        "CCPR",
        "CERD",
        "CEDAW",
        "CAT",
        "CRC",
        "CMW",
        "CRPD",
        "CED",
        "HRI",
        "SPT",
        "TD",
        "DP",
        "UNEP",
        "ICEF",
        "UNW",
    }
)
MODIFIERS = {"ADD": "Add", "REV": "Rev", "CORR": "Corr", "AMEND": "Amend"}
# Document types, bare (``RES``) or numbered (``L.6``, ``PV.3``, ``CRP.1``).
DOCUMENT_TYPES = frozenset(
    {"RES", "DEC", "PRST", "L", "PV", "CRP", "SR", "INF", "WP", "NGO", "CO", "Q", "R", "PRES", "OP", "LOI"}
)
# Three-letter components that are bodies or types, never a country.
NOT_COUNTRIES = frozenset({"HRC", "RES", "DEC", "CRP", "INF", "NGO", "SPT", "LOI", "OPT", "GEN", "SUB", "AC"})
COMMUNICATION_TYPES = ("AL", "UA", "OL", "JAL", "JUA", "JOL")

# Characters people paste from word processors and right-to-left text.
_DASHES = dict.fromkeys(map(ord, "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"), "-")
_SLASHES = dict.fromkeys(map(ord, "\u2044\u2215\u29f8"), "/")
_INVISIBLE = dict.fromkeys(
    map(ord, "\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\ufeff")
)

_COMPONENT = r"[A-Z0-9]+(?:[.\-][A-Z0-9]+)*"
_MODIFIER = r"(?:ADD|REV|CORR|AMEND)\.[0-9]+"
_YEAR = r"(?:1[0-9]{3}|20[0-9]{2}|[IVXLC]+)"
_SYMBOL_RE = re.compile(rf"(?P<series>[A-Z]+)(?P<rest>(?:/{_COMPONENT})+)(?: ?\((?P<year>{_YEAR})\))?")
_COMMUNICATION_RE = re.compile(
    rf"(?:(?P<type>{'|'.join(COMMUNICATION_TYPES)}) )?(?P<country>[A-Z]{{3}}) (?P<number>[0-9]{{1,4}})/(?P<year>[0-9]{{4}})"
)
_COUNTRY_RE = re.compile(r"[A-Z]{3}(?:-[A-Z]{3})?")
_SESSION_RE = re.compile(r"(?:S-)?[0-9]+")


@dataclass(frozen=True)
class Reference:
    """What ``parse`` read. ``canonical`` is empty for ``OTHER``."""

    kind: str
    text: str
    canonical: str = ""
    components: tuple[str, ...] = ()
    year: str = ""

    @property
    def is_un_symbol(self) -> bool:
        return self.kind == UN_SYMBOL

    @property
    def is_communication(self) -> bool:
        return self.kind == COMMUNICATION

    @property
    def is_recognised(self) -> bool:
        return self.kind != OTHER

    @property
    def series(self) -> str:
        return self.components[0] if self.is_un_symbol else ""

    @property
    def modifiers(self) -> tuple[str, ...]:
        return tuple(part for part in self.components if part.split(".")[0].upper() in MODIFIERS)

    @property
    def country(self) -> str:
        """The country component (``CHN``, ``CHN-HKG``), or the communication's country."""
        if self.is_communication:
            return self.components[1]
        for part in self.components[1:]:
            if _COUNTRY_RE.fullmatch(part) and part.split("-")[0] not in NOT_COUNTRIES:
                return part
        return ""

    @property
    def document_type(self) -> str:
        """``RES``, ``L.``, ``PV.``, ``CRP.``, ``CO``… as the symbol's reader names it."""
        for part in self.components[1:]:
            head, dot, _ = part.partition(".")
            if head in DOCUMENT_TYPES and (dot or "." not in part):
                return f"{head}{dot}"
        return ""

    @property
    def session(self) -> str:
        """``51`` in A/HRC/51/L.6, ``S-37`` in a special session's: a number
        before the country, never the last component (that one numbers the
        document: S/RES/2334, E/C.12/CHN/Q/3)."""
        if not self.is_un_symbol:
            return ""
        for part in self.components[1:-1]:
            if part == self.country:
                return ""
            if _SESSION_RE.fullmatch(part):
                return part
        return ""


def clean_text(text: str) -> str:
    """What every reading starts from: full-width and compatibility characters
    folded (NFKC), Unicode dashes and slashes made ASCII, invisible direction
    marks dropped, runs of white space made one space, ends trimmed."""
    # Invisible marks go first, so what they separated composes like the rest.
    text = unicodedata.normalize("NFKC", (text or "").translate(_INVISIBLE))
    text = text.translate(_DASHES).translate(_SLASHES)
    return " ".join(text.split())


def _squeeze(text: str) -> str:
    """Upper case, no spaces around ``/``, ``-`` or after ``.``, one before ``(``."""
    text = clean_text(text).upper()
    text = re.sub(r" ?([/\-]) ?", r"\1", text)
    text = re.sub(r"\. (?=[0-9A-Z])", ".", text)
    return re.sub(r" ?\(", " (", text)


def _component(part: str) -> str:
    head, dot, number = part.partition(".")
    if head in MODIFIERS and dot:
        return f"{MODIFIERS[head]}.{number}"
    return part


def _parse_symbol(text: str) -> Reference | None:
    match = _SYMBOL_RE.fullmatch(text)
    if match is None or match["series"] not in SERIES:
        return None
    parts = [match["series"], *match["rest"][1:].split("/")]
    # A document has a number somewhere; "A/HRC" or "S/RES" alone name no document.
    if not any(character.isdigit() for character in match["rest"]):
        return None
    # Two components only for the Security Council's old numbered series (S/25704).
    if len(parts) < 3 and not (parts[0] == "S" and parts[1].isdigit()):
        return None
    modifier_at = [i for i, part in enumerate(parts) if re.fullmatch(_MODIFIER, part)]
    # Modifiers come last, after at least series, body and number.
    if modifier_at and (modifier_at != list(range(modifier_at[0], len(parts))) or modifier_at[0] < 3):
        return None
    components = tuple(_component(part) for part in parts)
    year = match["year"] or ""
    canonical = "/".join(components) + (f" ({year})" if year else "")
    return Reference(UN_SYMBOL, text="", canonical=canonical, components=components, year=year)


def _parse_communication(text: str) -> Reference | None:
    match = _COMMUNICATION_RE.fullmatch(text)
    if match is None:
        return None
    number = str(int(match["number"]))
    kind = match["type"] or ""
    canonical = f"{kind + ' ' if kind else ''}{match['country']} {number}/{match['year']}"
    return Reference(
        COMMUNICATION, text="", canonical=canonical, components=(kind, match["country"], number), year=match["year"]
    )


def parse(text: str) -> Reference:
    """Read ``text`` as a UN symbol, a communication reference, or neither.
    Never raises: anything that is not one of the first two is ``OTHER``."""
    raw = text or ""
    if len(raw) > 500:  # no reference is this long; do not spend time on it
        return Reference(OTHER, text=raw)
    squeezed = _squeeze(raw)
    found = _parse_symbol(squeezed) or _parse_communication(squeezed)
    if found is None:
        return Reference(OTHER, text=raw)
    return Reference(found.kind, text=raw, canonical=found.canonical, components=found.components, year=found.year)


def normalise(text: str) -> str:
    """The canonical form of a symbol or reference; anything else cleaned
    (``clean_text``) but otherwise kept as typed. Normalising twice changes nothing."""
    reference = parse(text)
    return reference.canonical if reference.is_recognised else clean_text(text)


def search_key(text: str) -> str:
    """What to look for among canonical forms for a search box's ``text``: its
    canonical form when it is a whole symbol, else its squeezed form, so that
    part of a sloppily typed symbol (``cerd / c / chn``) still matches."""
    reference = parse(text)
    return reference.canonical if reference.is_recognised else _squeeze(text)


# --- In free text --------------------------------------------------------------------

_TEXT_COMPONENT = r"[A-Za-z0-9]+(?:[.\-\u2010-\u2015][A-Za-z0-9]+)*"
# Series in capitals, as documents write them: "and/or/2" is not a symbol. A
# symbol cut short by truncation ("A/HRC/51/L…") is not one either.
_TEXT_SYMBOL_RE = re.compile(
    rf"(?<![\w/.\-])(?:{'|'.join(sorted(SERIES, key=len, reverse=True))})(?:/{_TEXT_COMPONENT})+"
    rf"(?: ?\((?:1[0-9]{{3}}|20[0-9]{{2}}|[IVXLC]+)\))?(?![\w/…])"
)
# In running text only with a type: a bare "ABC 10/2020" is too often something else.
_TEXT_COMMUNICATION_RE = re.compile(
    rf"(?<![\w\-])(?:{'|'.join(COMMUNICATION_TYPES)}) [A-Z]{{3}} [0-9]{{1,4}}/[0-9]{{4}}(?![\w/…])"
)


@dataclass(frozen=True)
class Found:
    start: int
    end: int
    reference: Reference


def find_references(text: str) -> list[Found]:
    """The symbols and communication references in ``text``, in order, with
    their offsets in ``text`` itself (no characters are folded first)."""
    found = []
    for pattern in (_TEXT_SYMBOL_RE, _TEXT_COMMUNICATION_RE):
        for match in pattern.finditer(text or ""):
            reference = parse(match.group())
            if reference.is_recognised:
                found.append(Found(match.start(), match.end(), reference))
    found.sort(key=lambda item: item.start)
    # Overlaps cannot happen between the two shapes, but keep the first if they ever do.
    kept: list[Found] = []
    for item in found:
        if not kept or item.start >= kept[-1].end:
            kept.append(item)
    return kept
