"""People at risk: the one rule that decides which name a surface shows, and
the matching the name guard (``services``) uses.

A leaked name can put a defender in danger (reprisals against people who
cooperate with the UN are reported every year), so a real name appears on two
surfaces only: the ask page and the person's own page, to the campaign's
editors and leads, and to its viewers when the person is at no known risk and
agreed to be named. Everywhere else, the pseudonym.
"""

import enum
import re
import unicodedata

from campaign.models import NEED_RANK, ROLE_RANK, Person


class Surface(enum.StrEnum):
    ASK_PAGE = "ask page"
    PERSON_PAGE = "person page"
    PEOPLE_LIST = "people list"
    EMAIL = "email"
    EXPORT = "export"
    TRANSFER = "transfer file"
    CALENDAR = "calendar"
    ADMIN_LIST = "admin list"
    LOG = "log"


# The only surfaces that ever show a real name.
NAMED_SURFACES = frozenset({Surface.ASK_PAGE, Surface.PERSON_PAGE})


def person_display_name(person: Person, *, role: str | None, surface: Surface) -> str:
    """The name ``surface`` shows of ``person`` to someone with ``role`` in the
    person's campaign (None: not a member, which superusers browsing pages are)."""
    if surface not in NAMED_SURFACES or role is None:
        return person.pseudonym
    if ROLE_RANK[role] >= NEED_RANK["edit"]:
        return person.name
    if person.risk == Person.Risk.NONE and person.consent != Person.Consent.NONE:
        return person.name
    return person.pseudonym


def shows_real_name(person: Person, *, role: str | None, surface: Surface) -> bool:
    return person_display_name(person, role=role, surface=surface) != person.pseudonym


# --- Matching for the name guard ----------------------------------------------

_SEPARATORS = re.compile(r"[\W_]+")


def normalise(text: str) -> str:
    """Text as the guard compares it: NFKC folds full-width letters and
    compatibility forms (Ⅸ is IX), casefold folds case (ß is ss), and every run
    of spaces and punctuation is one space, so "Ilham-Tohti" matches "Ilham Tohti"."""
    folded = unicodedata.normalize("NFKC", text or "").casefold()
    return _SEPARATORS.sub(" ", folded).strip()


def _pattern(spelling: str) -> re.Pattern | None:
    name = normalise(spelling)
    if not name:
        return None
    # Latin-script ends need a word boundary ("Li" must not match "police");
    # Chinese or Tibetan names are written without spaces, so they match anywhere.
    start = r"(?<![^\W\d_])" if name[0].isascii() else ""
    end = r"(?![^\W\d_])" if name[-1].isascii() else ""
    return re.compile(start + re.escape(name) + end)


def people_named_in(text: str, people) -> list[Person]:
    """Those of ``people`` whose name or one of whose other spellings ``text`` contains."""
    haystack = normalise(text)
    if not haystack:
        return []
    named = []
    for person in people:
        patterns = (_pattern(spelling) for spelling in person.spellings)
        if any(pattern and pattern.search(haystack) for pattern in patterns):
            named.append(person)
    return named


def names_replaced(text: str, people) -> str:
    """``text`` with every spelling of ``people``'s names replaced by their
    pseudonym, matched as ``people_named_in`` matches (width, case, and any run
    of spaces or punctuation between the words). The text comes back in NFKC.
    Callers check the result with ``people_named_in`` again: a fold that
    ``re.IGNORECASE`` does not make (ß and ss) is caught there."""
    result = unicodedata.normalize("NFKC", text or "")
    for person in people:
        for spelling in person.spellings:
            words = normalise(spelling).split()
            if not words:
                continue
            start = r"(?<![^\W\d_])" if words[0][0].isascii() else ""
            end = r"(?![^\W\d_])" if words[-1][-1].isascii() else ""
            pattern = start + r"[\W_]+".join(re.escape(word) for word in words) + end
            result = re.sub(pattern, person.pseudonym, result, flags=re.IGNORECASE)
    return result
