"""The learners' logins of a class as an ODT document, for teachers to print and hand out."""

import io

from odf.opendocument import OpenDocumentText
from odf.style import (
    ParagraphProperties,
    Style,
    TableCellProperties,
    TableColumnProperties,
    TableProperties,
    TextProperties,
)
from odf.table import Table, TableCell, TableColumn, TableRow
from odf.text import H, P


def _styles(doc: OpenDocumentText) -> dict[str, Style]:
    styles = {}
    title = Style(name="Titre", family="paragraph")
    title.addElement(TextProperties(fontsize="16pt", fontweight="bold"))
    title.addElement(ParagraphProperties(marginbottom="0.3cm"))
    doc.styles.addElement(title)
    styles["title"] = title

    small = Style(name="Note", family="paragraph")
    small.addElement(TextProperties(fontsize="10pt"))
    small.addElement(ParagraphProperties(marginbottom="0.3cm"))
    doc.styles.addElement(small)
    styles["note"] = small

    header = Style(name="EnTete", family="paragraph")
    header.addElement(TextProperties(fontweight="bold", fontsize="10pt"))
    doc.styles.addElement(header)
    styles["header"] = header

    cell_text = Style(name="Cellule", family="paragraph")
    cell_text.addElement(TextProperties(fontsize="10pt", fontfamily="monospace"))
    doc.styles.addElement(cell_text)
    styles["cell_text"] = cell_text

    table = Style(name="Tableau", family="table")
    table.addElement(TableProperties(width="17cm", align="center"))
    doc.automaticstyles.addElement(table)
    styles["table"] = table

    cell = Style(name="Case", family="table-cell")
    cell.addElement(TableCellProperties(border="0.5pt solid #000000", padding="0.12cm"))
    doc.automaticstyles.addElement(cell)
    styles["cell"] = cell

    for name, width in (("ColNom", "6cm"), ("ColLogin", "6cm"), ("ColMdp", "5cm")):
        column = Style(name=name, family="table-column")
        column.addElement(TableColumnProperties(columnwidth=width))
        doc.automaticstyles.addElement(column)
        styles[name] = column
    return styles


def learner_access_odt(*, establishment_name: str, uai: str, login_url: str, class_label: str,
                       rows: list[tuple[str, str, str]]) -> bytes:
    """``rows``: (learner's name, login, initial password or "modifié"). Returns the .odt file's bytes."""
    doc = OpenDocumentText()
    st = _styles(doc)
    doc.text.addElement(H(outlinelevel=1, stylename=st["title"],
                          text=f"Identifiants des élèves — classe {class_label}"))
    doc.text.addElement(P(stylename=st["note"], text=f"{establishment_name} (UAI {uai})"))
    doc.text.addElement(P(stylename=st["note"], text=f"Adresse de connexion : {login_url}"))
    doc.text.addElement(P(stylename=st["note"], text=(
        "Le mot de passe initial doit être changé à la première connexion. « modifié » : l'élève a déjà choisi "
        "son mot de passe ; en cas d'oubli, l'administrateur peut le réinitialiser.")))

    table = Table(name="Identifiants", stylename=st["table"])
    for name in ("ColNom", "ColLogin", "ColMdp"):
        table.addElement(TableColumn(stylename=st[name]))
    header = TableRow()
    for label in ("Élève", "Identifiant", "Mot de passe initial"):
        cell = TableCell(stylename=st["cell"], valuetype="string")
        cell.addElement(P(stylename=st["header"], text=label))
        header.addElement(cell)
    table.addElement(header)
    for name, login, password in rows:
        row = TableRow()
        for index, value in enumerate((name, login, password)):
            cell = TableCell(stylename=st["cell"], valuetype="string")
            cell.addElement(P(stylename=st["cell_text"] if index else st["note"], text=value))
            row.addElement(cell)
        table.addElement(row)
    doc.text.addElement(table)

    out = io.BytesIO()
    doc.write(out)
    return out.getvalue()
