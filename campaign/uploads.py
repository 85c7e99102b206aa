"""Which uploaded files the app accepts, decided from their content.

Evidence files are often sensitive documents that colleagues open on their own
machines, so a file is accepted only when its bytes are one of a few document
and image types, and when its name (if it has an extension) agrees with that
content: an HTML page renamed ``report.pdf`` is refused, not stored.
"""

import codecs
import re
import unicodedata
import zipfile
from pathlib import PurePosixPath

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ODT = "application/vnd.oasis.opendocument.text"
ODS = "application/vnd.oasis.opendocument.spreadsheet"
CSV = "text/csv"
TEXT = "text/plain"
PNG = "image/png"
JPEG = "image/jpeg"

# What a user would call each type, for messages.
TYPE_LABELS = {
    PDF: "a PDF",
    DOCX: "a Word document",
    XLSX: "an Excel spreadsheet",
    ODT: "an OpenDocument text",
    ODS: "an OpenDocument spreadsheet",
    CSV: "a CSV file",
    TEXT: "a plain text file",
    PNG: "a PNG image",
    JPEG: "a JPEG image",
}
EXTENSION_TYPES = {
    ".pdf": PDF,
    ".docx": DOCX,
    ".xlsx": XLSX,
    ".odt": ODT,
    ".ods": ODS,
    ".csv": CSV,
    ".txt": TEXT,
    ".text": TEXT,
    ".md": TEXT,
    ".png": PNG,
    ".jpg": JPEG,
    ".jpeg": JPEG,
}
# The extension a download gets when the original name had none.
TYPE_EXTENSIONS = {
    PDF: ".pdf",
    DOCX: ".docx",
    XLSX: ".xlsx",
    ODT: ".odt",
    ODS: ".ods",
    CSV: ".csv",
    TEXT: ".txt",
    PNG: ".png",
    JPEG: ".jpg",
}
ALLOWED_CONTENT_TYPES = frozenset(TYPE_LABELS)
# For the file input's ``accept`` attribute: a hint to the browser's picker only.
ACCEPT = ",".join(EXTENSION_TYPES)

ALLOWED_SUMMARY = "PDF, Word (.docx), OpenDocument text (.odt), Excel (.xlsx), OpenDocument spreadsheet (.ods), CSV, plain text, PNG or JPEG"

# A text file that begins like one of these is a web page or markup a browser
# might render and run; it is refused even though it is "text".
MARKUP_MARKERS = (b"<html", b"<!doctype", b"<script", b"<svg", b"<?xml", b"<iframe", b"<body", b"<head")
MARKUP_WINDOW = 1024
SNIFF_BYTES = 8192
TEXT_CHUNK = 64 * 1024
# Control characters other than tab, line feed, form feed and carriage return do
# not occur in text people write; in a file that is not UTF-8 they mean binary.
BINARY_CONTROL = re.compile(rb"[\x00-\x08\x0b\x0e-\x1f\x7f]")

# Inner parts that make a zip file an office document, by content type.
OOXML_MAIN_PARTS = {DOCX: "word/document.xml", XLSX: "xl/workbook.xml"}
OOXML_MAIN_TYPES = {
    DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
    XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
}
ODF_TYPES = (ODT, ODS)


class UploadRefused(ValidationError):
    pass


def _refuse(message: str, code: str):
    raise UploadRefused(message, code=code)


def validate_upload(uploaded_file) -> str:
    """Return the content type of an acceptable upload, or raise a
    ValidationError whose message tells the user what to do instead.

    ``uploaded_file`` is a Django UploadedFile (or File); it is left at offset 0.
    """
    name = clean_filename(getattr(uploaded_file, "name", "") or "")
    size = uploaded_file.size
    limit = settings.UPLOAD_MAX_BYTES
    if size is None or size > limit:
        size_text = f"{size / (1024 * 1024):.1f} MB" if size else "too large"
        _refuse(
            f"“{name}” is {size_text}; files can be at most {_megabytes(limit)} MB.",
            "too_large",
        )
    if size == 0:
        _refuse(f"“{name}” is empty.", "empty")

    extension = PurePosixPath(name).suffix.lower()
    if extension and extension not in EXTENSION_TYPES:
        _refuse(f"“{name}”: {extension} files cannot be uploaded. Allowed are {ALLOWED_SUMMARY}.", "bad_extension")

    try:
        content_type = _sniff(uploaded_file, name=name, extension=extension)
    finally:
        uploaded_file.seek(0)

    expected = EXTENSION_TYPES.get(extension)
    if expected and expected != content_type and not {expected, content_type} <= {CSV, TEXT}:
        _refuse(
            f"“{name}” is named like {TYPE_LABELS[expected]} but its content is {TYPE_LABELS[content_type]}. "
            "Rename it or upload the right file.",
            "mismatch",
        )
    # A .txt file holding comma-separated values stays text; a .csv stays CSV.
    return expected if expected in (CSV, TEXT) and content_type in (CSV, TEXT) else content_type


def _megabytes(limit: int) -> str:
    megabytes = limit / (1024 * 1024)
    return f"{megabytes:g}" if megabytes >= 1 else f"{megabytes:.2f}"


def _sniff(uploaded_file, *, name: str, extension: str) -> str:
    uploaded_file.seek(0)
    head = uploaded_file.read(SNIFF_BYTES)
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"PK\x03\x04"):
        return _office_type(uploaded_file, name=name)
    guess = filetype.guess(head)
    if guess is not None:
        if guess.mime in (PNG, JPEG):
            return guess.mime
        _refuse(
            f"“{name}” is of type .{guess.extension} ({guess.mime}), which cannot be uploaded. "
            f"Allowed are {ALLOWED_SUMMARY}.",
            "bad_type",
        )
    _check_text(uploaded_file, name=name)
    return CSV if extension == ".csv" else TEXT


def _office_type(uploaded_file, *, name: str) -> str:
    """A zip file is accepted only as a Word, Excel or OpenDocument file, judged
    by its inner parts; nothing is extracted beyond two small index files."""
    not_document = (
        f"“{name}” is a zip archive, not a document. Allowed are {ALLOWED_SUMMARY}; "
        "upload the files inside it one by one."
    )
    uploaded_file.seek(0)
    try:
        archive = zipfile.ZipFile(uploaded_file)
        names = set(archive.namelist())
        if "mimetype" in names:
            with archive.open("mimetype") as member:
                mimetype = member.read(100).decode("ascii", "replace").strip()
            if mimetype in ODF_TYPES and "content.xml" in names:
                return mimetype
            _refuse(not_document, "bad_type")
        if "[Content_Types].xml" in names:
            if any(part.lower().endswith("vbaproject.bin") for part in names):
                _refuse(f"“{name}” contains macros, which cannot be uploaded. Save it without macros.", "macros")
            with archive.open("[Content_Types].xml") as member:
                content_types = member.read(256 * 1024).decode("utf-8", "replace")
            for content_type, part in OOXML_MAIN_PARTS.items():
                if part in names and OOXML_MAIN_TYPES[content_type] in content_types:
                    return content_type
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, NotImplementedError, RuntimeError):
        _refuse(f"“{name}” looks like a damaged document or zip file and cannot be read.", "damaged")
    _refuse(not_document, "bad_type")


def _check_text(uploaded_file, *, name: str) -> None:
    uploaded_file.seek(0)
    start = uploaded_file.read(MARKUP_WINDOW).lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if any(marker in start for marker in MARKUP_MARKERS):
        _refuse(
            f"“{name}” is a web page or markup (HTML, SVG or XML), which cannot be uploaded. "
            f"Allowed are {ALLOWED_SUMMARY}; save a web page as PDF first.",
            "markup",
        )
    uploaded_file.seek(0)
    decoder = codecs.getincrementaldecoder("utf-8")()
    is_utf8 = True
    for chunk in iter(lambda: uploaded_file.read(TEXT_CHUNK), b""):
        if b"\x00" in chunk or (not is_utf8 and BINARY_CONTROL.search(chunk)):
            _refuse_binary(name)
        if is_utf8:
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError:
                # Not UTF-8: perhaps Latin-1/Windows-1252 text from an older
                # spreadsheet, acceptable as long as no byte looks binary.
                is_utf8 = False
                if BINARY_CONTROL.search(chunk):
                    _refuse_binary(name)


def _refuse_binary(name: str):
    _refuse(
        f"“{name}” is not a type of file that can be uploaded. Allowed are {ALLOWED_SUMMARY}.",
        "bad_type",
    )


# Characters Windows refuses in file names, and quotes that confuse some mail
# and download clients; they become "_".
UNSAFE_NAME_CHARACTERS = re.compile(r'[<>:"/\\|?*]')


def clean_filename(name: str, *, max_length: int = 200) -> str:
    """The original file name reduced to something safe to show and to send
    back in Content-Disposition: no directories, no control characters, no
    characters Windows refuses, at most ``max_length`` characters with the
    extension kept. Never empty."""
    name = unicodedata.normalize("NFC", str(name))
    name = re.split(r"[\\/]", name)[-1]
    name = "".join(" " if unicodedata.category(char).startswith("C") else char for char in name)
    name = UNSAFE_NAME_CHARACTERS.sub("_", name)
    name = re.sub(r"\s+", " ", name).strip(" .")
    if len(name) > max_length:
        stem, dot, suffix = name.rpartition(".")
        if dot and 0 < len(suffix) <= 10:
            name = stem[: max_length - len(suffix) - 1].rstrip(" .") + "." + suffix
        else:
            name = name[:max_length].rstrip(" .")
    return name or "file"


def download_filename(original_filename: str, content_type: str) -> str:
    """The name a download is saved under: the original, with an extension
    added when it had none so the user's computer knows how to open it."""
    name = clean_filename(original_filename or "evidence")
    if "." not in name.strip(".") and content_type in TYPE_EXTENSIONS:
        name += TYPE_EXTENSIONS[content_type]
    return name
