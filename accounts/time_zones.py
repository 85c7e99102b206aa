"""The time zones people pick from: the tz database's canonical Area/Location
names, without the ~180 aliases Python also knows (US/Eastern, Etc/GMT+5,
Asia/Calcutta), so the list has one entry per place."""

import functools
import re
import zoneinfo

# The tz database's geographic areas (zone.tab's third column), and UTC.
AREA_NAME = re.compile(r"^(Africa|America|Antarctica|Arctic|Asia|Atlantic|Australia|Europe|Indian|Pacific)/[A-Za-z]")
EXTRA_NAMES = frozenset({"UTC"})

# Names inside those areas that the tz database keeps only for old data (its
# "backward" file): renamed cities (Asia/Calcutta is Asia/Kolkata, Europe/Kiev is
# Europe/Kyiv) and merged or state-named zones. With these out, the list is
# zone.tab's one or more zones per country. Still accepted when typed or stored.
LEGACY_NAMES = frozenset(
    {
        "Africa/Asmera",
        "Africa/Timbuktu",
        "America/Argentina/ComodRivadavia",
        "America/Atka",
        "America/Buenos_Aires",
        "America/Catamarca",
        "America/Coral_Harbour",
        "America/Cordoba",
        "America/Ensenada",
        "America/Fort_Wayne",
        "America/Godthab",
        "America/Indianapolis",
        "America/Jujuy",
        "America/Knox_IN",
        "America/Louisville",
        "America/Mendoza",
        "America/Montreal",
        "America/Nipigon",
        "America/Pangnirtung",
        "America/Porto_Acre",
        "America/Rainy_River",
        "America/Rosario",
        "America/Santa_Isabel",
        "America/Shiprock",
        "America/Thunder_Bay",
        "America/Virgin",
        "America/Yellowknife",
        "Antarctica/South_Pole",
        "Asia/Ashkhabad",
        "Asia/Calcutta",
        "Asia/Choibalsan",
        "Asia/Chongqing",
        "Asia/Chungking",
        "Asia/Dacca",
        "Asia/Harbin",
        "Asia/Istanbul",
        "Asia/Kashgar",
        "Asia/Katmandu",
        "Asia/Macao",
        "Asia/Rangoon",
        "Asia/Saigon",
        "Asia/Tel_Aviv",
        "Asia/Thimbu",
        "Asia/Ujung_Pandang",
        "Asia/Ulan_Bator",
        "Atlantic/Faeroe",
        "Atlantic/Jan_Mayen",
        "Australia/ACT",
        "Australia/Canberra",
        "Australia/Currie",
        "Australia/LHI",
        "Australia/NSW",
        "Australia/North",
        "Australia/Queensland",
        "Australia/South",
        "Australia/Tasmania",
        "Australia/Victoria",
        "Australia/West",
        "Australia/Yancowinna",
        "Europe/Belfast",
        "Europe/Kiev",
        "Europe/Nicosia",
        "Europe/Tiraspol",
        "Europe/Uzhgorod",
        "Europe/Zaporozhye",
        "Pacific/Enderbury",
        "Pacific/Johnston",
        "Pacific/Ponape",
        "Pacific/Samoa",
        "Pacific/Truk",
        "Pacific/Yap",
    }
)


@functools.cache
def available_zone_names() -> frozenset[str]:
    # A directory walk: once per process.
    return frozenset(zoneinfo.available_timezones())


@functools.cache
def canonical_zone_names() -> tuple[str, ...]:
    """The names the picker offers, sorted."""
    return tuple(
        sorted(
            name
            for name in available_zone_names()
            if (AREA_NAME.match(name) and name not in LEGACY_NAMES) or name in EXTRA_NAMES
        )
    )


@functools.cache
def zone_suggestions() -> tuple[tuple[str, str], ...]:
    """(name, label) of each canonical zone: the label reads "America/New York",
    so typing a city with a space finds it too."""
    return tuple((name, name.replace("_", " ")) for name in canonical_zone_names())


@functools.cache
def _by_folded_name() -> dict[str, str]:
    return {_fold(name): name for name in available_zone_names()}


def _fold(text: str) -> str:
    return text.strip().replace(" ", "_").casefold()


def zone_name_for(text: str) -> str | None:
    """The zone name ``text`` means, or None. Forgiving about what people type:
    case, and spaces for underscores ("america/new york"). Any name Python knows
    is accepted, aliases included, so a stored US/Eastern keeps working."""
    return _by_folded_name().get(_fold(text or ""))
