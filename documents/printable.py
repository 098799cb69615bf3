"""A printable document of several parts, written as ODT (odfpy) or DOCX (python-docx) from one model.

A module that prints something (a scenario, say) builds a ``Printable`` once — a title, an optional logo, then
blocks: headings, paragraphs, « label : value » fields, bulleted lists, tables — and hands it to ``odt`` or
``docx``; both writers render the same blocks, so the two formats always say the same thing. None touches the
database. Texts keep their line breaks, get French typography (non-breaking spaces before « : ; ! ? » and inside
guillemets) and lose the control characters XML cannot hold (a pasted text never breaks a document).
"""

import io
import re
from collections.abc import Sequence
from dataclasses import dataclass

from .formats import DOCX, ODT, File, Table

# Characters XML 1.0 cannot hold (a text pasted from anywhere may carry them): removed.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_NBSP, _NNBSP = "\u00a0", "\u202f"


def french(text) -> str:
    """The text as French typography prints it: a narrow no-break space before « ; ! ? », a no-break space before
    « : » and inside « guillemets »; control characters removed; line breaks kept."""
    text = _NOT_XML.sub("", "" if text is None else str(text)).replace("\r\n", "\n").replace("\r", "\n")
    text = re.sub(r"[ \u00a0\u202f]*([;!?])", lambda m: _NNBSP + m.group(1), text)
    text = re.sub(r"(?<=\S)[ \u00a0\u202f]*:(?=\s|$)", _NBSP + ":", text)  # not « http:// » nor « 10:30 »
    text = re.sub(r"«[ \u00a0\u202f]*", "«" + _NBSP, text)
    text = re.sub(r"[ \u00a0\u202f]*»", _NBSP + "»", text)
    # A « ? » or « ! » right after a line start or another mark needs no space before it.
    return re.sub(rf"(^|\n|[?!]){_NNBSP}([?!;])", r"\1\2", text)


@dataclass(frozen=True)
class Heading:
    text: str
    level: int = 1  # 1: a part of the document, 2: a section inside it


@dataclass(frozen=True)
class Paragraph:
    text: str  # line breaks are kept
    small: bool = False  # a note in a smaller size (« Aucune tâche liée. »)


@dataclass(frozen=True)
class Fields:
    """« Label : value » lines, the label in bold."""

    pairs: Sequence[tuple[str, str]]


@dataclass(frozen=True)
class Bullets:
    items: Sequence[str]


@dataclass(frozen=True)
class Logo:
    """A PNG or JPEG image printed ``width_cm`` wide (the height follows the image's proportions)."""

    content: bytes
    width_cm: float = 3.0


Block = Heading | Paragraph | Fields | Bullets | Table


@dataclass(frozen=True)
class Printable:
    title: str
    blocks: Sequence[Block] = ()
    logo: Logo | None = None
    header: str = ""  # a line above the title (the establishment's name)
    subtitle: str = ""  # a line under the title
    author: str = ""  # the file's metadata


def _widths(table: Table) -> list[float]:
    if table.widths_cm:
        return list(table.widths_cm)
    return [17 / max(len(table.headers), 1)] * len(table.headers)


def _logo_size(logo: Logo) -> tuple[str, str, str] | None:
    """(width, height, media type) of the logo, or None when the bytes are not a readable PNG/JPEG."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(logo.content), formats=["PNG", "JPEG"]) as image:
            width, height = image.size
            kind = image.format
    except (UnidentifiedImageError, OSError, ValueError):
        return None
    if not width or not height:
        return None
    return (f"{logo.width_cm:.2f}cm", f"{logo.width_cm * height / width:.2f}cm",
            "image/png" if kind == "PNG" else "image/jpeg")


# ODT (odfpy) -----------------------------------------------------------------------------------------------------


def odt(document: Printable, filename: str) -> File:
    from odf import teletype
    from odf.dc import Title as DcTitle
    from odf.draw import Frame
    from odf.draw import Image as OdfImage
    from odf.opendocument import OpenDocumentText
    from odf.style import (
        ListLevelProperties,
        ParagraphProperties,
        Style,
        TableCellProperties,
        TableColumnProperties,
        TableProperties,
        TextProperties,
    )
    from odf.table import Table as OdfTable
    from odf.table import TableCell, TableColumn, TableHeaderRows, TableRow
    from odf.text import H, List, ListItem, ListLevelStyleBullet, ListStyle, P, Span

    doc = OpenDocumentText()
    doc.meta.addElement(DcTitle(text=french(document.title)))

    def paragraph_style(name, *, top="0cm", bottom="0.2cm", keep=False, **text):
        style = Style(name=name, family="paragraph")
        text.setdefault("fontfamily", "'Liberation Sans', Arial, sans-serif")
        style.addElement(TextProperties(**text))
        props = {"margintop": top, "marginbottom": bottom}
        if keep:
            props["keepwithnext"] = "always"
        style.addElement(ParagraphProperties(**props))
        doc.styles.addElement(style)
        return style

    styles = {
        "header": paragraph_style("EnTeteEtablissement", fontsize="10pt", fontweight="bold"),
        "title": paragraph_style("TitreDocument", fontsize="18pt", fontweight="bold", bottom="0.1cm"),
        "subtitle": paragraph_style("SousTitre", fontsize="10pt", fontstyle="italic", bottom="0.4cm"),
        1: paragraph_style("Partie", fontsize="14pt", fontweight="bold", top="0.5cm", keep=True),
        2: paragraph_style("Section", fontsize="12pt", fontweight="bold", top="0.3cm", keep=True),
        "body": paragraph_style("Texte", fontsize="11pt"),
        "small": paragraph_style("Note", fontsize="10pt", fontstyle="italic"),
        "cell": paragraph_style("Case", fontsize="10pt", bottom="0cm"),
        "cell_header": paragraph_style("CaseEnTete", fontsize="10pt", fontweight="bold", bottom="0cm"),
        "mono": paragraph_style("Code", fontsize="10pt", bottom="0cm",
                                fontfamily="'Liberation Mono', 'Courier New', monospace"),
    }
    bold = Style(name="Gras", family="text")
    bold.addElement(TextProperties(fontweight="bold"))
    doc.automaticstyles.addElement(bold)
    cell_style = Style(name="Bordure", family="table-cell")
    cell_style.addElement(TableCellProperties(border="0.5pt solid #000000", padding="0.1cm"))
    doc.automaticstyles.addElement(cell_style)
    header_cell = Style(name="BordureEnTete", family="table-cell")
    header_cell.addElement(TableCellProperties(border="0.5pt solid #000000", padding="0.1cm",
                                               backgroundcolor="#e6e6e6"))
    doc.automaticstyles.addElement(header_cell)
    bullets = ListStyle(name="Puces")
    level = ListLevelStyleBullet(level=1, bulletchar="•")
    level.addElement(ListLevelProperties(spacebefore="0.4cm", minlabelwidth="0.5cm"))
    bullets.addElement(level)
    doc.automaticstyles.addElement(bullets)

    def paragraph(style, text):
        p = P(stylename=styles[style])
        teletype.addTextToElement(p, french(text))
        return p

    if document.logo is not None and (size := _logo_size(document.logo)):
        width, height, media = size
        href = doc.addPicture(f"Pictures/logo{'.png' if media == 'image/png' else '.jpg'}", media,
                              document.logo.content)
        holder = P(stylename=styles["header"])
        frame = Frame(name="Logo", anchortype="as-char", width=width, height=height)
        frame.addElement(OdfImage(href=href))
        holder.addElement(frame)
        doc.text.addElement(holder)
    if document.header:
        doc.text.addElement(paragraph("header", document.header))
    title = P(stylename=styles["title"])
    teletype.addTextToElement(title, french(document.title))
    doc.text.addElement(title)
    if document.subtitle:
        doc.text.addElement(paragraph("subtitle", document.subtitle))

    tables = 0
    for block in document.blocks:
        if isinstance(block, Heading):
            level = 1 if block.level <= 1 else 2
            heading = H(outlinelevel=level, stylename=styles[level])
            teletype.addTextToElement(heading, french(block.text))
            doc.text.addElement(heading)
        elif isinstance(block, Paragraph):
            doc.text.addElement(paragraph("small" if block.small else "body", block.text))
        elif isinstance(block, Fields):
            for label, value in block.pairs:
                p = P(stylename=styles["body"])
                span = Span(stylename=bold)
                teletype.addTextToElement(span, french(f"{label} :"))
                p.addElement(span)
                teletype.addTextToElement(p, " " + french(value))
                doc.text.addElement(p)
        elif isinstance(block, Bullets):
            element = List(stylename=bullets)
            for item in block.items:
                list_item = ListItem()
                list_item.addElement(paragraph("body", item))
                element.addElement(list_item)
            doc.text.addElement(element)
        elif isinstance(block, Table):
            tables += 1
            widths = _widths(block)
            table_style = Style(name=f"Tableau{tables}", family="table")
            table_style.addElement(TableProperties(width=f"{sum(widths):.2f}cm", align="left"))
            doc.automaticstyles.addElement(table_style)
            element = OdfTable(name=f"Tableau{tables}", stylename=table_style)
            for column, width in enumerate(widths):
                column_style = Style(name=f"T{tables}C{column}", family="table-column")
                column_style.addElement(TableColumnProperties(columnwidth=f"{width:.2f}cm"))
                doc.automaticstyles.addElement(column_style)
                element.addElement(TableColumn(stylename=column_style))
            header_rows = TableHeaderRows()  # printed again on each page a long table runs onto
            element.addElement(header_rows)
            rows = [(block.headers, True), *((row, False) for row in block.rows)]
            for values, is_header in rows:
                row = TableRow()
                for column, value in enumerate(values):
                    cell = TableCell(stylename=header_cell if is_header else cell_style, valuetype="string")
                    style = "cell_header" if is_header else ("mono" if column in block.monospace else "cell")
                    cell.addElement(paragraph(style, value))
                    row.addElement(cell)
                (header_rows if is_header else element).addElement(row)
            doc.text.addElement(element)
        else:  # pragma: no cover - a new block type must be written by both writers
            raise TypeError(f"Bloc inconnu : {type(block).__name__}")

    out = io.BytesIO()
    doc.write(out)
    return File(out.getvalue(), filename, ODT)


# DOCX (python-docx) ----------------------------------------------------------------------------------------------


def docx(document: Printable, filename: str) -> File:
    from docx import Document
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt

    doc = Document()
    doc.core_properties.title = french(document.title)[:250]
    doc.core_properties.author = french(document.author)[:250]
    doc.core_properties.language = "fr-FR"
    normal = doc.styles["Normal"]
    normal.font.name = "Liberation Sans"
    normal.font.size = Pt(11)
    # The proofing language of every text (Word then checks French spelling): the document default's.
    for lang in doc.styles.element.iter(qn("w:lang")):
        lang.set(qn("w:val"), "fr-FR")
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.left_margin = section.right_margin = Cm(2)
    section.top_margin = section.bottom_margin = Cm(1.8)

    # Styles looked up once, and set by id: python-docx searches every style at each lookup by name or object.
    from docx.enum.style import WD_STYLE_TYPE

    def new_style(name, *, size, bold=False, italic=False, font=None, kind=WD_STYLE_TYPE.PARAGRAPH):
        created = doc.styles.add_style(name, kind)
        created.base_style = doc.styles["Normal"] if kind == WD_STYLE_TYPE.PARAGRAPH else None
        created.font.size, created.font.bold, created.font.italic = size, bold, italic
        if font:
            created.font.name = font
        if kind == WD_STYLE_TYPE.PARAGRAPH:
            created.paragraph_format.space_after = Pt(0)
        return created.style_id

    style_id = {name: doc.styles[name].style_id
                for name in ("Title", "Heading 1", "Heading 2", "List Bullet", "Table Grid")}
    style_id["note"] = new_style("Note", size=Pt(10), italic=True)
    style_id["cell"] = new_style("Case", size=Pt(10))
    style_id["cell_header"] = new_style("Case en-tête", size=Pt(10), bold=True)
    style_id["code"] = new_style("Code", size=Pt(10), font="Liberation Mono", kind=WD_STYLE_TYPE.CHARACTER)

    def paragraph(text="", *, style_name=None, bold=False):
        p = doc.add_paragraph()
        if style_name:
            p._p.get_or_add_pPr().style = style_id[style_name]
        if text:
            run_text(p.add_run(), text, bold=bold)
        return p

    def run_text(run, text, *, bold=False, mono=False):
        """The text in ``run``, line breaks kept (w:t and w:br written directly: python-docx's ``run.text``
        walks the text one character at a time)."""
        for index, line in enumerate(french(text).split("\n")):
            if index:
                run._r.add_br()
            if line:
                run._r.add_t(line)
        if bold:
            run.bold = True
        if mono:
            run._r.get_or_add_rPr().style = style_id["code"]
        return run

    if document.logo is not None and _logo_size(document.logo):
        doc.add_picture(io.BytesIO(document.logo.content), width=Cm(document.logo.width_cm))
    if document.header:
        paragraph(document.header, bold=True)
    paragraph(document.title, style_name="Title")
    if document.subtitle:
        paragraph(document.subtitle, style_name="note")

    for block in document.blocks:
        if isinstance(block, Heading):
            paragraph(block.text, style_name="Heading 1" if block.level <= 1 else "Heading 2")
        elif isinstance(block, Paragraph):
            paragraph(block.text, style_name="note" if block.small else None)
        elif isinstance(block, Fields):
            for label, value in block.pairs:
                p = paragraph(f"{label} :", bold=True)
                run_text(p.add_run(), " " + value)
        elif isinstance(block, Bullets):
            for item in block.items:
                paragraph(item, style_name="List Bullet")
        elif isinstance(block, Table):
            widths = [Cm(width) for width in _widths(block)]
            element = doc.add_table(rows=1 + len(block.rows), cols=len(block.headers))
            element._tbl.tblPr.style = style_id["Table Grid"]
            element.autofit = False
            for column, width in enumerate(widths):  # the grid's widths: LibreOffice and Word lay out from them
                element.columns[column].width = width
            for index, values in enumerate([block.headers, *block.rows]):
                cells = element.rows[index].cells
                for column, value in enumerate(values):
                    cells[column].width = widths[column]
                    if index == 0:
                        _shade(cells[column])
                    p = cells[column].paragraphs[0]
                    p._p.get_or_add_pPr().style = style_id["cell_header" if index == 0 else "cell"]
                    run_text(p.add_run(), str(value), mono=index > 0 and column in block.monospace)
            _repeat_header(element)
            doc.add_paragraph()
        else:  # pragma: no cover - a new block type must be written by both writers
            raise TypeError(f"Bloc inconnu : {type(block).__name__}")

    out = io.BytesIO()
    doc.save(out)
    return File(out.getvalue(), filename, DOCX)


def _shade(cell) -> None:
    """The header cells on a light grey, as in the ODT."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), "E6E6E6")
    cell._tc.get_or_add_tcPr().append(shading)


def _repeat_header(table) -> None:
    """The header row is printed again at the top of each page a long table runs onto."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    tr_pr = table.rows[0]._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    tr_pr.append(header)


def printable_text(document: Printable) -> str:
    """Every text of the document, one per line (what both writers print; handy for tests and search)."""
    lines = [document.header, document.title, document.subtitle]
    for block in document.blocks:
        if isinstance(block, Heading | Paragraph):
            lines.append(block.text)
        elif isinstance(block, Fields):
            lines += [f"{label} : {value}" for label, value in block.pairs]
        elif isinstance(block, Bullets):
            lines += list(block.items)
        elif isinstance(block, Table):
            lines += [" | ".join(map(str, row)) for row in [block.headers, *block.rows]]
    return "\n".join(french(line) for line in lines if line)
