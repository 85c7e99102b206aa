"""The UN symbol grammar, on every shape in shared/reference/un-calendar.md."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from campaign.un_symbols import COMMUNICATION, OTHER, UN_SYMBOL, find_references, normalise, parse, search_key

WELL_FORMED_SYMBOLS = [
    "A/HRC/51/L.6",
    "CERD/C/CHN/CO/14-17",
    "E/C.12/CHN/Q/3",
    "CEDAW/C/CHN/Q/9",
    "A/HRC/RES/50/13",
    "S/RES/2334 (2016)",
    "A/HRC/WG.6/45/CHN/1",
    "A/HRC/RES/S-37/1",
    "CEDAW/C/CHN/CO/7-8/Add.1",
    "A/RES/491 (V)",
    "A/78/PV.3",
    "CEDAW/C/CHN-HKG/9",
]
NOT_SYMBOLS = [
    "A/HRC/51/",
    "A//HRC/51",
    "A HRC 51 L.6",
    "A/HRC/51/L.6.",
    "https://docs.un.org/en/A/HRC/51/L.6",
    "https://undocs.org/A/HRC/51/L.6",
    "A/HRC",
    "and/or",
    "",
]
TYPED = [
    ("a / hrc / 51 / l. 6", "A/HRC/51/L.6"),
    ("S/RES/2334(2016)", "S/RES/2334 (2016)"),
    ("a/hrc/54/61/add.1", "A/HRC/54/61/Add.1"),
    ("Ａ／ＨＲＣ／５１／Ｌ.６", "A/HRC/51/L.6"),
    ("CERD/C/CHN/CO/14–17", "CERD/C/CHN/CO/14-17"),
    ("cerd/c/chn/co/14—17", "CERD/C/CHN/CO/14-17"),
    ("  A/HRC/51/L.6\u200f ", "A/HRC/51/L.6"),
    ("a/res/491 (v)", "A/RES/491 (V)"),
]
COMMUNICATIONS = ["CHN 13/2018", "AL CHN 5/2021", "OL CHN 18/2019", "UA CHN 1/2022", "JUA CHN 7/2013", "AL OTH 74/2022"]
NOT_COMMUNICATIONS = ["CHN 13/18", "AL CHN-5/2021", "AL CH 5/2021", "XX CHN 5/2021"]


@pytest.mark.parametrize("symbol", WELL_FORMED_SYMBOLS)
def test_well_formed_symbols_are_their_own_canonical_form(symbol):
    reference = parse(symbol)
    assert reference.kind == UN_SYMBOL
    assert reference.canonical == symbol


@pytest.mark.parametrize("text", NOT_SYMBOLS)
def test_shapes_that_are_not_symbols_are_kept_as_other(text):
    reference = parse(text)
    assert reference.kind == OTHER
    assert reference.canonical == ""
    assert reference.text == text


@pytest.mark.parametrize(("typed", "canonical"), TYPED)
def test_what_people_type_becomes_the_canonical_symbol(typed, canonical):
    assert parse(typed).canonical == canonical
    assert normalise(typed) == canonical


@pytest.mark.parametrize("reference", COMMUNICATIONS)
def test_special_procedures_references_are_a_second_kind(reference):
    parsed = parse(reference)
    assert parsed.kind == COMMUNICATION
    assert parsed.canonical == reference


def test_communication_references_normalise_case_spacing_and_leading_zeros():
    assert normalise("al  chn 05 / 2021") == "AL CHN 5/2021"


@pytest.mark.parametrize("text", NOT_COMMUNICATIONS)
def test_shapes_that_are_not_communication_references(text):
    assert parse(text).kind == OTHER


@pytest.mark.parametrize(
    ("symbol", "series", "document_type", "session", "country", "modifiers", "year"),
    [
        ("A/HRC/51/L.6", "A", "L.", "51", "", (), ""),
        ("A/HRC/RES/S-37/1", "A", "RES", "S-37", "", (), ""),
        ("A/78/PV.3", "A", "PV.", "78", "", (), ""),
        ("CEDAW/C/CHN/CO/7-8/Add.1", "CEDAW", "CO", "", "CHN", ("Add.1",), ""),
        ("CEDAW/C/CHN-HKG/9", "CEDAW", "", "", "CHN-HKG", (), ""),
        ("A/HRC/WG.6/45/CHN/1", "A", "", "45", "CHN", (), ""),
        ("S/RES/2334 (2016)", "S", "RES", "", "", (), "2016"),
        ("A/HRC/40/CRP.1/Rev.1/Corr.1", "A", "CRP.", "40", "", ("Rev.1", "Corr.1"), ""),
    ],
)
def test_the_parts_of_a_symbol(symbol, series, document_type, session, country, modifiers, year):
    reference = parse(symbol)
    assert (reference.series, reference.document_type, reference.session) == (series, document_type, session)
    assert (reference.country, reference.modifiers, reference.year) == (country, modifiers, year)


def test_modifiers_come_last():
    assert parse("A/HRC/Add.1/51").kind == OTHER
    assert parse("A/Add.1").kind == OTHER


def test_unknown_text_is_cleaned_but_kept():
    assert normalise("  Xinjiang   Police Files ") == "Xinjiang Police Files"


def test_finds_symbols_in_running_text_without_the_full_stop_after_them():
    text = 'Adopted as A/HRC/51/L.6. See "S/RES/2334 (2016)", AL CHN 5/2021 and/or/2 and CHN 13/18.'
    found = [(text[item.start : item.end], item.reference.canonical) for item in find_references(text)]
    assert found == [
        ("A/HRC/51/L.6", "A/HRC/51/L.6"),
        ("S/RES/2334 (2016)", "S/RES/2334 (2016)"),
        ("AL CHN 5/2021", "AL CHN 5/2021"),
    ]


def test_finds_no_symbol_inside_a_url():
    assert find_references("https://docs.un.org/en/A/HRC/51/L.6") == []


def test_search_key_of_part_of_a_symbol_is_squeezed():
    assert search_key("cerd / c / chn") == "CERD/C/CHN"
    assert search_key("cerd/c/chn/co/14–17") == "CERD/C/CHN/CO/14-17"


symbol_like = st.lists(
    st.sampled_from(
        ["A", "HRC", "51", "L.6", "/", " ", "add.1", "(2016)", "CHN", "-", "–", "Ａ", "／", ".", "AL", "5/2021"]
    ),
    max_size=12,
).map("".join)


@settings(max_examples=300)
@given(st.one_of(st.text(max_size=80), symbol_like))
def test_normalising_twice_changes_nothing(text):
    once = normalise(text)
    assert normalise(once) == once


@settings(max_examples=300)
@given(st.one_of(st.text(max_size=200), symbol_like))
def test_no_input_crashes_the_parser_or_the_finder(text):
    reference = parse(text)
    assert reference.kind in {UN_SYMBOL, COMMUNICATION, OTHER}
    if reference.is_recognised:
        assert parse(reference.canonical).canonical == reference.canonical
    for item in find_references(text):
        assert 0 <= item.start < item.end <= len(text)


def test_a_very_long_input_is_other():
    assert parse("A/" * 1000 + "1").kind == OTHER
