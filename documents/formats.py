"""Writers of every file format CPro produces. Each returns a ``File``; none touches the database.

A ``Sheet`` (title, paragraphs, tables) is written as ODT or DOCX; PDF comes from an HTML template rendered by
WeasyPrint (the template the screen and print views include, so the three show the same thing); CSV is written
with every cell made safe against formulas.
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


def _widths(table: Table) -> list[float]:
    if table.widths_cm:
        return list(table.widths_cm)
    return [17 / max(len(table.headers), 1)] * len(table.headers)


# ODT (odfpy) -----------------------------------------------------------------------------------------------------


def odt(sheet: Sheet, filename: str) -> File:
    from odf.opendocument import OpenDocumentText
    from odf.style import (
        ParagraphProperties,
        Style,
        TableCellProperties,
        TableColumnProperties,
        TableProperties,
        TextProperties,
    )
    from odf.table import Table as OdfTable
    from odf.table import TableCell, TableColumn, TableRow
    from odf.text import H, P

    doc = OpenDocumentText()

    def paragraph_style(name, **text):
        style = Style(name=name, family="paragraph")
        style.addElement(TextProperties(**text))
        style.addElement(ParagraphProperties(marginbottom="0.2cm"))
        doc.styles.addElement(style)
        return style

    title = paragraph_style("Titre", fontsize="16pt", fontweight="bold")
    note = paragraph_style("Note", fontsize="10pt")
    header = paragraph_style("EnTete", fontsize="10pt", fontweight="bold")
    mono = paragraph_style("Code", fontsize="10pt", fontfamily="monospace")
    cell_style = Style(name="Case", family="table-cell")
    cell_style.addElement(TableCellProperties(border="0.5pt solid #000000", padding="0.12cm"))
    doc.automaticstyles.addElement(cell_style)

    doc.text.addElement(H(outlinelevel=1, stylename=title, text=sheet.title))
    for text in sheet.paragraphs:
        doc.text.addElement(P(stylename=note, text=text))
    for number, table in enumerate(sheet.tables, start=1):
        table_style = Style(name=f"Tableau{number}", family="table")
        table_style.addElement(TableProperties(width=f"{sum(_widths(table)):.2f}cm", align="center"))
        doc.automaticstyles.addElement(table_style)
        element = OdfTable(name=f"Tableau{number}", stylename=table_style)
        for column, width in enumerate(_widths(table)):
            column_style = Style(name=f"T{number}C{column}", family="table-column")
            column_style.addElement(TableColumnProperties(columnwidth=f"{width:.2f}cm"))
            doc.automaticstyles.addElement(column_style)
            element.addElement(TableColumn(stylename=column_style))
        for row, style in [(table.headers, None), *((r, "body") for r in table.rows)]:
            odf_row = TableRow()
            for column, value in enumerate(row):
                cell = TableCell(stylename=cell_style, valuetype="string")
                if style is None:
                    cell.addElement(P(stylename=header, text=str(value)))
                else:
                    cell.addElement(P(stylename=mono if column in table.monospace else note, text=str(value)))
                odf_row.addElement(cell)
            element.addElement(odf_row)
        doc.text.addElement(element)

    out = io.BytesIO()
    doc.write(out)
    return File(out.getvalue(), filename, ODT)


# DOCX (python-docx) ----------------------------------------------------------------------------------------------


def docx(sheet: Sheet, filename: str) -> File:
    from docx import Document
    from docx.shared import Cm, Pt

    doc = Document()
    doc.core_properties.title = sheet.title
    doc.add_heading(sheet.title, level=1)
    for text in sheet.paragraphs:
        doc.add_paragraph(text)
    for table in sheet.tables:
        element = doc.add_table(rows=1, cols=len(table.headers))
        element.style = "Table Grid"
        widths = _widths(table)
        for column, label in enumerate(table.headers):
            cell = element.rows[0].cells[column]
            cell.width = Cm(widths[column])
            cell.paragraphs[0].add_run(str(label)).bold = True
        for row in table.rows:
            cells = element.add_row().cells
            for column, value in enumerate(row):
                cells[column].width = Cm(widths[column])
                run = cells[column].paragraphs[0].add_run(str(value))
                if column in table.monospace:
                    run.font.name = "Courier New"
                    run.font.size = Pt(10)
    out = io.BytesIO()
    doc.save(out)
    return File(out.getvalue(), filename, DOCX)


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
