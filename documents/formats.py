"""Writers of every file format CPro produces. Each returns a ``File``; none touches the database.

A ``Sheet`` (title, paragraphs, tables) is written as ODT or DOCX by ``documents.printable``; PDF comes from an
HTML template rendered by WeasyPrint (the template the screen and print views include, so the three show the same
thing); CSV is written with every cell made safe against formulas.
"""

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils.http import content_disposition_header

ODT = "application/vnd.oasis.opendocument.text"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PDF = "application/pdf"
CSV = "text/csv; charset=utf-8"

# A spreadsheet runs a cell starting with one of these as a formula (CSV injection): such cells get a quote.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\0")


@dataclass(frozen=True)
class File:
    """A produced file: its bytes, the name offered to the browser and its content type."""

    content: bytes
    filename: str
    content_type: str

    def response(self) -> HttpResponse:
        """The file as a download (``Content-Disposition: attachment``: never shown inside the site)."""
        response = HttpResponse(self.content, content_type=self.content_type)
        response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=self.filename)
        response["X-Content-Type-Options"] = "nosniff"
        return response


@dataclass(frozen=True)
class Table:
    headers: Sequence[str]
    rows: Sequence[Sequence[str]]
    widths_cm: Sequence[float] = ()  # one per column; empty: equal widths over 17 cm
    monospace: frozenset[int] = frozenset()  # columns printed in a fixed-width font (logins, codes)


@dataclass(frozen=True)
class Sheet:
    """A simple printable document: a title, a few paragraphs, then tables."""

    title: str
    paragraphs: Sequence[str] = ()
    tables: Sequence[Table] = field(default_factory=tuple)


# ODT and DOCX: a Sheet is a Printable (documents.printable) of paragraphs and tables, written by its writers.


def _printable(sheet: Sheet):
    from .printable import Paragraph, Printable  # printable builds on this module's File and Table

    return Printable(title=sheet.title, blocks=[*(Paragraph(text) for text in sheet.paragraphs), *sheet.tables])


def odt(sheet: Sheet, filename: str) -> File:
    from .printable import odt as write_odt

    return write_odt(_printable(sheet), filename)


def docx(sheet: Sheet, filename: str) -> File:
    from .printable import docx as write_docx

    return write_docx(_printable(sheet), filename)


# PDF (WeasyPrint) ------------------------------------------------------------------------------------------------


def pdf(template_name: str, context: dict, filename: str) -> File:
    """Renders ``template_name`` (a page extending ``documents/pdf_base.html``) to PDF.

    Nothing is fetched while rendering except ``data:`` URIs: a document never reads a local file or the network,
    whatever text ends up in it.
    """
    return pdf_from_html(render_to_string(template_name, context), filename)


def pdf_from_html(html: str, filename: str) -> File:
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    content = HTML(string=html, base_url="about:blank",
                   url_fetcher=URLFetcher(allowed_protocols={"data"})).write_pdf()
    return File(content, filename, PDF)


# CSV ------------------------------------------------------------------------------------------------------------


def safe_cell(value) -> str:
    """A spreadsheet must show the text, never run it: cells that could start a formula get a quote."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_text(rows: Iterable[Sequence], *, delimiter: str = ";") -> str:
    """Rows as CSV text, every cell made safe, with a BOM (spreadsheets then open UTF-8 with accents right)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in row])
    return "\ufeff" + buffer.getvalue()


def csv_file(rows: Iterable[Sequence], filename: str, *, delimiter: str = ";") -> File:
    return File(csv_text(rows, delimiter=delimiter).encode("utf-8"), filename, CSV)


def sheet_csv(sheet: Sheet, filename: str) -> File:
    """A sheet's tables as CSV (title first, then each table with its header)."""
    rows: list[Sequence] = [[sheet.title]]
    for table in sheet.tables:
        rows += [list(table.headers), *table.rows]
    return csv_file(rows, filename)
