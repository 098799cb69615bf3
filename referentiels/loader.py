"""Writing référentiel files into the database (``python manage.py load_referentiel``).

``load_files(paths)`` reads and checks every file (``referentiels.fileformat``), compares each version with what
is stored, refuses the whole batch if one file is bad or would change a version that evidence already uses, and
otherwise writes the differences in one transaction with bulk queries. Rows are updated in place, never dropped
and recreated: their primary keys stay stable (loading the same files twice writes nothing).

A version's *content* (blocks, activities, tasks, competencies, criteria, links, correspondences) is frozen once
used. Its metadata (source, CFD, first session, MEF codes) and the diploma's name stay editable: they describe the
version without changing what a learner's evidence points at.
"""

import time
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import F, ProtectedError

from referentiels.fileformat import ParsedVersion, ReferentielError, read_files
from referentiels.models import (
    Activity,
    Block,
    BlockCompetency,
    CodeCorrespondence,
    Competency,
    CompetencyTransversal,
    Criterion,
    Diploma,
    MefCode,
    ReferentielVersion,
    Task,
    TaskCompetency,
)
from referentiels.usage import used_version_ids

__all__ = ["LoadResult", "ReferentielError", "VersionResult", "load_files", "snapshot"]


@dataclass
class VersionResult:
    label: str
    created: bool = False
    changes: list[str] = field(default_factory=list)  # what differs from the stored version, in French

    @property
    def changed(self) -> bool:
        return self.created or bool(self.changes)


@dataclass
class LoadResult:
    versions: list[VersionResult]
    seconds: float
    written: bool


# ---------------------------------------------------------------------------------------------------------------
# A version's state, in codes (not primary keys), from a file or from the database, so the two compare directly.


def _file_state(item: ParsedVersion) -> dict:
    data = item.data
    version = data["version"]
    tasks, task_comp, block_comp, comp_cc, criteria = {}, set(), set(), set(), {}
    for block in data.get("blocs", []):
        block_comp |= {(block["code"], code) for code in block.get("competences", [])}
    position = 0
    for activity in data.get("activites", []):
        for task in activity["taches"]:
            position += 1
            tasks[task["code"]] = (task["libelle"], position, activity["code"], tuple(task.get("niveaux", [])))
            task_comp |= {(task["code"], code) for code in task.get("competences", [])}
    competencies = {}
    for index, comp in enumerate(data.get("competences", []), start=1):
        kind = comp.get("type", Competency.Kind.PROFESSIONAL)
        competencies[comp["code"]] = (kind, comp["libelle"], index, tuple(comp.get("niveaux", [])))
        for rank, label in enumerate(comp.get("criteres", []), start=1):
            criteria[(comp["code"], rank)] = label
        comp_cc |= {(comp["code"], item.family_label, code) for code in comp.get("transversales", [])}
    return {
        "meta": {
            "cfd": version.get("cfd", ""),
            "first_session": version.get("premiere_session"),
            "source": version["source"],
            "source_url": version.get("source_url", ""),
        },
        "predecessor": item.predecessor_label,
        "mef": {m["code"]: m.get("niveau", "") for m in data.get("mef", [])},
        "blocks": {
            b["code"]: (b["type"], b["libelle"], index) for index, b in enumerate(data.get("blocs", []), start=1)
        },
        "activities": {
            a["code"]: (a["libelle"], index, a.get("bloc"))
            for index, a in enumerate(data.get("activites", []), start=1)
        },
        "tasks": tasks,
        "competencies": competencies,
        "criteria": criteria,
        "block_comp": block_comp,
        "task_comp": task_comp,
        "comp_cc": comp_cc,
        "correspondences": {(c["type"], c["ancien"], c["nouveau"]) for c in data.get("correspondances", [])},
    }


def _stored_state(version: ReferentielVersion) -> dict:
    v = version
    return {
        "meta": {"cfd": v.cfd, "first_session": v.first_session, "source": v.source, "source_url": v.source_url},
        "predecessor": v.predecessor.label if v.predecessor_id else None,
        "mef": dict(MefCode.objects.filter(version=v).values_list("code", "class_level")),
        "blocks": {b.code: (b.kind, b.label, b.position) for b in Block.objects.filter(version=v)},
        "activities": {
            code: (label, position, block)
            for code, label, position, block in Activity.objects.filter(version=v).values_list(
                "code", "label", "position", "block__code"
            )
        },
        "tasks": {
            code: (label, position, activity, tuple(levels))
            for code, label, position, activity, levels in Task.objects.filter(version=v).values_list(
                "code", "label", "position", "activity__code", "class_levels"
            )
        },
        "competencies": {
            c.code: (c.kind, c.label, c.position, tuple(c.class_levels)) for c in Competency.objects.filter(version=v)
        },
        "criteria": {
            (code, position): label
            for code, position, label in Criterion.objects.filter(competency__version=v).values_list(
                "competency__code", "position", "label"
            )
        },
        "block_comp": set(
            BlockCompetency.objects.filter(block__version=v).values_list("block__code", "competency__code")
        ),
        "task_comp": set(TaskCompetency.objects.filter(task__version=v).values_list("task__code", "competency__code")),
        "comp_cc": set(
            CompetencyTransversal.objects.filter(competency__version=v).values_list(
                "competency__code", "transversal__version__label", "transversal__code"
            )
        ),
        "correspondences": set(
            CodeCorrespondence.objects.filter(version=v).values_list("kind", "old_code", "new_code")
        ),
    }


_CONTENT_NAMES = {
    "blocks": "bloc",
    "activities": "activité",
    "tasks": "tâche",
    "competencies": "compétence",
}


def _content_changes(old: dict, new: dict) -> list[str]:
    """What differs in a version's content, one French line per code (the metadata is not content)."""
    changes = []
    if old["predecessor"] != new["predecessor"]:
        changes.append(f"version précédente : {old['predecessor'] or 'aucune'} → {new['predecessor'] or 'aucune'}")
    for key, name in _CONTENT_NAMES.items():
        e = "" if name == "bloc" else "e"  # agreement of the participle
        for code in sorted(set(old[key]) | set(new[key])):
            if code not in new[key]:
                changes.append(f"{name} {code} retiré{e}")
            elif code not in old[key]:
                changes.append(f"{name} {code} ajouté{e}")
            elif old[key][code] != new[key][code]:
                changes.append(f"{name} {code} modifié{e}")
    for code, rank in sorted(set(old["criteria"]) | set(new["criteria"])):
        if old["criteria"].get((code, rank)) != new["criteria"].get((code, rank)):
            changes.append(f"compétence {code} › critère {rank} modifié")
    for key, name in (("block_comp", "bloc"), ("task_comp", "tâche")):
        for a, b in sorted(old[key] ^ new[key]):
            changes.append(f"lien {name} {a} ↔ compétence {b} {'retiré' if (a, b) in old[key] else 'ajouté'}")
    for comp, family, code in sorted(old["comp_cc"] ^ new["comp_cc"]):
        what = "retiré" if (comp, family, code) in old["comp_cc"] else "ajouté"
        changes.append(f"lien compétence {comp} ↔ {code} ({family}) {what}")
    for kind, a, b in sorted(old["correspondences"] ^ new["correspondences"]):
        what = "retirée" if (kind, a, b) in old["correspondences"] else "ajoutée"
        changes.append(f"correspondance {a} → {b} {what}")
    return changes


def _meta_changes(old: dict, new: dict) -> list[str]:
    names = {"cfd": "code CFD", "first_session": "première session", "source": "source", "source_url": "adresse"}
    changes = [f"{names[k]} modifié" for k in names if old["meta"][k] != new["meta"][k]]
    if old["mef"] != new["mef"]:
        changes.append("codes MEF modifiés")
    return changes


def _proposed_version(version: ReferentielVersion, label: str) -> str:
    """A free label and code for the corrected version: « MELEC 2024 rév. 2 », code « 2024-2 »."""
    labels = set(ReferentielVersion.objects.filter(label__startswith=label).values_list("label", flat=True))
    codes = set(version.diploma.versions.values_list("code", flat=True))
    n = 2
    while f"{label} rév. {n}" in labels or f"{version.code}-{n}"[:20] in codes:
        n += 1
    return f"« {label} rév. {n} » (code « {f'{version.code}-{n}'[:20]} »)"


# ---------------------------------------------------------------------------------------------------------------
# Writing


def _sync(model, version, wanted: dict, make, fields, removals: list) -> dict:
    """Make the rows of ``model`` in ``version`` match ``wanted`` (code → values); return code → row.

    The rows to remove are only noted in ``removals``: deleted once every row is updated, so that a task moved to a
    new activity is not taken away by the cascade of its old activity's deletion (it keeps its primary key)."""
    rows = {row.code: row for row in model.objects.filter(version=version)}
    removals.append((model, [row.pk for code, row in rows.items() if code not in wanted]))
    changed, new = [], []
    for code, values in wanted.items():
        row = rows.get(code)
        if row is None:
            new.append(make(code, values))
            continue
        fresh = make(code, values)
        if any(getattr(row, f) != getattr(fresh, f) for f in fields):
            for f in fields:
                setattr(row, f, getattr(fresh, f))
            changed.append(row)
    if changed:
        model.objects.bulk_update(changed, fields)
    for row in model.objects.bulk_create(new):
        rows[row.code] = row
    if new and any(row.pk is None for row in new):  # a backend that returns no keys from a bulk insert
        rows = {row.code: row for row in model.objects.filter(version=version)}
    return {code: rows[code] for code in wanted}


def _sync_pairs(model, existing: dict, wanted: set, make) -> None:
    """``existing``: key → pk of the stored links; ``wanted``: the keys to keep; ``make(key)`` → a new row."""
    gone = [pk for key, pk in existing.items() if key not in wanted]
    if gone:
        model.objects.filter(pk__in=gone).delete()
    new = [make(key) for key in wanted if key not in existing]
    if new:
        model.objects.bulk_create(new)


def _write(item: ParsedVersion, state: dict, version: ReferentielVersion | None) -> ReferentielVersion:
    data = item.data
    d = data["diplome"]
    diploma, _ = Diploma.objects.get_or_create(code=d["code"], defaults={"name": d["intitule"], "kind": d["type"]})
    if (diploma.name, diploma.kind) != (d["intitule"], d["type"]):
        diploma.name, diploma.kind = d["intitule"], d["type"]
        diploma.save(update_fields=["name", "kind"])
    predecessor = ReferentielVersion.objects.get(label=item.predecessor_label) if item.predecessor_label else None
    fields = {**state["meta"], "label": item.label, "predecessor": predecessor}
    if version is None:
        version = ReferentielVersion.objects.create(diploma=diploma, code=data["version"]["code"], **fields)
    elif any(getattr(version, k) != v for k, v in fields.items()):
        for k, v in fields.items():
            setattr(version, k, v)
        version.save(update_fields=list(fields))

    mef_rows = {m.code: m for m in MefCode.objects.filter(version=version)}
    MefCode.objects.filter(pk__in=[m.pk for c, m in mef_rows.items() if c not in state["mef"]]).delete()
    changed = [m for c, m in mef_rows.items() if c in state["mef"] and m.class_level != state["mef"][c]]
    for m in changed:
        m.class_level = state["mef"][m.code]
    MefCode.objects.bulk_update(changed, ["class_level"])
    MefCode.objects.bulk_create(
        [MefCode(version=version, code=c, class_level=lvl) for c, lvl in state["mef"].items() if c not in mef_rows]
    )

    removals = []
    blocks = _sync(
        Block,
        version,
        state["blocks"],
        lambda code, v: Block(version=version, code=code, kind=v[0], label=v[1], position=v[2]),
        ["kind", "label", "position"],
        removals,
    )
    activities = _sync(
        Activity,
        version,
        state["activities"],
        lambda code, v: Activity(
            version=version, code=code, label=v[0], position=v[1], block=blocks[v[2]] if v[2] else None
        ),
        ["label", "position", "block_id"],
        removals,
    )
    competencies = _sync(
        Competency,
        version,
        state["competencies"],
        lambda code, v: Competency(
            version=version, code=code, kind=v[0], label=v[1], position=v[2], class_levels=list(v[3])
        ),
        ["kind", "label", "position", "class_levels"],
        removals,
    )
    tasks = _sync(
        Task,
        version,
        state["tasks"],
        lambda code, v: Task(
            version=version, code=code, label=v[0], position=v[1], activity=activities[v[2]], class_levels=list(v[3])
        ),
        ["label", "position", "activity_id", "class_levels"],
        removals,
    )

    stored = {
        (code, pos): (pk, label)
        for pk, code, pos, label in Criterion.objects.filter(competency__version=version).values_list(
            "pk", "competency__code", "position", "label"
        )
    }
    Criterion.objects.filter(pk__in=[pk for key, (pk, _) in stored.items() if key not in state["criteria"]]).delete()
    Criterion.objects.bulk_update(
        [
            Criterion(pk=stored[key][0], label=label)
            for key, label in state["criteria"].items()
            if key in stored and stored[key][1] != label
        ],
        ["label"],
    )
    Criterion.objects.bulk_create(
        [
            Criterion(competency=competencies[code], position=pos, label=label)
            for (code, pos), label in state["criteria"].items()
            if (code, pos) not in stored
        ]
    )

    _sync_pairs(
        BlockCompetency,
        {
            (b, c): pk
            for pk, b, c in BlockCompetency.objects.filter(block__version=version).values_list(
                "pk", "block__code", "competency__code"
            )
        },
        state["block_comp"],
        lambda key: BlockCompetency(block=blocks[key[0]], competency=competencies[key[1]]),
    )
    _sync_pairs(
        TaskCompetency,
        {
            (t, c): pk
            for pk, t, c in TaskCompetency.objects.filter(task__version=version).values_list(
                "pk", "task__code", "competency__code"
            )
        },
        state["task_comp"],
        lambda key: TaskCompetency(task=tasks[key[0]], competency=competencies[key[1]]),
    )
    transversals = {}
    if item.family_label:
        transversals = {c.code: c for c in Competency.objects.filter(version__label=item.family_label)}
    _sync_pairs(
        CompetencyTransversal,
        {
            (c, fam, cc): pk
            for pk, c, fam, cc in CompetencyTransversal.objects.filter(competency__version=version).values_list(
                "pk", "competency__code", "transversal__version__label", "transversal__code"
            )
        },
        state["comp_cc"],
        lambda key: CompetencyTransversal(competency=competencies[key[0]], transversal=transversals[key[2]]),
    )
    _sync_pairs(
        CodeCorrespondence,
        {
            (k, a, b): pk
            for pk, k, a, b in CodeCorrespondence.objects.filter(version=version).values_list(
                "pk", "kind", "old_code", "new_code"
            )
        },
        state["correspondences"],
        lambda key: CodeCorrespondence(version=version, kind=key[0], old_code=key[1], new_code=key[2]),
    )
    for model, pks in reversed(removals):  # tasks, competencies, activities, then blocks
        if pks:
            model.objects.filter(pk__in=pks).delete()
    return version


def _refresh_diploma_cfd(diploma_codes) -> None:
    """A diploma's CFD is the one of its most recent version (by first session) that declares one."""
    for diploma in Diploma.objects.filter(code__in=diploma_codes):
        latest = (
            diploma.versions.exclude(cfd="")
            .order_by(F("first_session").desc(nulls_last=True), "-code")
            .values_list("cfd", flat=True)
            .first()
        )
        if latest is not None and latest != diploma.cfd:
            diploma.cfd = latest
            diploma.save(update_fields=["cfd"])


def _mef_conflicts(parsed) -> list[str]:
    """A MEF code maps to one version: not listed by two files, nor taken from a version outside the batch."""
    errors, in_files = [], {}
    for item in parsed:
        for mef in item.data.get("mef", []):
            if mef["code"] in in_files:
                errors.append(
                    f"diplôme {item.label} › code MEF {mef['code']} : déjà attribué à {in_files[mef['code']]}"
                )
            in_files.setdefault(mef["code"], item.label)
    batch = {p.label for p in parsed}
    owners = MefCode.objects.filter(code__in=list(in_files)).values_list("code", "version__label")
    for code, owner in owners:
        # A code may move from a version whose file, loaded now too, no longer lists it.
        if owner != in_files[code] and owner not in batch:
            errors.append(f"diplôme {in_files[code]} › code MEF {code} : déjà attribué à {owner}")
    return errors


def load_files(paths, *, check: bool = False) -> LoadResult:
    """Load the files (all or nothing). ``check``: read, compare and report, write nothing."""
    started = time.perf_counter()
    with transaction.atomic():
        parsed = read_files(paths)
        stored = {
            (v.diploma.code, v.code): v
            for v in ReferentielVersion.objects.select_related("diploma", "predecessor").filter(
                diploma__code__in=[p.diploma_code for p in parsed],
                code__in=[p.data["version"]["code"] for p in parsed],
            )
        }
        used = used_version_ids(v.pk for v in stored.values())
        errors, plans, results = _mef_conflicts(parsed), [], []
        for item in parsed:
            state = _file_state(item)
            version = stored.get((item.diploma_code, item.data["version"]["code"]))
            result = VersionResult(label=item.label, created=version is None)
            if version is not None:
                old = _stored_state(version)
                content = _content_changes(old, state)
                if content and version.pk in used:
                    shown = "; ".join(content[:20]) + (
                        f"; … ({len(content) - 20} de plus)" if len(content) > 20 else ""
                    )
                    errors.append(
                        f"diplôme {item.label} : cette version est déjà utilisée (des traces d'apprenants s'y "
                        f"rattachent, ou elle a été figée), elle ne peut plus changer ({shown}). Chargez ces "
                        f"changements comme une nouvelle version, par exemple "
                        f"{_proposed_version(version, item.label)} avec « precedente » : « {item.label} »."
                    )
                result.changes = content + _meta_changes(old, state)
                if version.label != item.label:
                    result.changes.insert(0, f"libellé : {version.label} → {item.label}")
                d = item.data["diplome"]
                if (version.diploma.name, version.diploma.kind) != (d["intitule"], d["type"]):
                    result.changes.append("intitulé ou type du diplôme modifié")
            plans.append((item, state, version))
            results.append(result)
        if errors:
            raise ReferentielError(errors)
        written = False
        if not check:
            for _item, state, version in plans:  # first free the MEF codes that move to another version
                if version is not None:
                    MefCode.objects.filter(version=version).exclude(code__in=list(state["mef"])).delete()
            for (item, state, version), result in zip(plans, results, strict=True):
                if result.changed:
                    try:
                        _write(item, state, version)
                    except ProtectedError:
                        raise ReferentielError(
                            [
                                f"diplôme {item.label} : une compétence retirée est liée par une autre version "
                                "(compétence transversale) ; retirez d'abord ces liens"
                            ]
                        ) from None
                    written = True
            if written:
                _refresh_diploma_cfd({p.diploma_code for p in parsed})
    return LoadResult(versions=results, seconds=time.perf_counter() - started, written=written)


# ---------------------------------------------------------------------------------------------------------------


def snapshot() -> dict:
    """Every stored référentiel row (primary keys included), in a fixed order: two loads compare with ``==``."""
    models = [
        Diploma,
        ReferentielVersion,
        MefCode,
        Block,
        Activity,
        Task,
        Competency,
        Criterion,
        BlockCompetency,
        TaskCompetency,
        CompetencyTransversal,
        CodeCorrespondence,
    ]
    return {model.__name__: list(model.objects.order_by("pk").values()) for model in models}
