"""load_referentiel: the shipped files load (twice, identically), bad files are refused with a message naming the
place inside the file and nothing written, a version used by evidence refuses any change of content."""

import copy
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from referentiels.loader import ReferentielError, load_files, snapshot
from referentiels.models import (
    Activity,
    CodeCorrespondence,
    Competency,
    CompetencyTransversal,
    Criterion,
    Diploma,
    ReferentielVersion,
    Task,
)
from referentiels.shipped import shipped_files
from referentiels.usage import register_usage_check, unregister_usage_check

pytestmark = pytest.mark.django_db

SHARED = Path(__file__).resolve().parents[2] / "shared" / "referentiels"
SHARED_FAMILY = SHARED / "referentiel-2TNE-famille-CIEL-MELEC-MFER-ICCER-MEE.json"


def _shipped(name):
    return json.loads((Path("referentiels/data") / name).read_text(encoding="utf-8"))


def _write(tmp_path, doc, name="ref.json"):
    path = tmp_path / name
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return path


def _small():
    """A small valid file of its own (no family, no predecessor)."""
    return {
        "format": "cpro-referentiel/1",
        "diplome": {"code": "TEST", "intitule": "Diplôme d'essai", "type": "CAP"},
        "version": {"code": "2025", "libelle": "TEST 2025", "cfd": "50025525", "source": "Arrêté d'essai"},
        "mef": [{"code": "2502552521", "niveau": "1A"}],
        "blocs": [{"code": "U1", "type": "unite", "libelle": "Unité 1", "competences": ["C1"]}],
        "activites": [
            {
                "code": "A1",
                "libelle": "Activité 1",
                "bloc": "U1",
                "taches": [{"code": "T1.1", "libelle": "Raccorder", "niveaux": ["1A"], "competences": ["C1"]}],
            }
        ],
        "competences": [
            {"code": "C1", "libelle": "Réaliser", "criteres": ["Premier critère", "Deuxième critère"]},
            {"code": "C7", "libelle": "Contrôler", "criteres": ["Un", "Deux", "Trois"]},
        ],
    }


def _refused(paths, expected):
    before = snapshot()
    with pytest.raises(ReferentielError) as exc:
        load_files(paths)
    assert any(expected in m for m in exc.value.messages), exc.value.messages
    assert snapshot() == before  # nothing written
    return exc.value.messages


# --- shipped files ------------------------------------------------------------------------------------------------


def test_every_shipped_file_loads_twice_with_identical_results():
    files = shipped_files()
    assert {f.name for f in files} >= {"2tne-2021.json", "melec-2016.json", "melec-2024.json", "ciel-2023.json"}
    first = load_files(files)
    assert all(v.created for v in first.versions)
    after_first = snapshot()
    second = load_files(files)
    assert not second.written and not any(v.changed for v in second.versions)
    assert snapshot() == after_first  # same rows, same primary keys
    # Each file alone, again: still nothing changes.
    for path in files:
        load_files([path])
        assert snapshot() == after_first


def test_each_shipped_file_names_its_source():
    for path in shipped_files():
        version = json.loads(path.read_text(encoding="utf-8"))["version"]
        assert "rrêté" in version["source"] or "adémécum" in version["source"], path


def test_shipped_content_as_the_modules_need_it():
    load_files(shipped_files())
    melec16 = ReferentielVersion.objects.get(label="MELEC 2016")
    codes = list(Task.objects.filter(version=melec16).values_list("code", flat=True))
    assert codes[0] == "T1-1" and codes[-1] == "T5-3" and len(codes) == 17
    assert list(melec16.blocks.values_list("code", flat=True)) == ["U2", "U31", "U32", "U33"]
    melec24 = ReferentielVersion.objects.get(label="MELEC 2024")
    assert melec24.predecessor == melec16
    assert Task.objects.get(version=melec24, code="T2.3").label == "Câbler, raccorder les matériels électriques"
    assert CodeCorrespondence.objects.filter(version=melec24, old_code="T2-3", new_code="T2.3").exists()
    c7 = Competency.objects.get(version=melec24, code="C7")
    assert c7.criteria.count() >= 2 and [c.position for c in c7.criteria.all()] == list(
        range(1, c7.criteria.count() + 1)
    )
    # MELEC 2024 C1 is linked to the 2TNE family's CC1.
    link = CompetencyTransversal.objects.get(competency__version=melec24, competency__code="C1")
    assert (link.transversal.version.label, link.transversal.code) == ("2TNE 2021", "CC1")
    assert Competency.objects.filter(version__label="2TNE 2021", kind="transversale").count() == 9
    assert Diploma.objects.get(code="MELEC").cfd == "40025520"  # the diploma's current CFD: its latest version's
    assert set(Diploma.objects.values_list("code", flat=True)) == {"2TNE", "MELEC", "CIEL"}


def _big(factor):
    """``_small()`` with ``factor`` times as many activities, tasks, competencies, criteria and links."""
    doc = _small()
    doc["diplome"]["code"] = f"BIG{factor}"
    doc["version"].update(code="1", libelle=f"BIG{factor} 1")
    doc["mef"] = [{"code": f"99{factor:02d}{n:06d}", "niveau": "1A"} for n in range(factor)]
    doc["competences"] = [
        {"code": f"C{n}", "libelle": f"Compétence {n}", "criteres": [f"Critère {k}" for k in range(5)]}
        for n in range(factor * 5)
    ]
    doc["blocs"][0]["competences"] = [c["code"] for c in doc["competences"]]
    doc["activites"] = [
        {
            "code": f"A{a}",
            "libelle": f"Activité {a}",
            "bloc": "U1",
            "taches": [
                {
                    "code": f"T{a}.{t}",
                    "libelle": "Tâche",
                    "competences": [f"C{(a - 1) * 5 + t - 1}", f"C{(a * 5 + t) % (factor * 5)}"],
                }
                for t in range(1, 6)
            ],
        }
        for a in range(1, factor + 1)
    ]
    return doc


def test_loading_takes_a_constant_number_of_queries_whatever_the_size(tmp_path):
    """Bulk writes: a version 6 times larger costs no more queries (below SQLite's batch size: larger inserts are
    split in batches of 999 parameters). The ≤ 2 s figure for the shipped files is printed by --timing."""
    counts = []
    for factor in (1, 6):
        path = _write(tmp_path, _big(factor), f"big{factor}.json")
        with CaptureQueriesContext(connection) as created:
            load_files([path])
        with CaptureQueriesContext(connection) as unchanged:
            load_files([path])
        counts.append((len(created), len(unchanged)))
    assert counts[0] == counts[1]
    assert Criterion.objects.filter(competency__version__label="BIG6 1").count() == 6 * 5 * 5


@pytest.mark.skipif(not SHARED_FAMILY.exists(), reason="../shared/referentiels absent (fichiers de contrôle)")
def test_codes_cross_checked_with_the_shared_family_file():
    shared = json.loads(SHARED_FAMILY.read_text(encoding="utf-8"))["famille_metiers"]
    assert [c["code"] for c in _shipped("2tne-2021.json")["competences"]] == [
        c["code"] for c in shared["competences_communes"]
    ]
    specialities = {s["code"]: s for s in shared["specialites_bac_pro"]}
    for name, code in (("melec-2024.json", "MELEC"), ("ciel-2023.json", "CIEL")):
        ours = _shipped(name)
        theirs = specialities[code]
        their_tasks = {
            t["code"]
            for group in (theirs["poles"], theirs["activites_transversales"])
            for p in group
            for a in ([p] if "taches" in p else p["activites"])
            for t in a["taches"]
        }
        assert {t["code"] for a in ours["activites"] for t in a["taches"]} == their_tasks, name
        mobilised = {c["code"] for c in theirs["competences"] if c.get("mobilisee_dans_diplome", True)}
        assert {c["code"] for c in ours["competences"]} == mobilised, name


# --- the command ------------------------------------------------------------------------------------------------


def test_command_check_writes_nothing_and_timing_prints_the_duration(capsys):
    call_command("load_referentiel", "--check", "--timing")
    out = capsys.readouterr().out
    assert "MELEC 2024 : à créer" in out and "rien n'a été écrit" in out and "Durée" in out
    assert not ReferentielVersion.objects.exists()
    call_command("load_referentiel")
    call_command("load_referentiel")
    assert "MELEC 2024 : inchangée" in capsys.readouterr().out


def test_command_refuses_a_bad_file_with_the_place_in_the_file(tmp_path):
    doc = _small()
    doc["competences"][1]["criteres"][2] = "   "
    with pytest.raises(CommandError, match="diplôme TEST 2025 › compétence C7 › critère 3 : libellé vide"):
        call_command("load_referentiel", str(_write(tmp_path, doc)))
    assert not ReferentielVersion.objects.exists()


# --- bad files: each refused with its message, nothing written ------------------------------------------------


@pytest.fixture
def loaded(db):
    load_files(shipped_files())


def _mutate(change):
    doc = _small()
    change(doc)
    return doc


BAD_FILES = [
    (
        lambda d: d["competences"][1]["criteres"].__setitem__(2, ""),
        "diplôme TEST 2025 › compétence C7 › critère 3 : libellé vide",
    ),
    (
        lambda d: d["activites"][0]["taches"][0].__setitem__("libelle", " "),
        "diplôme TEST 2025 › activité A1 › tâche T1.1 : libellé vide",
    ),
    (
        lambda d: d["competences"].append({"code": "C1", "libelle": "Encore"}),
        "diplôme TEST 2025 › compétence C1 : code en double",
    ),
    (
        lambda d: d["activites"][0]["taches"].append({"code": "T1.1", "libelle": "Bis"}),
        "diplôme TEST 2025 › tâche T1.1 : code en double",
    ),
    (
        lambda d: d["activites"][0]["taches"][0].__setitem__("competences", ["C9"]),
        "activité A1 › tâche T1.1 : lien vers la compétence C9, qui n'existe pas",
    ),
    (
        lambda d: d["blocs"][0].__setitem__("competences", ["C1", "C12"]),
        "bloc U1 : lien vers la compétence C12, qui n'existe pas",
    ),
    (lambda d: d["activites"][0].__setitem__("bloc", "U9"), "activité A1 : bloc U9 inexistant"),
    (
        lambda d: d["activites"][0]["taches"][0].__setitem__("niveaux", ["3E"]),
        "diplôme TEST 2025 › activité A1 › tâche T1.1 › niveau 3E : niveau de classe inconnu « 3E »",
    ),
    (
        lambda d: d["version"].__setitem__("cfd", "5002552"),
        "diplôme TEST 2025 › code CFD : code CFD « 5002552 » invalide",
    ),
    (lambda d: d["version"].__setitem__("precedente", "TEST 2025"), "cycle"),
    (
        lambda d: d["version"].__setitem__("precedente", "TEST 2019"),
        "version précédente : la version TEST 2019 n'existe pas",
    ),
    (lambda d: d["competences"][0].__setitem__("libelle", ""), "diplôme TEST 2025 › compétence C1 : libellé vide"),
    (lambda d: d["diplome"].pop("type"), "diplôme TEST 2025 › diplôme : champ « type » manquant"),
]


@pytest.mark.parametrize("change,expected", BAD_FILES)
def test_bad_file_refused_with_its_message_and_nothing_written(tmp_path, loaded, change, expected):
    _refused([_write(tmp_path, _mutate(change))], expected)


def test_a_bad_file_among_good_ones_refuses_them_all(tmp_path):
    bad = _mutate(lambda d: d["competences"][1]["criteres"].__setitem__(0, ""))
    _refused([*shipped_files(), _write(tmp_path, bad)], "critère 1 : libellé vide")
    assert not ReferentielVersion.objects.exists()


def test_cycle_of_predecessors_across_files(tmp_path, loaded):
    a = _small()
    b = copy.deepcopy(a)
    b["version"].update(code="2026", libelle="TEST 2026", precedente="TEST 2025")
    a["version"]["precedente"] = "TEST 2026"
    b["mef"] = []
    _refused(
        [_write(tmp_path, a, "a.json"), _write(tmp_path, b, "b.json")],
        "cycle de versions (TEST 2025 → TEST 2026 → TEST 2025)",
    )


def test_cycle_through_a_version_already_loaded(tmp_path, loaded):
    melec16 = _shipped("melec-2016.json")
    melec16["version"]["precedente"] = "MELEC 2024"
    _refused([_write(tmp_path, melec16)], "cycle de versions (MELEC 2016 → MELEC 2024 → MELEC 2016)")


def test_correspondence_to_a_missing_old_code(tmp_path, loaded):
    melec24 = _shipped("melec-2024.json")
    melec24["correspondances"].append({"type": "tache", "ancien": "T9-9", "nouveau": "T2.3"})
    _refused([_write(tmp_path, melec24)], "la tâche T9-9 n'existe pas dans MELEC 2016")


def test_link_to_a_missing_transversal_competency(tmp_path, loaded):
    melec24 = _shipped("melec-2024.json")
    melec24["competences"][0]["transversales"] = ["CC12"]
    _refused(
        [_write(tmp_path, melec24)], "compétence C1 : lien vers la compétence transversale CC12, absente de 2TNE 2021"
    )


def test_unreadable_json_names_the_line(tmp_path, loaded):
    path = tmp_path / "broken.json"
    path.write_text('{\n  "format": "cpro-referentiel/1",\n  oops\n}', encoding="utf-8")
    _refused([path], "ligne 3 : JSON illisible")


# --- versions in use ----------------------------------------------------------------------------------------------


def test_an_unused_version_is_updated_in_place(tmp_path, loaded):
    task = Task.objects.get(version__label="MELEC 2024", code="T2.3")
    melec24 = _shipped("melec-2024.json")
    melec24["activites"][1]["taches"][2]["libelle"] = "Câbler et raccorder les matériels électriques"
    result = load_files([_write(tmp_path, melec24)])
    assert result.versions[0].changes == ["tâche T2.3 modifiée"]
    task.refresh_from_db()  # same row, same primary key
    assert task.label == "Câbler et raccorder les matériels électriques"


def test_a_version_used_by_evidence_refuses_a_change_and_proposes_a_new_version(tmp_path, loaded):
    melec24_id = ReferentielVersion.objects.get(label="MELEC 2024").pk

    def evidence(version_ids):  # what a module holding evidence registers
        return {melec24_id} & version_ids

    register_usage_check(evidence)
    try:
        melec24 = _shipped("melec-2024.json")
        melec24["competences"][6]["criteres"][2] = "Un critère corrigé"
        del melec24["activites"][4]["taches"][2]
        melec24["correspondances"] = [c for c in melec24["correspondances"] if c["nouveau"] != "T5.3"]
        messages = _refused([_write(tmp_path, melec24)], "cette version est déjà utilisée")
        assert "compétence C7 › critère 3 modifié" in messages[0]
        assert "tâche T5.3 retirée" in messages[0] and "correspondance T5-3 → T5.3 retirée" in messages[0]
        assert "« MELEC 2024 rév. 2 » (code « 2024-2 ») avec « precedente » : « MELEC 2024 »" in messages[0]
        # The same file unchanged still loads (nothing to change), and metadata may be corrected.
        load_files([Path("referentiels/data/melec-2024.json")])
        melec24 = _shipped("melec-2024.json")
        melec24["version"]["source"] += " (corrigé)"
        assert load_files([_write(tmp_path, melec24)]).versions[0].changes == ["source modifié"]
        # The correction as a new version is accepted.
        melec24 = _shipped("melec-2024.json")
        melec24["version"].update(code="2024-2", libelle="MELEC 2024 rév. 2", precedente="MELEC 2024", cfd="40025520")
        melec24["mef"] = []
        melec24["correspondances"] = [{"type": "tache", "ancien": "T2.3", "nouveau": "T2.3"}]
        load_files([_write(tmp_path, melec24)])
        assert ReferentielVersion.objects.get(label="MELEC 2024 rév. 2").predecessor_id == melec24_id
    finally:
        unregister_usage_check(evidence)


def test_a_frozen_version_refuses_a_change(tmp_path, loaded):
    ReferentielVersion.objects.filter(label="MELEC 2016").update(frozen=True)
    melec16 = _shipped("melec-2016.json")
    melec16["blocs"][0]["libelle"] = "Autre libellé"
    _refused([_write(tmp_path, melec16)], "bloc U2 modifié")


def test_a_mef_code_belongs_to_one_version(tmp_path, loaded):
    doc = _small()
    doc["mef"] = [{"code": "2472552032", "niveau": "1RE"}]
    _refused([_write(tmp_path, doc)], "code MEF 2472552032 : déjà attribué à MELEC 2024")


# --- the platform console ------------------------------------------------------------------------------------------


def test_platform_staff_see_the_referentiels_read_only_and_can_freeze_a_version(loaded):
    from django.test import Client

    from accounts.models import User
    from establishments.scoping import scopes_disabled

    from .conftest import PASSWORD

    with scopes_disabled():
        User.objects.create_superuser("ops", PASSWORD, last_name="Service technique")
    client = Client()
    client.post("/plateforme/login/", {"username": "ops", "password": PASSWORD})
    version = ReferentielVersion.objects.get(label="MELEC 2024")
    page = client.get(f"/plateforme/referentiels/referentielversion/{version.pk}/change/").content.decode()
    assert "2472552032" in page and "T2-3" in page  # MEF codes and the renovation map
    assert "raccorder" in client.get("/plateforme/referentiels/task/?q=raccorder").content.decode()
    competency = Competency.objects.get(version=version, code="C7")
    assert (
        competency.criteria.first().label
        in client.get(f"/plateforme/referentiels/competency/{competency.pk}/change/").content.decode()
    )
    assert client.get("/plateforme/referentiels/task/add/").status_code == 403
    client.post(
        f"/plateforme/referentiels/referentielversion/{version.pk}/change/",
        {
            "frozen": "on",
            **{f"{p}-TOTAL_FORMS": "0" for p in ("mef_codes", "blocks", "correspondences")},
            **{f"{p}-INITIAL_FORMS": "0" for p in ("mef_codes", "blocks", "correspondences")},
        },
    )
    version.refresh_from_db()
    assert version.frozen and version.is_used


def test_usage_checks_read_the_evidence_of_every_establishment(tmp_path, loaded, establishment, make_user):
    """A check queries establishment data with its ordinary (scoped) manager; the loader runs outside any scope."""
    from accounts.models import User

    make_user(establishment, login="ines.petit")
    melec16_id = ReferentielVersion.objects.get(label="MELEC 2016").pk

    def evidence(version_ids):
        return {melec16_id} & version_ids if User.objects.filter(login="ines.petit").exists() else set()

    register_usage_check(evidence)
    try:
        melec16 = _shipped("melec-2016.json")
        melec16["competences"][0]["libelle"] = "Autre"
        _refused([_write(tmp_path, melec16)], "compétence C1 modifiée")
    finally:
        unregister_usage_check(evidence)


def test_a_task_moved_to_a_new_activity_keeps_its_primary_key(tmp_path):
    load_files([_write(tmp_path, _small())])
    task = Task.objects.get(version__label="TEST 2025", code="T1.1")
    doc = _small()
    doc["activites"][0]["code"] = "A9"  # A1 disappears, its task moves to A9
    result = load_files([_write(tmp_path, doc)])
    assert result.versions[0].changes == ["activité A1 retirée", "activité A9 ajoutée", "tâche T1.1 modifiée"]
    moved = Task.objects.get(version__label="TEST 2025", code="T1.1")
    assert moved.pk == task.pk and moved.activity.code == "A9"
    assert list(Activity.objects.filter(version__label="TEST 2025").values_list("code", flat=True)) == ["A9"]


def test_the_schema_is_valid_and_the_readme_example_follows_it():
    from jsonschema import Draft202012Validator

    from referentiels.fileformat import SCHEMA_PATH

    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    example = readme.split("**File format**", 1)[1].split("```json", 1)[1].split("```", 1)[0]
    assert list(Draft202012Validator(schema).iter_errors(json.loads(example))) == []


def test_a_mef_code_moves_between_two_versions_loaded_together(tmp_path, loaded):
    from referentiels.models import MefCode

    melec16, melec24 = _shipped("melec-2016.json"), _shipped("melec-2024.json")
    # From MELEC 2024 to MELEC 2016, which is written first (it is MELEC 2024's predecessor).
    melec24["mef"] = [m for m in melec24["mef"] if m["code"] != "2472552033"]
    melec16["mef"].append({"code": "2472552033", "niveau": "TLE"})
    load_files([_write(tmp_path, melec24, "b.json"), _write(tmp_path, melec16, "a.json")])
    assert MefCode.objects.get(code="2472552033").version.label == "MELEC 2016"
    melec24["mef"].append({"code": "2472552033", "niveau": "TLE"})  # now in both files
    _refused([_write(tmp_path, melec16, "a.json"), _write(tmp_path, melec24, "b.json")], "code MEF 2472552033 : déjà")


def test_a_diploma_renamed_by_its_file_is_renamed(tmp_path, loaded):
    ciel = _shipped("ciel-2023.json")
    ciel["diplome"]["intitule"] = "Cybersécurité, informatique et réseaux, électronique (CIEL)"
    assert load_files([_write(tmp_path, ciel)]).versions[0].changes == ["intitulé ou type du diplôme modifié"]
    assert Diploma.objects.get(code="CIEL").name.endswith("(CIEL)")
