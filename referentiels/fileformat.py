"""Reading and checking référentiel files (format ``cpro-referentiel/1``, described in the README « Référentiels »).

``read_files(paths)`` parses every file, checks it against ``referentiel.schema.json`` then against the rules a
schema cannot say (duplicate codes, links to a code that does not exist, a cycle of versions), and returns the
parsed versions in the order they must be written (a version after its predecessor and its family). Every
problem is a ``ReferentielError`` whose French message names the place inside the file:
``diplôme MELEC 2024 › compétence C7 › critère 3 : libellé vide``. Nothing here touches the database except
reading the versions already loaded (to resolve a predecessor or a family named by a file loaded earlier).
"""

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from jsonschema import Draft202012Validator

from referentiels.models import ClassLevel

SCHEMA_PATH = Path(__file__).with_name("referentiel.schema.json")
FORMAT = "cpro-referentiel/1"

# Names of the file's sections, as the messages say them.
_SECTION_ITEM = {
    "mef": "code MEF",
    "blocs": "bloc",
    "activites": "activité",
    "taches": "tâche",
    "competences": "compétence",
    "criteres": "critère",
    "correspondances": "correspondance",
    "transversales": "compétence transversale",
    "niveaux": "niveau",
}
_FIELD_NAMES = {
    "libelle": "libellé",
    "intitule": "intitulé",
    "cfd": "code CFD",
    "code": "code",
    "source": "source",
    "type": "type",
    "precedente": "version précédente",
    "famille": "famille",
    "premiere_session": "première session",
    "source_url": "adresse de la source",
    "bloc": "bloc",
    "ancien": "ancien code",
    "nouveau": "nouveau code",
    "format": "format",
    "diplome": "diplôme",
}


class ReferentielError(Exception):
    """A file refused; ``messages`` lists every problem found (French, each naming its place in the file)."""

    def __init__(self, messages):
        self.messages = list(messages)
        super().__init__("\n".join(self.messages))


@dataclass
class ParsedVersion:
    path: str
    data: dict
    diploma_code: str
    label: str
    predecessor_label: str | None
    family_label: str | None


@cache
def _validator() -> Draft202012Validator:
    return Draft202012Validator(json.loads(SCHEMA_PATH.read_text(encoding="utf-8")))


def _place(data: dict, path) -> list[str]:
    """The parts of a JSON path, in French, using the codes of the items met on the way."""
    parts = []
    node = data
    path = list(path)
    i = 0
    while i < len(path):
        key = path[i]
        child = node.get(key) if isinstance(node, dict) else None
        if isinstance(key, str) and isinstance(child, list) and i + 1 < len(path) and isinstance(path[i + 1], int):
            index = path[i + 1]
            item = child[index] if index < len(child) else None
            name = _SECTION_ITEM.get(key, key)
            if isinstance(item, dict) and isinstance(item.get("code"), str) and item["code"].strip():
                parts.append(f"{name} {item['code']}")  # « compétence C7 »
            elif isinstance(item, str) and key != "criteres" and item.strip():
                parts.append(f"{name} {item}")  # a code in a list of links or levels: « niveau 3E »
            else:
                parts.append(f"{name} {index + 1}")  # « critère 3 » (numbered from 1, as published)
            node = item
            i += 2
            continue
        if isinstance(key, str) and key != "version":  # the message's prefix names the version already
            parts.append(_FIELD_NAMES.get(key, key))
        node = child
        i += 1
    return parts


def _schema_message(error) -> str:
    kind = error.validator
    value = error.instance
    if kind == "required":
        missing = [name for name in error.validator_value if not (isinstance(value, dict) and name in value)]
        return f"champ « {missing[0] if missing else '?'} » manquant"
    if kind == "additionalProperties":
        extra = sorted(set(value) - set(error.schema.get("properties", {}))) if isinstance(value, dict) else []
        return f"champ inconnu « {', '.join(extra)} »"
    if kind == "type":
        expected = {"string": "un texte", "array": "une liste", "object": "un objet", "integer": "un entier"}
        return f"{expected.get(error.validator_value, error.validator_value)} est attendu"
    if kind == "enum":
        if error.validator_value == list(ClassLevel.values):
            return f"niveau de classe inconnu « {value} » (attendus : {', '.join(ClassLevel.values)})"
        return f"valeur inconnue « {value} » (attendues : {', '.join(map(str, error.validator_value))})"
    if kind == "const":
        return f"format « {value} » inconnu (attendu : {FORMAT})"
    if kind == "pattern":
        field_name = error.absolute_path[-1] if error.absolute_path else ""
        if error.validator_value == "\\S":
            return "libellé vide" if field_name in ("libelle", "intitule") or isinstance(field_name, int) else "vide"
        if field_name == "cfd":
            return f"code CFD « {value} » invalide : 8 caractères (chiffres ou majuscules) attendus"
        if field_name == "source_url":
            return f"adresse « {value} » invalide (http:// ou https:// attendu)"
        return f"« {value} » n'a pas la forme attendue"
    if kind == "maxLength":
        return f"texte trop long ({len(value)} caractères, {error.validator_value} au plus)"
    if kind in ("minimum", "maximum"):
        return f"valeur {value} hors des limites"
    return error.message


def _prefix(data: dict, path_label: str) -> str:
    version = data.get("version") if isinstance(data, dict) else None
    label = version.get("libelle") if isinstance(version, dict) else None
    return f"diplôme {label}" if isinstance(label, str) and label.strip() else f"fichier {path_label}"


def _message(data, path_label, parts, text) -> str:
    return " › ".join([_prefix(data, path_label), *parts]) + f" : {text}"


def _check_schema(data, path_label) -> list[str]:
    errors = sorted(_validator().iter_errors(data), key=lambda e: list(map(str, e.absolute_path)))
    messages = []
    for error in errors:
        parts = _place(data, error.absolute_path)
        if (
            error.validator == "pattern"
            and error.validator_value == "\\S"
            and parts
            and parts[-1] in ("libellé", "intitulé")
        ):
            parts = parts[:-1]  # "compétence C1 : libellé vide", not "compétence C1 › libellé : libellé vide"
        messages.append(_message(data, path_label, parts, _schema_message(error)))
    return messages


def _duplicates(items, what, data, path_label, parents=()):
    seen, errors = set(), []
    for item in items:
        code = item["code"]
        if code in seen:
            errors.append(_message(data, path_label, [*parents, f"{what} {code}"], "code en double"))
        seen.add(code)
    return seen, errors


def _check_rules(data: dict, path_label: str) -> list[str]:
    """The rules of one file that its schema cannot express (codes, links inside the file)."""
    errors = []
    msg = lambda parts, text: _message(data, path_label, parts, text)  # noqa: E731

    blocks, e = _duplicates(data.get("blocs", []), "bloc", data, path_label)
    errors += e
    activities, e = _duplicates(data.get("activites", []), "activité", data, path_label)
    errors += e
    tasks = [t for a in data.get("activites", []) for t in a["taches"]]
    task_codes, e = _duplicates(tasks, "tâche", data, path_label)
    errors += e
    competencies, e = _duplicates(data.get("competences", []), "compétence", data, path_label)
    errors += e
    _, e = _duplicates(data.get("mef", []), "code MEF", data, path_label)
    errors += e
    for code in blocks & activities:
        errors.append(msg([f"activité {code}"], "code déjà pris par un bloc"))

    for block in data.get("blocs", []):
        for code in _repeated(block.get("competences", [])):
            errors.append(msg([f"bloc {block['code']}", f"compétence {code}"], "lien en double"))
        for code in block.get("competences", []):
            if code not in competencies:
                errors.append(msg([f"bloc {block['code']}"], f"lien vers la compétence {code}, qui n'existe pas"))
    for activity in data.get("activites", []):
        if "bloc" in activity and activity["bloc"] not in blocks:
            errors.append(msg([f"activité {activity['code']}"], f"bloc {activity['bloc']} inexistant"))
        for task in activity["taches"]:
            where = [f"activité {activity['code']}", f"tâche {task['code']}"]
            for code in _repeated(task.get("competences", [])):
                errors.append(msg([*where, f"compétence {code}"], "lien en double"))
            for code in task.get("competences", []):
                if code not in competencies:
                    errors.append(msg(where, f"lien vers la compétence {code}, qui n'existe pas"))
    for competency in data.get("competences", []):
        where = [f"compétence {competency['code']}"]
        for code in _repeated(competency.get("transversales", [])):
            errors.append(msg([*where, f"compétence transversale {code}"], "lien en double"))
        if competency.get("transversales") and "famille" not in data["version"]:
            errors.append(msg(where, "compétences transversales sans « famille » déclarée dans la version"))
        if competency.get("type") == "transversale" and competency.get("transversales"):
            errors.append(msg(where, "une compétence transversale ne peut pas être liée à une autre"))
    seen_corr = set()
    for index, corr in enumerate(data.get("correspondances", []), start=1):
        key = (corr["type"], corr["ancien"], corr["nouveau"])
        where = [f"correspondance {index} ({corr['ancien']} → {corr['nouveau']})"]
        if key in seen_corr:
            errors.append(msg(where, "correspondance en double"))
        seen_corr.add(key)
        if "precedente" not in data["version"]:
            errors.append(msg(where, "correspondance sans « precedente » déclarée dans la version"))
        new_codes = task_codes if corr["type"] == "tache" else competencies
        if corr["nouveau"] not in new_codes:
            kind = "tâche" if corr["type"] == "tache" else "compétence"
            errors.append(msg(where, f"la {kind} {corr['nouveau']} n'existe pas dans cette version"))
    if data["version"].get("precedente") == data["version"]["libelle"]:
        errors.append(msg(["version précédente"], "une version ne peut pas se précéder elle-même (cycle)"))
    if data["version"].get("famille") == data["version"]["libelle"]:
        errors.append(msg(["famille"], "une version ne peut pas être sa propre famille (cycle)"))
    return errors


def _repeated(codes):
    seen, repeated = set(), []
    for code in codes:
        if code in seen and code not in repeated:
            repeated.append(code)
        seen.add(code)
    return repeated


def parse(text: str, path_label: str) -> ParsedVersion:
    """One file's text → a ParsedVersion, or ReferentielError listing all its problems."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ReferentielError([f"fichier {path_label} › ligne {exc.lineno} : JSON illisible ({exc.msg})"]) from None
    errors = _check_schema(data, path_label)
    if errors:
        raise ReferentielError(errors)
    errors = _check_rules(data, path_label)
    if errors:
        raise ReferentielError(errors)
    version = data["version"]
    return ParsedVersion(
        path=path_label,
        data=data,
        diploma_code=data["diplome"]["code"],
        label=version["libelle"],
        predecessor_label=version.get("precedente"),
        family_label=version.get("famille"),
    )


def read_files(paths) -> list[ParsedVersion]:
    """Parse every file, check the links between files (and versions already loaded), order them for writing."""
    from referentiels.models import Competency, ReferentielVersion

    errors, parsed = [], []
    for path in paths:
        path = Path(path)
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            errors.append(f"fichier {path} : illisible ({exc.__class__.__name__})")
            continue
        try:
            parsed.append(parse(text, str(path)))
        except ReferentielError as exc:
            errors += exc.messages
    if errors:
        raise ReferentielError(errors)

    by_label: dict[str, ParsedVersion] = {}
    for item in parsed:
        if item.label in by_label:
            errors.append(f"diplôme {item.label} : version présente dans deux fichiers ({by_label[item.label].path})")
        by_label[item.label] = item
    diploma_names: dict[str, tuple] = {}
    for item in parsed:
        d = item.data["diplome"]
        known = diploma_names.setdefault(item.diploma_code, (d["intitule"], d["type"], item.label))
        if known[:2] != (d["intitule"], d["type"]):
            errors.append(
                f"diplôme {item.label} › diplôme {item.diploma_code} : intitulé ou type différent de {known[2]}"
            )

    stored = {
        v.label: v
        for v in ReferentielVersion.objects.select_related("predecessor", "diploma").filter(
            label__in={x for p in parsed for x in (p.predecessor_label, p.family_label) if x} | set(by_label)
        )
    }
    for item in parsed:
        v = item.data["version"]
        same = stored.get(item.label)
        if same and (same.diploma.code, same.code) != (item.diploma_code, v["code"]):
            errors.append(
                f"diplôme {item.label} : ce libellé est déjà celui de la version {same.diploma.code} / {same.code}"
            )
        for label, what in ((item.predecessor_label, "version précédente"), (item.family_label, "famille")):
            if label and label not in by_label and label not in stored:
                errors.append(f"diplôme {item.label} › {what} : la version {label} n'existe pas")
        if item.predecessor_label:
            target = by_label.get(item.predecessor_label)
            pred_diploma = (
                target.diploma_code if target else getattr(stored.get(item.predecessor_label), "diploma", None)
            )
            pred_diploma = pred_diploma if isinstance(pred_diploma, str) else getattr(pred_diploma, "code", None)
            if pred_diploma and pred_diploma != item.diploma_code:
                errors.append(
                    f"diplôme {item.label} › version précédente : {item.predecessor_label} est d'un autre diplôme"
                )
    if errors:
        raise ReferentielError(errors)

    errors += _cycles(parsed, by_label)
    if errors:
        raise ReferentielError(errors)

    # Codes of the predecessors and families that links name: from the files, else from the database.
    outside = {x for p in parsed for x in (p.predecessor_label, p.family_label) if x and x not in by_label}
    stored_codes: dict[str, dict[str, set[str]]] = {
        label: {"tache": set(), "competence": set(), "transversale": set()} for label in outside
    }
    if outside:
        from referentiels.models import Task

        for label, code in Task.objects.filter(version__label__in=outside).values_list("version__label", "code"):
            stored_codes[label]["tache"].add(code)
        for label, code, kind in Competency.objects.filter(version__label__in=outside).values_list(
            "version__label", "code", "kind"
        ):
            stored_codes[label]["competence"].add(code)
            if kind == Competency.Kind.TRANSVERSAL:
                stored_codes[label]["transversale"].add(code)

    def codes_of(label):
        if label in by_label:
            data = by_label[label].data
            comps = data.get("competences", [])
            return {
                "tache": {t["code"] for a in data.get("activites", []) for t in a["taches"]},
                "competence": {c["code"] for c in comps},
                "transversale": {c["code"] for c in comps if c.get("type") == "transversale"},
            }
        return stored_codes[label]

    for item in parsed:
        data = item.data
        if item.family_label:
            offered = codes_of(item.family_label)["transversale"]
            for comp in data.get("competences", []):
                for code in comp.get("transversales", []):
                    if code not in offered:
                        errors.append(
                            _message(
                                data,
                                item.path,
                                [f"compétence {comp['code']}"],
                                f"lien vers la compétence transversale {code}, absente de {item.family_label}",
                            )
                        )
        if item.predecessor_label:
            old = codes_of(item.predecessor_label)
            for index, corr in enumerate(data.get("correspondances", []), start=1):
                if corr["ancien"] not in old[corr["type"]]:
                    kind = "tâche" if corr["type"] == "tache" else "compétence"
                    errors.append(
                        _message(
                            data,
                            item.path,
                            [f"correspondance {index} ({corr['ancien']} → {corr['nouveau']})"],
                            f"la {kind} {corr['ancien']} n'existe pas dans {item.predecessor_label}",
                        )
                    )
    if errors:
        raise ReferentielError(errors)
    return _ordered(parsed, by_label)


def _cycles(parsed, by_label) -> list[str]:
    """A version may not, through its predecessors and families, depend on itself."""
    from referentiels.models import ReferentielVersion

    graph = {
        label: [pred] if pred else []
        for label, pred in ReferentielVersion.objects.values_list("label", "predecessor__label")
    }
    for item in parsed:
        graph[item.label] = [x for x in (item.predecessor_label, item.family_label) if x]
    errors = []
    for item in parsed:
        seen, stack = {item.label}, [(item.label, [item.label])]
        while stack:
            current, chain = stack.pop()
            for dep in graph.get(current, []):
                if dep == item.label:
                    errors.append(f"diplôme {item.label} : cycle de versions ({' → '.join([*chain, dep])})")
                    stack = []
                    break
                if dep not in seen:
                    seen.add(dep)
                    stack.append((dep, [*chain, dep]))
    return errors


def _ordered(parsed, by_label) -> list[ParsedVersion]:
    done, order = set(), []

    def visit(item):
        if item.label in done:
            return
        done.add(item.label)
        for dep in (item.predecessor_label, item.family_label):
            if dep in by_label:
                visit(by_label[dep])
        order.append(item)

    for item in parsed:
        visit(item)
    return order
