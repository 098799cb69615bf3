import hashlib
import hmac

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models import Case, F, Q, Value, When
from django.db.models.functions import Coalesce, Lower
from django.utils import timezone
from django.utils.crypto import constant_time_compare

from establishments.scoping import EstablishmentOwned, ScopedManager

from .learner_data import learner_data
from .logins import normalize_login


class Profile(models.TextChoices):
    ADMIN = "administrateur", "Administrateur"
    HEAD = "chef", "Chef d'établissement"
    DDFPT = "ddfpt", "DDFPT"
    TEACHER = "enseignant", "Enseignant"
    LEARNER = "apprenant", "Apprenant"
    GUARDIAN = "responsable", "Responsable"
    TUTOR = "tuteur", "Tuteur / maître d'apprentissage"
    INSPECTOR = "inspecteur", "Inspecteur"


STAFF_PROFILES = frozenset({Profile.ADMIN, Profile.HEAD, Profile.DDFPT, Profile.TEACHER, Profile.INSPECTOR})


class Civility(models.TextChoices):
    MR = "M.", "M."
    MRS = "Mme", "Mme"


# Stored in ``password`` while the user still has the initial password of the product's rules: the secret is
# derived on demand (birth date, or an HMAC code) instead of being hashed up front for every imported user.
# It starts with "!" so Django treats it as an unusable password everywhere else.
INITIAL_PASSWORD = "!initial"  # noqa: S105 - a marker, not a secret


class UserManager(BaseUserManager):
    use_in_migrations = False

    def create_user(self, login, password=None, **fields):
        normalized = normalize_login(login)
        if normalized is None:
            raise ValueError("Un identifiant ne contient que des lettres sans accent, des chiffres et . - _")
        user = self.model(login=normalized, **fields)
        if password is None:
            user.set_initial_password()
        else:
            user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, login, password=None, **fields):
        fields.update(is_staff=True, is_superuser=True, establishment=None, must_change_password=False)
        return self.create_user(login, password, **fields)

    def get_by_natural_key(self, username):
        """A platform staff account (no establishment) by its login, normalised as at login (accounts.logins)."""
        normalized = normalize_login(username)
        if normalized is None:
            raise self.model.DoesNotExist(f"Identifiant refusé : {username!r}")
        return self.alias(login_lower=Lower("login")).get(establishment__isnull=True, login_lower=normalized)


class User(EstablishmentOwned, AbstractBaseUser, PermissionsMixin):
    """A person with an account. Belongs to one establishment; platform staff belong to none."""

    establishment = models.ForeignKey(
        "establishments.Establishment",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="users",
        verbose_name="établissement",
    )
    login = models.CharField("identifiant", max_length=150)
    civility = models.CharField("civilité", max_length=3, choices=Civility.choices, blank=True)
    last_name = models.CharField("nom", max_length=150)
    first_name = models.CharField("prénom", max_length=150, blank=True)
    birth_date = models.DateField("date de naissance", null=True, blank=True)
    email = models.EmailField("e-mail", blank=True)
    profile = models.CharField("profil", max_length=20, choices=Profile.choices, blank=True)

    is_active = models.BooleanField("actif", default=True)
    deactivated_at = models.DateTimeField("désactivé le", null=True, blank=True)
    is_staff = models.BooleanField("équipe de la plateforme", default=False)
    created_by_hand = models.BooleanField("créé manuellement", default=False)
    must_change_password = models.BooleanField("doit changer son mot de passe", default=True)
    date_joined = models.DateTimeField("créé le", default=timezone.now)
    # A time-limited access (an inspector's): refused from this moment on.
    access_expires_at = models.DateTimeField("accès ouvert jusqu'au", null=True, blank=True)

    phone = models.CharField("téléphone", max_length=40, blank=True)
    address = models.TextField("adresse", blank=True)

    # Learners: what SIECLE says of their schooling.
    sex = models.CharField("sexe", max_length=1, blank=True)
    division = models.ForeignKey(
        "establishments.Division", on_delete=models.SET_NULL, null=True, blank=True, related_name="learners",
        verbose_name="classe",
    )
    teaching_groups = models.ManyToManyField(
        "establishments.TeachingGroup", blank=True, related_name="members", verbose_name="groupes"
    )
    divisions_taught = models.ManyToManyField(
        "establishments.Division", blank=True, related_name="teachers", verbose_name="classes enseignées"
    )
    mef_code = models.CharField("code MEF", max_length=20, blank=True)
    mef_label = models.CharField("formation (MEF)", max_length=200, blank=True)
    is_apprentice = models.BooleanField("apprenti", default=False)
    entry_date = models.DateField("date d'entrée", null=True, blank=True)
    exit_date = models.DateField("date de sortie", null=True, blank=True)
    # Staff: what STS-web says.
    disciplines = models.CharField("discipline(s)", max_length=300, blank=True)
    function = models.CharField("fonction STS", max_length=20, blank=True)

    # Provenance, used by the transfer rules: when an import created or deactivated the account.
    imported_at = models.DateTimeField("créé par un import le", null=True, blank=True)
    deactivated_by_import = models.BooleanField("désactivé par un import", default=False)

    # National ids used by the imports (unique per establishment, enforced by the database). NULL, not "",
    # when absent: the unique constraints then ignore users without the id.
    sts_id = models.CharField("identifiant STS", max_length=30, null=True, blank=True)  # noqa: DJ001
    siecle_id = models.CharField("identifiant SIECLE", max_length=30, null=True, blank=True)  # noqa: DJ001
    ine = models.CharField("INE", max_length=11, null=True, blank=True)  # noqa: DJ001

    objects = ScopedManager(establishment="establishment", _manager_class=UserManager)

    USERNAME_FIELD = "login"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["last_name"]

    class Meta:
        verbose_name = "utilisateur"
        ordering = ["last_name", "first_name"]
        constraints = [
            models.UniqueConstraint(Lower("login"), F("establishment"), name="user_login_unique_per_establishment"),
            models.UniqueConstraint(
                Lower("login"), condition=Q(establishment__isnull=True), name="user_login_unique_platform"
            ),
            models.UniqueConstraint(fields=["establishment", "sts_id"], name="user_sts_id_unique"),
            models.UniqueConstraint(fields=["establishment", "siecle_id"], name="user_siecle_id_unique"),
            models.UniqueConstraint(fields=["establishment", "ine"], name="user_ine_unique"),
        ]
        indexes = [
            models.Index(fields=["establishment", "profile", "last_name"]),
            # The daily transfer matches INEs across establishments.
            models.Index(fields=["ine"], name="user_ine_idx"),
        ]

    def __str__(self) -> str:
        return self.full_name or self.login

    @property
    def full_name(self) -> str:
        return f"{self.last_name.upper()} {self.first_name}".strip()

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.first_name or self.login

    @property
    def is_learner(self) -> bool:
        return self.profile == Profile.LEARNER

    # Initial passwords -----------------------------------------------------------------------------------

    @property
    def has_initial_password(self) -> bool:
        return self.password == INITIAL_PASSWORD

    def set_initial_password(self) -> None:
        """Back to the product's initial password; it must be changed at the next login."""
        self.password = INITIAL_PASSWORD
        self._password = None
        self.must_change_password = True

    def initial_password(self) -> str | None:
        """The initial password while it is unchanged, ``None`` once the user chose their own.

        Birth date ``aaaa-mm-jj`` for staff and ``jjmmaaaa`` for learners, as the product defines them; a
        code derived from the server's secret when the establishment chose random codes or the birth date is
        unknown. Nothing is hashed: thousands of learners can be created at once.
        """
        if not self.has_initial_password:
            return None
        establishment = self.establishment
        if self.birth_date and not (establishment and establishment.random_initial_passwords):
            if self.profile == Profile.LEARNER:
                return self.birth_date.strftime("%d%m%Y")
            return self.birth_date.isoformat()
        return self._derived_code()

    def _derived_code(self) -> str:
        message = f"{self.establishment_id}:{self.login.lower()}:{self.date_joined.isoformat()}".encode()
        digest = hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()
        alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
        number = int(digest, 16)
        chars = []
        for _ in range(10):
            number, index = divmod(number, len(alphabet))
            chars.append(alphabet[index])
        return "".join(chars)

    def check_password(self, raw_password: str) -> bool:
        if self.has_initial_password:
            expected = self.initial_password()
            return bool(raw_password) and constant_time_compare(raw_password, expected)
        return super().check_password(raw_password)

    # Activation ------------------------------------------------------------------------------------------

    def deactivate(self, when=None, by_import: bool = False) -> None:
        self.is_active = False
        self.deactivated_at = when or timezone.now()
        self.deactivated_by_import = by_import

    def reactivate(self) -> None:
        self.is_active = True
        self.deactivated_at = None
        self.deactivated_by_import = False

    def access_expired(self, now=None) -> bool:
        """True once a time-limited access (an inspector's) has passed its end."""
        return self.access_expires_at is not None and self.access_expires_at <= (now or timezone.now())


class GuardianLink(EstablishmentOwned):
    """A responsable linked to a learner (SIECLE RESP_LEGAL: 1 or 2 legal guardians, 0 other contact)."""

    guardian = models.ForeignKey(User, on_delete=models.CASCADE, related_name="learner_links")
    learner = models.ForeignKey(User, on_delete=models.CASCADE, related_name="guardian_links")
    legal_rank = models.PositiveSmallIntegerField("responsable légal", default=1)
    relationship = models.CharField("lien de parenté", max_length=60, blank=True)

    class Meta:
        verbose_name = "lien responsable – apprenant"
        constraints = [models.UniqueConstraint(fields=["guardian", "learner"], name="guardian_link_unique")]


def _move_enrolments(queryset, moves) -> int:
    """Transfer: a learner's enrolments follow them as history. The old school's classes do not exist in the new
    one (the class is detached, the MEF kept); each row goes to the new school's year of the same start (created
    if needed); an enrolment still open is closed on the day of the transfer. A few statements per batch."""
    from establishments.models import SchoolYear

    destination_school = {origin.pk: destination.establishment_id for origin, destination in moves.pairs}
    rows = list(queryset.order_by().values_list("learner_id", "school_year_id", "school_year__start_year")
                .distinct())
    if not rows:
        return 0
    wanted = {(destination_school[learner_id], start_year) for learner_id, _, start_year in rows}
    SchoolYear._base_manager.bulk_create(
        [SchoolYear(establishment_id=school, start_year=start_year, **SchoolYear.default_values(start_year))
         for school, start_year in sorted(wanted)], ignore_conflicts=True)
    years = {
        (school, start_year): pk for pk, school, start_year in SchoolYear._base_manager.filter(
            establishment_id__in={school for school, _ in wanted}, start_year__in={y for _, y in wanted})
        .values_list("pk", "establishment_id", "start_year")
    }
    queryset.update(
        division_id=None,
        end_date=Coalesce("end_date", Value(timezone.localdate())),
        school_year_id=Case(*[
            When(learner_id=learner_id, school_year_id=year_id,
                 then=Value(years[destination_school[learner_id], start_year]))
            for learner_id, year_id, start_year in rows
        ], default=F("school_year_id"), output_field=models.BigIntegerField()),
    )
    return moves.in_place()


@learner_data(move=_move_enrolments)
class Enrolment(EstablishmentOwned):
    """A learner's place in a class for part of a school year (inscription).

    The imports keep the history: a new school year opens new enrolments, a change of class within the year
    closes the current one the day before the change and opens another. ``User.division`` / ``mef_code`` /
    ``mef_label`` / ``is_apprentice`` stay the denormalised current values, written by the same code.
    """

    learner = models.ForeignKey(User, on_delete=models.CASCADE, related_name="enrolments", verbose_name="apprenant")
    school_year = models.ForeignKey(
        "establishments.SchoolYear", on_delete=models.CASCADE, related_name="enrolments",
        verbose_name="année scolaire",
    )
    division = models.ForeignKey(
        "establishments.Division", on_delete=models.SET_NULL, null=True, blank=True, related_name="enrolments",
        verbose_name="classe",
    )
    mef_code = models.CharField("code MEF", max_length=20, blank=True)
    mef_label = models.CharField("formation (MEF)", max_length=200, blank=True)
    start_date = models.DateField("début")
    end_date = models.DateField("fin", null=True, blank=True)
    is_apprentice = models.BooleanField("apprenti", default=False)

    class Meta:
        verbose_name = "inscription"
        ordering = ["learner", "start_date", "pk"]
        constraints = [
            # At most one open enrolment per learner and school year.
            models.UniqueConstraint(
                fields=["learner", "school_year"], condition=Q(end_date__isnull=True),
                name="enrolment_one_open_per_year",
            ),
        ]
        indexes = [models.Index(fields=["establishment", "school_year"], name="enrolment_year_idx")]

    def __str__(self) -> str:
        return f"{self.learner} · {self.school_year} · {self.division or '-'}"
