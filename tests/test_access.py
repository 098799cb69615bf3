"""Per-object access rules (accounts/access.py): who sees which learners, classes and objects, in a fixed number
of queries."""

import datetime

import pytest
from django.db.models import Q
from django.http import Http404
from django.utils import timezone

from accounts import access
from accounts.models import GuardianLink, Profile, User
from establishments.models import Division, TeachingGroup
from establishments.scoping import scope, scopes_disabled
from tests.testapp.models import Achievement, AchievementComment, Assessment, Lesson


class World:
    """One establishment with two classes, a group, a learner of each, and one user of every profile."""

    def __init__(self, establishment, other_establishment, make_user):
        self.establishment = establishment
        with scopes_disabled():
            self.d1 = Division.objects.create(establishment=establishment, code="2MELEC1")
            self.d2 = Division.objects.create(establishment=establishment, code="2MELEC2")
            self.group = TeachingGroup.objects.create(establishment=establishment, code="GR-ANGLAIS")
            self.group.divisions.add(self.d1, self.d2)

        def user(profile, login, **fields):
            return make_user(establishment, profile, login=login, last_name=login.split(".")[-1].title(), **fields)

        self.l1 = user(Profile.LEARNER, "lea.one", division=self.d1)
        self.l2 = user(Profile.LEARNER, "leo.two", division=self.d2)
        self.l3 = user(Profile.LEARNER, "lou.three", division=self.d2)
        self.l3.teaching_groups.add(self.group)
        self.teacher1 = user(Profile.TEACHER, "tom.teachone")
        self.teacher1.divisions_taught.add(self.d1)
        self.teacher2 = user(Profile.TEACHER, "tim.teachtwo")
        self.teacher2.divisions_taught.add(self.d2)
        self.group_teacher = user(Profile.TEACHER, "gus.groupteacher")
        self.group_teacher.teaching_groups.add(self.group)
        self.idle_teacher = user(Profile.TEACHER, "ian.idle")
        self.guardian = user(Profile.GUARDIAN, "gil.guardian")
        with scopes_disabled():
            GuardianLink.objects.create(establishment=establishment, guardian=self.guardian, learner=self.l1)
        self.tutor = user(Profile.TUTOR, "tad.tutor")
        self.inspector = user(Profile.INSPECTOR, "ivy.inspector")
        self.admin = user(Profile.ADMIN, "ada.admin")
        self.head = user(Profile.HEAD, "hal.head")
        self.ddfpt = user(Profile.DDFPT, "dan.ddfpt")
        self.foreign_learner = make_user(other_establishment, Profile.LEARNER, login="fay.foreign")
        self.foreign_admin = make_user(other_establishment, Profile.ADMIN, login="fox.foreignadmin")
        self.platform_staff = make_user(None, Profile.ADMIN, login="sam.staff", is_staff=True, is_superuser=True)


@pytest.fixture
def world(establishment, other_establishment, make_user):
    w = World(establishment, other_establishment, make_user)
    with scope(establishment=establishment):
        yield w


def logins(queryset):
    return sorted(u.login for u in queryset)


@pytest.mark.django_db
@pytest.mark.parametrize("who,expected", [
    ("admin", ["lea.one", "leo.two", "lou.three"]),
    ("head", ["lea.one", "leo.two", "lou.three"]),
    ("ddfpt", ["lea.one", "leo.two", "lou.three"]),
    ("inspector", ["lea.one", "leo.two", "lou.three"]),
    ("teacher1", ["lea.one"]),
    ("teacher2", ["leo.two", "lou.three"]),
    ("group_teacher", ["lou.three"]),
    ("idle_teacher", []),
    ("l1", ["lea.one"]),
    ("guardian", ["lea.one"]),
    ("tutor", []),
    ("platform_staff", []),
])
def test_visible_learners_per_profile(world, who, expected):
    assert logins(access.visible_learners(getattr(world, who))) == expected


@pytest.mark.django_db
def test_a_learner_in_a_taught_class_and_a_taught_group_comes_once(world):
    world.group_teacher.divisions_taught.add(world.d2)
    assert logins(access.visible_learners(world.group_teacher)) == ["leo.two", "lou.three"]


@pytest.mark.django_db
def test_another_establishments_learners_are_never_visible(world):
    assert "fay.foreign" not in logins(access.visible_learners(world.admin))
    assert access.can(world.admin, "view", world.foreign_learner) is False
    assert access.can(world.foreign_admin, "view", world.l1) is False


@pytest.mark.django_db
@pytest.mark.parametrize("who,divisions,groups", [
    ("admin", ["2MELEC1", "2MELEC2"], ["GR-ANGLAIS"]),
    ("inspector", ["2MELEC1", "2MELEC2"], ["GR-ANGLAIS"]),
    ("teacher1", ["2MELEC1"], []),
    ("group_teacher", [], ["GR-ANGLAIS"]),
    ("l3", [], []),
    ("guardian", [], []),
    ("tutor", [], []),
    ("platform_staff", [], []),
])
def test_visible_divisions_and_groups(world, who, divisions, groups):
    user = getattr(world, who)
    assert sorted(d.code for d in access.visible_divisions(user)) == divisions
    assert sorted(g.code for g in access.visible_groups(user)) == groups


@pytest.mark.django_db
@pytest.mark.parametrize("who,target,view,change", [
    ("teacher1", "l1", True, True),
    ("teacher1", "l2", False, False),
    ("teacher2", "l1", False, False),
    ("group_teacher", "l3", True, True),
    ("group_teacher", "l2", False, False),
    ("l1", "l1", True, True),
    ("l1", "l2", False, False),
    ("guardian", "l1", True, False),
    ("guardian", "l2", False, False),
    ("tutor", "l1", False, False),
    ("admin", "l2", True, True),
    ("head", "l2", True, True),
    ("ddfpt", "l2", True, True),
    ("inspector", "l2", True, False),
    ("platform_staff", "l1", False, False),
])
def test_can_view_and_change_a_learner(world, who, target, view, change):
    user, learner = getattr(world, who), getattr(world, target)
    assert access.can(user, "view", learner) is view
    assert access.can(user, "change", learner) is change


@pytest.mark.django_db
def test_other_accounts_are_for_the_establishments_staff(world):
    assert access.can(world.teacher1, "view", world.teacher2) is False
    assert access.can(world.l1, "view", world.teacher1) is False
    assert access.can(world.guardian, "view", world.teacher1) is False
    assert access.can(world.inspector, "view", world.teacher1) is True
    assert access.can(world.inspector, "change", world.teacher1) is False
    assert access.can(world.ddfpt, "change", world.teacher1) is True
    assert access.can(world.teacher1, "view", world.teacher1) is True  # one's own account


@pytest.mark.django_db
def test_classes_and_groups(world):
    assert access.can(world.teacher1, "view", world.d1) is True
    assert access.can(world.teacher1, "view", world.d2) is False
    assert access.can(world.teacher1, "change", world.d1) is False
    assert access.can(world.group_teacher, "view", world.group) is True
    assert access.can(world.teacher1, "view", world.group) is False
    assert access.can(world.admin, "change", world.d2) is True
    assert access.can(world.inspector, "view", world.d2) is True
    assert access.can(world.inspector, "change", world.d2) is False
    assert access.can(world.l1, "view", world.d1) is False


@pytest.mark.django_db
def test_deactivated_accounts_see_nothing_but_a_former_learner_sees_themself(world):
    world.teacher1.deactivate(timezone.now() - datetime.timedelta(days=3))
    world.teacher1.save()
    assert logins(access.visible_learners(world.teacher1)) == []
    assert access.can(world.teacher1, "view", world.l1) is False
    world.l1.deactivate(timezone.now() - datetime.timedelta(days=3))
    world.l1.save()
    assert logins(access.visible_learners(world.l1)) == ["lea.one"]
    assert access.can(world.l1, "view", world.l1) is True
    assert access.can(world.l1, "change", world.l1) is False


@pytest.mark.django_db
def test_an_expired_inspector_access_sees_nothing(world):
    world.inspector.access_expires_at = timezone.now() - datetime.timedelta(minutes=1)
    assert logins(access.visible_learners(world.inspector)) == []
    assert access.can(world.inspector, "view", world.l1) is False


@pytest.mark.django_db
def test_a_tutor_sees_the_learners_a_registered_source_gives(world, monkeypatch):
    monkeypatch.setattr(access, "_learner_sources", {})
    assert logins(access.visible_learners(world.tutor)) == []
    # The periods app will say "learners of the tutor's work periods"; an assessment by the tutor stands in here.
    Assessment.objects.create(establishment=world.establishment, learner=world.l2, teacher=world.tutor, level=2)
    access.register_learner_source(
        Profile.TUTOR, lambda user: Q(pk__in=Assessment.objects.filter(teacher=user).values("learner")))
    assert logins(access.visible_learners(world.tutor)) == ["leo.two"]
    assert access.can(world.tutor, "view", world.l2) is True
    assert access.can(world.tutor, "view", world.l1) is False
    assert logins(access.visible_learners(world.teacher1)) == ["lea.one"]  # other profiles unchanged


@pytest.mark.django_db
def test_rules_registered_by_a_higher_app(world, monkeypatch):
    monkeypatch.setattr(access, "_rules", {})
    mine = Achievement.objects.create(establishment=world.establishment, learner=world.l1, title="Stage")
    lesson = Lesson.objects.create(establishment=world.establishment, author=world.teacher2, title="Ohm")
    with pytest.raises(LookupError):
        access.can(world.admin, "view", mine)

    access.register_rule(Achievement)(access.learner_owned("learner"))
    # Like scenarios: every teacher of the establishment sees them all, the management changes them.
    access.register_rule(Lesson)(access.establishment_wide(
        view=[Profile.TEACHER, Profile.INSPECTOR], change=[Profile.ADMIN, Profile.DDFPT]))

    assert access.can(world.teacher1, "change", mine) is True
    assert access.can(world.teacher2, "view", mine) is False
    assert access.can(world.l1, "change", mine) is True
    assert access.can(world.l2, "view", mine) is False
    assert access.can(world.guardian, "view", mine) is True
    assert access.can(world.guardian, "change", mine) is False
    assert access.can(world.inspector, "change", mine) is False
    assert access.can(world.teacher1, "view", lesson) is True
    assert access.can(world.teacher1, "change", lesson) is False
    assert access.can(world.inspector, "view", lesson) is True
    assert access.can(world.inspector, "change", lesson) is False  # read-only, whatever a rule says
    assert access.can(world.ddfpt, "change", lesson) is True
    assert access.can(world.l1, "view", lesson) is False

    # A child row reaches its learner through its parent.
    access.register_rule(AchievementComment)(access.learner_owned("achievement__learner"))
    comment = AchievementComment.objects.create(establishment=world.establishment, achievement=mine, text="Bien")
    assert access.can(world.teacher1, "view", comment) is True
    assert access.can(world.teacher2, "view", comment) is False
    assert access.can(world.l1, "view", comment) is True
    assert access.can(world.l2, "view", comment) is False

    other = Achievement.objects.create(establishment=world.establishment, learner=world.l2, title="Atelier")
    rows = access.visible_rows(world.teacher1, Achievement.objects.all())
    assert [a.title for a in rows] == ["Stage"] and other not in rows


@pytest.mark.django_db
def test_get_or_404_answers_404_for_an_object_the_user_may_not_reach(world):
    assert access.get_or_404(world.teacher1, "change", User, pk=world.l1.pk) == world.l1
    with pytest.raises(Http404):
        access.get_or_404(world.teacher1, "view", User, pk=world.l2.pk)
    with pytest.raises(Http404):
        access.get_or_404(world.guardian, "change", User, pk=world.l1.pk)
    with pytest.raises(Http404):  # another establishment's learner is outside the scope
        access.get_or_404(world.admin, "view", User, pk=world.foreign_learner.pk)


@pytest.mark.django_db
def test_unknown_action_is_refused_loudly(world):
    with pytest.raises(ValueError):
        access.can(world.admin, "delete", world.l1)


def _add_learners(world, count):
    for i in range(count):
        learner = User.objects.create_user(login=f"extra.{i}", password=None, establishment=world.establishment,
                                           profile=Profile.LEARNER, last_name=f"Extra{i}", division=world.d2)
        learner.teaching_groups.add(world.group)


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["admin", "teacher2", "group_teacher", "guardian", "l2", "tutor"])
def test_a_list_costs_one_query_whatever_its_size(world, who, django_assert_max_num_queries):
    user = getattr(world, who)
    with django_assert_max_num_queries(1):
        small = list(access.visible_learners(user))
    _add_learners(world, 25)
    with django_assert_max_num_queries(1):
        big = list(access.visible_learners(user))
    assert len(big) >= len(small)
    with django_assert_max_num_queries(1):
        list(access.visible_divisions(user))


@pytest.mark.django_db
@pytest.mark.parametrize("who,target", [("teacher1", "l1"), ("teacher1", "l2"), ("group_teacher", "l3"),
                                        ("guardian", "l1"), ("l1", "l2"), ("admin", "l2"), ("inspector", "l1")])
def test_one_object_costs_at_most_one_query(world, who, target, django_assert_max_num_queries):
    _add_learners(world, 25)
    with django_assert_max_num_queries(1):
        access.can(getattr(world, who), "view", getattr(world, target))
