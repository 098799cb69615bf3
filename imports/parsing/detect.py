"""Recognise a file by its content (root element), never by its name."""

from __future__ import annotations

from collections.abc import Collection

from .errors import ParseRefused, Problem, error
from .records import FileKind
from .safety import DEFAULT_LIMITS, Content, Limits, XmlReader, iter_documents

ROOT_KINDS: dict[str, FileKind] = {
    "STS_EDT": FileKind.STS,
    "BEE_ELEVES": FileKind.LEARNERS,
    "BEE_RESPONSABLES": FileKind.GUARDIANS,
}

_OTHER_ROOTS: dict[str, str] = {
    "EDT_STS": (
        "ce fichier est un export d'un logiciel d'emploi du temps vers STS-web (emp_sts, sens inverse), "
        "pas le fichier attendu. Exportez depuis STS-web le fichier sts_emp_<UAI>_<année>.xml "
        "(Mise à jour > Exports > Emploi du temps)."
    ),
    "BEE_STRUCTURES": (
        "ce fichier est le fichier Structures.xml de SIECLE, que CPro n'utilise pas : les classes et groupes "
        "viennent du fichier STS-web (sts_emp) et du fichier des élèves (ElevesSansAdresses)."
    ),
    "BEE_NOMENCLATURES": (
        "ce fichier est le fichier Nomenclature.xml de SIECLE, que CPro n'utilise pas : envoyez "
        "ElevesSansAdresses.xml, ResponsablesAvecAdresses.xml ou sts_emp_<UAI>_<année>.xml."
    ),
}


def kind_of_root(tag: str, file: str, line: int | None) -> FileKind:
    """The kind of a root element; refuse anything CPro does not import."""
    kind = ROOT_KINDS.get(tag)
    if kind is not None:
        return kind
    message = _OTHER_ROOTS.get(tag)
    if message is None and tag.startswith("BEE_"):
        message = f"ce fichier est un export SIECLE « {tag} » que CPro n'utilise pas."
    if message is None:
        message = (
            f"ce fichier XML (élément racine « {tag} ») n'est pas un export SIECLE ou STS-web reconnu : "
            "envoyez ElevesSansAdresses.xml, ResponsablesAvecAdresses.xml ou sts_emp_<UAI>_<année>.xml."
        )
    raise ParseRefused(error(file, message, line=line))


def wrong_kind_problem(found: FileKind, expected: Collection[FileKind], file: str, line: int | None) -> Problem:
    """« ce fichier est le fichier des élèves (…), pas le fichier STS-web (…) attendu »."""
    wanted = sorted(expected, key=list(FileKind).index)
    if len(wanted) == 1:
        target = f"{wanted[0].label} attendu"
    else:
        target = "l'un des fichiers attendus : " + " ou ".join(kind.label for kind in wanted)
    return error(file, f"ce fichier est {found.label}, pas {target}.", line=line)


def detect_kind(content: Content, name: str = "fichier", limits: Limits = DEFAULT_LIMITS) -> FileKind | None:
    """Kind of a plain XML file (or of the first XML member of a ZIP), reading only up to its root element.

    Returns None when the content is not one of the three files CPro imports.
    """
    try:
        for document in iter_documents(name, content, [], limits):
            root = XmlReader(document.stream, document.name).read_root()
            return ROOT_KINDS.get(str(root.tag))
    except ParseRefused:
        return None
    return None
