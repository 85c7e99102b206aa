"""An ask's signatories as one spreadsheet cell, written by the CSV exports
and read back by the admin's import:

    ISHR [lead drafter; 2022-05-28; public] | Amnesty International [co-signer; ; not public]

Organisations are named as they are in the tracker; the import does not
create them (a typo would make a second organisation)."""

import datetime
import re
from typing import NamedTuple

from campaign.models import Signature

SEPARATOR = " | "
ROLE_BY_TEXT = {label.lower(): value for value, label in Signature.Role.choices} | {
    value: value for value in Signature.Role.values
}
_ENTRY = re.compile(
    r"^(?P<name>[^\[\]|]+?)\s*\[(?P<role>[^;\]]+)(?:;\s*(?P<date>[^;\]]*))?(?:;\s*(?P<public>[^;\]]*))?\]$"
)


class SignatoryEntry(NamedTuple):
    organisation: str
    role: str
    signed_on: datetime.date | None
    public: bool


ROLE_ORDER = {value: index for index, value in enumerate(Signature.Role.values)}


def signatories_text(signatures) -> str:
    """The cell for ``signatures`` (saved or not), lead drafter first, then by name."""
    signatures = sorted(signatures, key=lambda s: (ROLE_ORDER.get(s.role, 9), s.organisation.name.casefold()))
    return SEPARATOR.join(
        f"{s.organisation.name} [{s.get_role_display().lower()}; "
        f"{s.signed_on.isoformat() if s.signed_on else ''}; {'public' if s.public else 'not public'}]"
        for s in signatures
    )


def parse_signatories(text: str) -> list[SignatoryEntry]:
    """The entries of a cell; ValueError naming the first entry that is not
    ``Name [role; YYYY-MM-DD; public]``."""
    entries = []
    for part in (text or "").split("|"):
        part = part.strip()
        if not part:
            continue
        match = _ENTRY.match(part)
        role = ROLE_BY_TEXT.get((match["role"] if match else "").strip().lower())
        if not match or role is None:
            raise ValueError(
                f"“{part}” is not a signatory as “Organisation [lead drafter|co-signer|endorser; YYYY-MM-DD; "
                "public|not public]”"
            )
        date_text = (match["date"] or "").strip()
        try:
            signed_on = datetime.date.fromisoformat(date_text) if date_text else None
        except ValueError:
            raise ValueError(f"“{date_text}” in “{part}” is not a date as YYYY-MM-DD") from None
        public_text = (match["public"] or "not public").strip().lower()
        if public_text not in ("public", "not public"):
            raise ValueError(f"“{public_text}” in “{part}” should be “public” or “not public”")
        entries.append(SignatoryEntry(match["name"].strip(), role, signed_on, public_text == "public"))
    return entries
