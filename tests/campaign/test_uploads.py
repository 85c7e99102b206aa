"""Which evidence files are accepted: decided from their content, with a message
the user can act on when refused. Each accepted type is a real (minimal) file
of that type built here."""

import base64
import io
import struct
import zipfile
import zlib

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from campaign import uploads
from campaign.uploads import clean_filename, download_filename, validate_upload


def minimal_pdf(text: str = "Letter to the High Commissioner") -> bytes:
    """A one-page PDF with a correct cross-reference table."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def minimal_docx() -> bytes:
    """The three parts Word needs to open a document."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/word/document.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
            "</Types>",
        )
        archive.writestr(
            "_rels/.rels",
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Target="word/document.xml" '
            'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"/>'
            "</Relationships>",
        )
        archive.writestr(
            "word/document.xml",
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
            "<w:body><w:p><w:r><w:t>Meeting note</w:t></w:r></w:p></w:body></w:document>",
        )
    return out.getvalue()


def minimal_xlsx() -> bytes:
    workbook = openpyxl.Workbook()
    workbook.active.append(["Recommendation", "Status"])
    workbook.active.append(["Publish the report", "open"])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def minimal_odf(mimetype: str, body: str) -> bytes:
    """An OpenDocument file: the ``mimetype`` entry first and uncompressed, as
    the standard requires, then the manifest and content."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), mimetype, compress_type=zipfile.ZIP_STORED)
        archive.writestr(
            "META-INF/manifest.xml",
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
            f'<manifest:file-entry manifest:full-path="/" manifest:media-type="{mimetype}"/>'
            '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
            "</manifest:manifest>",
            compress_type=zipfile.ZIP_DEFLATED,
        )
        archive.writestr(
            "content.xml",
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
            'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
            'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" office:version="1.2">'
            f"<office:body>{body}</office:body></office:document-content>",
            compress_type=zipfile.ZIP_DEFLATED,
        )
    return out.getvalue()


def minimal_odt() -> bytes:
    return minimal_odf(uploads.ODT, "<office:text><text:p>Meeting note</text:p></office:text>")


def minimal_ods() -> bytes:
    return minimal_odf(
        uploads.ODS,
        "<office:spreadsheet><table:table table:name='Asks'><table:table-row><table:table-cell>"
        "<text:p>Publish</text:p></table:table-cell></table:table-row></table:table></office:spreadsheet>",
    )


def minimal_png() -> bytes:
    """A 1×1 red PNG, chunks and CRCs computed."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


# A 2×2 baseline JPEG written by Java's ImageIO (no imaging library here to make one).
JPEG_BYTES = base64.b64decode(
    "/9j/4AAQSkZJRgABAgAAAQABAAD/2wBDAAgGBgcGBQgHBwcJCQgKDBQNDAsLDBkSEw8UHRofHh0aHBwgJC4nICIsIxwcKDcpLDAx"
    "NDQ0Hyc5PTgyPC4zNDL/2wBDAQkJCQwLDBgNDRgyIRwhMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIy"
    "MjIyMjIyMjL/wAARCAACAAIDASIAAhEBAxEB/8QAHwAAAQUBAQEBAQEAAAAAAAAAAAECAwQFBgcICQoL/8QAtRAAAgEDAwIEAwUF"
    "BAQAAAF9AQIDAAQRBRIhMUEGE1FhByJxFDKBkaEII0KxwRVS0fAkM2JyggkKFhcYGRolJicoKSo0NTY3ODk6Q0RFRkdISUpTVFVW"
    "V1hZWmNkZWZnaGlqc3R1dnd4eXqDhIWGh4iJipKTlJWWl5iZmqKjpKWmp6ipqrKztLW2t7i5usLDxMXGx8jJytLT1NXW19jZ2uHi"
    "4+Tl5ufo6erx8vP09fb3+Pn6/8QAHwEAAwEBAQEBAQEBAQAAAAAAAAECAwQFBgcICQoL/8QAtREAAgECBAQDBAcFBAQAAQJ3AAEC"
    "AxEEBSExBhJBUQdhcRMiMoEIFEKRobHBCSMzUvAVYnLRChYkNOEl8RcYGRomJygpKjU2Nzg5OkNERUZHSElKU1RVVldYWVpjZGVm"
    "Z2hpanN0dXZ3eHl6goOEhYaHiImKkpOUlZaXmJmaoqOkpaanqKmqsrO0tba3uLm6wsPExcbHyMnK0tPU1dbX2Nna4uPk5ebn6Onq"
    "8vP09fb3+Pn6/9oADAMBAAIRAxEAPwDwBmZ2LMxZmOSSckmiiilHZGlX45erP//Z"
)

CSV_BYTES = "symbol,title\nCHN 13/2018,Communication about Ilham Tohti\nA/HRC/51/7,Rapport à l’ONU\n".encode()
TEXT_BYTES = b"Call with the Special Rapporteur's office.\nThey will raise the case in the next session.\n"
HTML_BYTES = b"<!DOCTYPE html>\n<html><body><script>fetch('/asks/export.csv')</script></body></html>\n"


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def refusal(name: str, content: bytes) -> str:
    with pytest.raises(ValidationError) as refused:
        validate_upload(upload(name, content))
    return " ".join(refused.value.messages)


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("Letter.pdf", minimal_pdf(), "application/pdf"),
        ("Meeting note.docx", minimal_docx(), uploads.DOCX),
        ("Tracking table.xlsx", minimal_xlsx(), uploads.XLSX),
        ("Meeting note.odt", minimal_odt(), "application/vnd.oasis.opendocument.text"),
        ("Tracking table.ods", minimal_ods(), "application/vnd.oasis.opendocument.spreadsheet"),
        ("Symbols.csv", CSV_BYTES, "text/csv"),
        ("Call notes.txt", TEXT_BYTES, "text/plain"),
        ("Photo.png", minimal_png(), "image/png"),
        ("Photo.JPG", JPEG_BYTES, "image/jpeg"),
    ],
)
def test_each_allowed_type_is_accepted_with_its_content_type(name, content, content_type):
    uploaded = upload(name, content)

    assert validate_upload(uploaded) == content_type
    assert uploaded.read() == content  # left at the start for saving


def test_windows_1252_csv_from_an_old_spreadsheet_is_accepted():
    assert validate_upload(upload("legacy.csv", "Genève;Rapport de l'ONU\n".encode("cp1252"))) == "text/csv"


def test_html_renamed_to_pdf_is_refused_with_a_message_saying_it_is_a_web_page():
    message = refusal("report.pdf", HTML_BYTES)

    assert "“report.pdf” is a web page or markup (HTML, SVG or XML)" in message
    assert "cannot be uploaded" in message


def test_svg_named_as_text_is_refused():
    svg = b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'

    assert "web page or markup" in refusal("notes.txt", svg)


def test_a_file_whose_name_and_content_disagree_is_refused():
    message = refusal("photo.png", minimal_pdf())

    assert "“photo.png” is named like a PNG image but its content is a PDF" in message


def test_a_text_file_named_as_pdf_is_refused():
    assert "named like a PDF but its content is a plain text file" in refusal("scan.pdf", TEXT_BYTES)


def test_oversize_file_is_refused_with_the_limit_in_megabytes(settings):
    settings.UPLOAD_MAX_BYTES = 1024 * 1024
    big = minimal_pdf() + b"%" + b"x" * (1024 * 1024)

    message = refusal("big.pdf", big)

    assert message == "“big.pdf” is 1.0 MB; files can be at most 1 MB."


def test_default_limit_is_25_megabytes():
    from django.conf import settings

    assert settings.UPLOAD_MAX_BYTES == 25 * 1024 * 1024


def test_file_at_the_limit_is_accepted(settings):
    content = minimal_pdf()
    settings.UPLOAD_MAX_BYTES = len(content)

    assert validate_upload(upload("exact.pdf", content)) == "application/pdf"


@pytest.mark.parametrize(
    ("content", "content_type"),
    [(minimal_pdf(), "application/pdf"), (minimal_xlsx(), uploads.XLSX), (TEXT_BYTES, "text/plain")],
)
def test_file_without_extension_is_accepted_with_the_sniffed_type(content, content_type):
    assert validate_upload(upload("scan", content)) == content_type


def test_windows_executable_is_refused_even_without_extension():
    exe = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48 + b"PE\x00\x00"

    assert "“setup” is of type .exe" in refusal("setup", exe)
    assert ".exe files cannot be uploaded" in refusal("setup.exe", minimal_pdf())


def test_plain_zip_archive_is_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("report.pdf", minimal_pdf())

    message = refusal("documents.zip", out.getvalue())
    assert ".zip files cannot be uploaded" in message
    assert "is a zip archive, not a document" in refusal("documents.docx", out.getvalue())


def test_word_file_with_macros_is_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(minimal_docx())) as source, zipfile.ZipFile(out, "w") as archive:
        for item in source.infolist():
            archive.writestr(item, source.read(item))
        archive.writestr("word/vbaProject.bin", b"\xd0\xcf\x11\xe0macro")

    assert "contains macros" in refusal("minutes.docx", out.getvalue())


def test_binary_data_named_as_text_is_refused():
    assert "is not a type of file that can be uploaded" in refusal("data.txt", b"abc\x00\x01\x02" * 100)


def test_damaged_office_file_is_refused():
    truncated = minimal_docx()[:200]

    assert "damaged" in refusal("minutes.docx", truncated)


def test_empty_file_is_refused():
    assert refusal("empty.txt", b"") == "“empty.txt” is empty."


@pytest.mark.parametrize(
    ("original", "cleaned"),
    [
        ("report.pdf", "report.pdf"),
        ("C:\\Users\\ana\\Desktop\\Rapport Genève.pdf", "Rapport Genève.pdf"),
        ("../../etc/passwd", "passwd"),
        ('bad"name\r\n.pdf', "bad_name .pdf"),
        ("  .hidden.  ", "hidden"),
        ("", "file"),
        ("a" * 300 + ".docx", "a" * 195 + ".docx"),
    ],
)
def test_clean_filename_keeps_a_safe_displayable_name(original, cleaned):
    assert clean_filename(original) == cleaned


def test_download_name_gets_an_extension_when_the_original_had_none():
    assert download_filename("scan", "application/pdf") == "scan.pdf"
    assert download_filename("Letter.pdf", "application/pdf") == "Letter.pdf"
