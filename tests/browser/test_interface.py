"""What a user sees in Chromium, on a laptop and on a phone (issue 9, items 13 to 16).

13: every form field is visible (border, shadow or background) · 14: the DSFR script runs without error and, on a
phone, a « Menu » button opens a menu with the user's name, « Changer mon mot de passe » and « Se déconnecter » ·
15: « Changer mon mot de passe » is reached from the header · 16: each profile's home shows what is true and nothing
that looks like a link but leads nowhere.
"""

import re

import pytest

from accounts.models import Profile
from establishments.models import Division, TeachingGroup
from establishments.scoping import scope, scopes_disabled
from referentiels.models import Diploma
from referentiels.services import subscribe

from ..conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1366, "height": 900}

# Same rule as /work/shared/tools/ui-walk: a field with no border, no shadow and a transparent background, or
# squashed to nothing, cannot be seen.
INVISIBLE_FIELDS = """() => {
  const fields = [...document.querySelectorAll('main input, main select, main textarea')].filter(el => {
    const t = (el.type || '').toLowerCase();
    return !['hidden', 'checkbox', 'radio', 'submit', 'button', 'file', 'image'].includes(t);
  });
  const invisible = fields.filter(el => {
    const r = el.getBoundingClientRect(), s = getComputedStyle(el);
    const border = ['Top', 'Right', 'Bottom', 'Left'].some(k => parseFloat(s['border' + k + 'Width']) > 0
                   && s['border' + k + 'Style'] !== 'none');
    const shadow = s.boxShadow && s.boxShadow !== 'none';
    const bg = s.backgroundColor.replace(/\\s/g, '');
    const transparent = bg === 'transparent' || bg.endsWith(',0)');
    return r.width < 20 || r.height < 10 || (!border && !shadow && transparent);
  }).map(el => el.name || el.id);
  return {count: fields.length, invisible: invisible};
}"""

# Elements that look like a link or a card but lead nowhere: <a> without href, a DSFR card or tile (whole block
# clickable) without a link inside, or a text announcing a module « bientôt ».
DEAD_ENDS = """() => {
  const found = [];
  document.querySelectorAll('main a:not([href]), main a[href=""], main a[href="#"]').forEach(
    el => found.push('lien sans destination : ' + el.textContent.trim()));
  document.querySelectorAll('main .fr-card, main .fr-tile').forEach(el => {
    if (!el.querySelector('a[href]:not([href=""]):not([href="#"])'))
      found.push('carte sans lien : ' + el.textContent.trim().slice(0, 60));
  });
  if (/bient[ôo]t|à venir|prochainement/i.test(document.querySelector('main').innerText))
    found.push('texte « bientôt »');
  return found;
}"""


@pytest.fixture
def people(establishment, make_user):
    """One user of every profile; the teacher teaches a class and a group (as an STS-web import leaves them)."""
    users = {profile: make_user(establishment, profile, login=f"demo.{profile.value}", first_name="Camille",
                                last_name=profile.label.split()[0].upper(), email=f"{profile.value}@example.org")
             for profile in Profile}
    with scope(establishment=establishment):
        division = Division.objects.create(establishment=establishment, code="2MELEC1", label="2nde pro. MELEC 1")
        group = TeachingGroup.objects.create(establishment=establishment, code="2MELEC1-ATELIER",
                                             label="Atelier électricité")
        group.divisions.add(division)
        teacher = users[Profile.TEACHER]
        teacher.divisions_taught.add(division)
        teacher.teaching_groups.add(group)
    with scopes_disabled():  # the Masque de saisie lists the diplomas the establishment subscribes to
        subscribe(establishment, Diploma.objects.create(code="MELEC", name="MELEC", kind=Diploma.Kind.BAC_PRO))
    return users


@pytest.fixture
def js_errors(page):
    errors = []
    page.on("pageerror", lambda error: errors.append(f"{page.url} : {error}"))
    return errors


def log_in(page, user):
    page.goto(f"/{user.establishment.uai}/connexion/")
    page.get_by_label("Identifiant").fill(user.login)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    # Each profile lands on its first page (the home, or the console for the DDFPT and the chef).
    page.wait_for_url(lambda url: "/connexion/" not in url)
    page.get_by_role("heading", level=1).wait_for()


def assert_fields_visible(page, url):
    page.goto(url)
    fields = page.evaluate(INVISIBLE_FIELDS)
    assert fields["count"] > 0, f"{url} : aucun champ à vérifier"
    assert fields["invisible"] == [], f"{url} : champs invisibles {fields['invisible']}"


@pytest.mark.parametrize("viewport", [LAPTOP, PHONE], ids=["laptop", "phone"])
def test_form_fields_are_visible(page, people, viewport, js_errors):
    page.set_viewport_size(viewport)
    uai = people[Profile.ADMIN].establishment.uai
    assert_fields_visible(page, f"/{uai}/connexion/")
    log_in(page, people[Profile.ADMIN])
    for url in ("mot-de-passe/", "imports/hors-siecle/", "parametres/masque-de-saisie/", "utilisateurs/",
                "utilisateurs/nouveau/"):
        assert_fields_visible(page, f"/{uai}/{url}")
    assert js_errors == []


def test_no_javascript_error_on_any_page_of_the_menu(page, people, js_errors):
    uai = people[Profile.ADMIN].establishment.uai
    page.goto("/")
    page.goto(f"/{uai}/connexion/")
    for profile in (Profile.ADMIN, Profile.HEAD, Profile.TEACHER, Profile.LEARNER):
        page.context.clear_cookies()
        log_in(page, people[profile])
        links = page.get_by_role("navigation", name="Menu principal").get_by_role("link")
        hrefs = [links.nth(i).get_attribute("href") for i in range(links.count())]
        assert hrefs, profile
        for href in hrefs:
            response = page.goto(href)
            assert response.status == 200, href
    assert js_errors == []


def test_phone_menu_shows_the_user_password_change_and_logout(page, people, js_errors):
    page.set_viewport_size(PHONE)
    teacher = people[Profile.TEACHER]
    log_in(page, teacher)
    menu_button = page.get_by_role("button", name="Menu")
    assert menu_button.is_visible()
    assert not page.get_by_role("button", name="Se déconnecter").is_visible()  # inside the closed menu

    menu_button.click()
    menu = page.locator("#menu-modal")
    menu.get_by_text("Camille ENSEIGNANT (Enseignant)").wait_for()
    assert menu.get_by_role("link", name="Accueil").is_visible()
    menu.get_by_role("link", name="Changer mon mot de passe").click()
    page.get_by_role("heading", name="Changer de mot de passe").wait_for()

    page.get_by_role("button", name="Menu").click()
    page.locator("#menu-modal").get_by_role("button", name="Se déconnecter").click()
    page.get_by_text("Vous êtes déconnecté.").wait_for()
    assert js_errors == []


def test_password_change_is_reached_from_the_header_and_works(page, people, js_errors):
    page.set_viewport_size(LAPTOP)
    head = people[Profile.HEAD]
    log_in(page, head)
    header = page.get_by_role("banner")
    assert header.get_by_test_id("current-user").inner_text() == "Camille CHEF (Chef d'établissement)"
    header.get_by_role("link", name="Changer mon mot de passe").click()
    page.get_by_role("heading", name="Changer de mot de passe").wait_for()
    page.get_by_label("Mot de passe actuel").fill(PASSWORD)
    page.get_by_label(re.compile(r"^Nouveau mot de passe")).fill("Velo-Rouge-Matin-77")
    page.get_by_label("Confirmation du nouveau mot de passe").fill("Velo-Rouge-Matin-77")
    page.get_by_role("button", name="Enregistrer le mot de passe").click()
    page.get_by_text("Votre mot de passe a été modifié.").wait_for()
    assert js_errors == []


def test_teacher_home_shows_their_classes_and_no_dead_end(page, people):
    log_in(page, people[Profile.TEACHER])
    main = page.get_by_role("main")
    assert main.get_by_text("2MELEC1 — 2nde pro. MELEC 1").is_visible()
    assert main.get_by_text("2MELEC1-ATELIER — Atelier électricité").is_visible()
    assert page.evaluate(DEAD_ENDS) == []


@pytest.mark.parametrize("profile", [Profile.GUARDIAN, Profile.TUTOR, Profile.INSPECTOR, Profile.LEARNER,
                                     Profile.DDFPT])
def test_home_of_every_other_profile_has_no_dead_end(page, people, profile):
    page.set_viewport_size(PHONE)
    log_in(page, people[profile])
    assert page.evaluate(DEAD_ENDS) == []
