import pytest
from axes.models import AccessAttempt

from accounts.models import Profile

from .conftest import PASSWORD


@pytest.mark.django_db
def test_login_then_home_shows_profile_modules(establishment, make_user, client):
    teacher = make_user(establishment, Profile.TEACHER, login="julien.durand")
    response = client.post("/0750654D/connexion/", {"username": "Julien.Durand", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/0750654D/"
    home = client.get("/0750654D/")
    page = home.content.decode()
    assert "Vos classes et vos groupes" in page  # a teacher's home (issue 9 item 16)
    assert "Importations" not in page  # an administrator's module
    assert home["Cache-Control"].startswith("no-store")
    assert client.session["_auth_user_id"] == str(teacher.pk)


@pytest.mark.django_db
def test_wrong_password_and_unknown_login_get_the_same_message(establishment, make_user, client):
    make_user(establishment, Profile.TEACHER, login="julien.durand")
    wrong = client.post("/0750654D/connexion/", {"username": "julien.durand", "password": "nope"})
    unknown = client.post("/0750654D/connexion/", {"username": "personne", "password": "nope"})
    for response in (wrong, unknown):
        assert response.status_code == 200
        assert "Identifiant ou mot de passe incorrect." in response.content.decode()


@pytest.mark.django_db
def test_user_cannot_log_into_another_establishment(establishment, other_establishment, make_user, client):
    make_user(establishment, Profile.TEACHER, login="julien.durand")
    response = client.post("/0999999F/connexion/", {"username": "julien.durand", "password": PASSWORD})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_deactivated_user_is_refused(establishment, make_user, client):
    user = make_user(establishment, Profile.TEACHER, login="julien.durand")
    user.deactivate()
    user.save()
    response = client.post("/0750654D/connexion/", {"username": "julien.durand", "password": PASSWORD})
    assert "Identifiant ou mot de passe incorrect." in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_session_key_changes_at_login(establishment, make_user, client):
    make_user(establishment, Profile.TEACHER, login="julien.durand")
    client.get("/0750654D/connexion/")
    client.session.save()
    before = client.session.session_key
    client.post("/0750654D/connexion/", {"username": "julien.durand", "password": PASSWORD})
    assert client.session.session_key != before


@pytest.mark.django_db
def test_lockout_after_repeated_failures_is_per_establishment_and_login(
    establishment, other_establishment, make_user, client, settings, time_machine
):
    time_machine.move_to("2026-11-23 10:00:00+01:00")
    make_user(establishment, Profile.TEACHER, login="julien.durand")
    other = make_user(other_establishment, Profile.TEACHER, login="julien.durand")
    colleague = make_user(establishment, Profile.TEACHER, login="anne.roux")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/0750654D/connexion/", {"username": "julien.durand", "password": "mauvais"})
    locked = client.post("/0750654D/connexion/", {"username": "julien.durand", "password": PASSWORD})
    assert locked.status_code == 429
    assert "Trop de tentatives" in locked.content.decode()
    assert "_auth_user_id" not in client.session

    # Same IP, other login of the school, and the same login in another establishment: not locked.
    assert client.post("/0750654D/connexion/", {"username": "anne.roux", "password": PASSWORD}).status_code == 302
    assert client.session["_auth_user_id"] == str(colleague.pk)
    client.logout()
    assert client.post("/0999999F/connexion/", {"username": "julien.durand", "password": PASSWORD}).status_code == 302
    assert client.session["_auth_user_id"] == str(other.pk)
    client.logout()

    # After the cool-off the right password works again.
    time_machine.shift(settings.AXES_COOLOFF_TIME.total_seconds() + 1)
    assert client.post("/0750654D/connexion/", {"username": "julien.durand", "password": PASSWORD}).status_code == 302
    assert not AccessAttempt.objects.filter(username="0750654D:julien.durand").exists()


@pytest.mark.django_db
def test_initial_password_forces_a_change_everywhere(learner_with_initial_password, client):
    learner = learner_with_initial_password
    assert learner.initial_password() == "14032009"
    response = client.post("/0750654D/connexion/", {"username": "ines.leroy", "password": "14032009"})
    assert response.status_code == 302
    assert client.get("/0750654D/")["Location"] == "/0750654D/mot-de-passe/"
    # The birth date in any format is refused as a new password.
    refused = client.post("/0750654D/mot-de-passe/", {
        "old_password": "14032009", "new_password1": "ines-14/03/2009", "new_password2": "ines-14/03/2009"})
    assert "date de naissance" in refused.content.decode()
    done = client.post("/0750654D/mot-de-passe/", {
        "old_password": "14032009", "new_password1": "Velo-Rouge-Matin-77", "new_password2": "Velo-Rouge-Matin-77"})
    assert done.status_code == 302
    assert client.get("/0750654D/").status_code == 200
    learner.refresh_from_db()
    assert learner.initial_password() is None and learner.check_password("Velo-Rouge-Matin-77")


@pytest.mark.django_db
def test_staff_initial_password_is_iso_birth_date_and_random_codes_replace_it(establishment, make_user):
    import datetime

    teacher = make_user(establishment, Profile.TEACHER, login="paul.roux", password=None,
                        birth_date=datetime.date(1980, 1, 31))
    assert teacher.initial_password() == "1980-01-31"
    assert teacher.check_password("1980-01-31") and not teacher.check_password("31011980")
    establishment.random_initial_passwords = True
    establishment.save()
    teacher.establishment = establishment
    code = teacher.initial_password()
    assert code != "1980-01-31" and len(code) == 10
    assert teacher.check_password(code) and not teacher.check_password("1980-01-31")


@pytest.mark.django_db
def test_password_validators_refuse_login_and_uai(learner_with_initial_password, client):
    client.post("/0750654D/connexion/", {"username": "ines.leroy", "password": "14032009"})
    for bad, reason in [("ines.leroy-2024-x", "identifiant"), ("lycee-0750654D-x", "UAI")]:
        response = client.post("/0750654D/mot-de-passe/", {
            "old_password": "14032009", "new_password1": bad, "new_password2": bad})
        assert reason in response.content.decode()


@pytest.mark.django_db
def test_logout_ends_the_session(establishment, make_user, login_as):
    client = login_as(make_user(establishment, Profile.TEACHER))
    response = client.post("/0750654D/deconnexion/")
    assert response["Location"] == "/0750654D/connexion/"
    assert client.get("/0750654D/")["Location"].startswith("/0750654D/connexion/")


@pytest.mark.django_db
def test_search_finds_establishment_by_name_and_uai(establishment, other_establishment, client):
    page = client.get("/", {"q": "curie"}).content.decode()
    assert "Lycée Marie Curie" in page and "/0999999F/connexion/" in page and "Jean Jaurès" not in page
    assert client.get("/", {"q": "0750654d"})["Location"] == "/0750654D/connexion/"
    assert "Aucun établissement" in client.get("/", {"q": "zzz"}).content.decode()
    assert client.get("/0000000A/connexion/").status_code == 404


@pytest.mark.django_db
def test_login_follows_next_only_inside_its_own_establishment(establishment, make_user, client):
    make_user(establishment, Profile.ADMIN, login="claire.martin")
    cases = {
        "/0750654D/utilisateurs/": "/0750654D/utilisateurs/",
        "https://evil.example/0750654D/": "/0750654D/",
        "//evil.example/": "/0750654D/",
        "/0999999F/": "/0750654D/",
    }
    for next_url, landing in cases.items():
        client.logout()
        response = client.post("/0750654D/connexion/",
                               {"username": "claire.martin", "password": PASSWORD, "next": next_url})
        assert response["Location"] == landing, next_url
