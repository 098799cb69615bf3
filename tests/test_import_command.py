"""``manage.py import_files``: the import service from the command line, with its JSON output."""

import json

import pytest
from django.core.management import call_command

from accounts.models import Profile, User
from establishments.scoping import scope
from tests.import_samples import SMALL


@pytest.fixture
def school(make_establishment):
    return make_establishment(uai="0999999F", name="Lycée Synthétique")


def run_command(*args, capsys):
    code = 0
    try:
        call_command("import_files", *[str(a) for a in args])
    except SystemExit as exc:
        code = exc.code
    return code, capsys.readouterr().out


@pytest.mark.django_db
def test_json_output_of_a_first_import_with_all_files_at_once(school, capsys):
    code, out = run_command("0999999F", SMALL / "Siecle_ElevesEtResponsables.zip",
                            SMALL / "sts_emp_0999999F_2026.zip", "--json", capsys=capsys)
    result = json.loads(out)
    assert code == 0 and result["ok"] is True
    assert result["counts"]["learners"] == {"created": 10, "kept": 0, "deactivated": 0, "reactivated": 0}
    assert {k: v["created"] for k, v in result["counts"].items()} == {
        "teachers": 8, "heads": 1, "learners": 10, "guardians": 18, "divisions": 6, "groups": 3}
    assert result["learners_without_ine"] == 1
    assert all({"file", "line", "record", "message"} <= set(p) for p in result["problems"])
    with scope(establishment=school):
        assert User.objects.filter(profile=Profile.LEARNER).count() == 10


@pytest.mark.django_db
def test_analyse_writes_nothing(school, capsys):
    code, out = run_command("0999999F", SMALL / "sts_emp_0999999F_2026.xml", "--analyse", "--json", capsys=capsys)
    assert code == 0 and json.loads(out)["counts"]["teachers"]["created"] == 8
    with scope(establishment=school):
        assert not User.objects.exists()


@pytest.mark.django_db
def test_refused_files_exit_non_zero_with_the_problems(school, capsys, tmp_path):
    code, out = run_command("0999999F", SMALL / "ElevesSansAdresses.xml", "--json", capsys=capsys)
    result = json.loads(out)
    assert code == 1 and result["ok"] is False
    assert any("en premier" in p["message"] and p["file"] == "ElevesSansAdresses.xml" for p in result["problems"])

    wrong = tmp_path / "sts.xml"
    wrong.write_bytes((SMALL / "sts_emp_0999999F_2026.xml").read_bytes().replace(b'"0999999F"', b'"0750654D"'))
    code, out = run_command("0999999F", wrong, "--json", capsys=capsys)
    assert code == 1 and "0750654D" in out


@pytest.mark.django_db
def test_plain_output_speaks_french(school, capsys):
    code, out = run_command("0999999F", SMALL / "sts_emp_0999999F_2026.xml", capsys=capsys)
    assert code == 0
    assert "Import terminé" in out and "Enseignants : 8 créés" in out
