"""Actions on accounts. Views call these; they hold the rules."""

import datetime
import logging
import os
import secrets

from django.conf import settings
from django.contrib.auth import update_session_auth_hash
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from establishments import audit
from establishments.routing import tenant_url
from establishments.scoping import scope

from .enrolments import enrol
from .logins import base_login, make_unique_login
from .models import Profile, User


def change_password(request, user: User, new_password: str) -> None:
    """The user chose their own password: no forced change any more, the session stays open."""
    user.set_password(new_password)
    user.must_change_password = False
    user.save(update_fields=["password", "must_change_password"])
    update_session_auth_hash(request, user)


def reset_to_initial_password(user: User) -> None:
    """Back to the product's initial password (birth date or derived code), to be changed at next login."""
    user.set_initial_password()
    user.save(update_fields=["password", "must_change_password"])


# Management of accounts by the administrator, the chef d'établissement and the DDFPT -------------------------
#
# Every function below takes the establishment and the acting user explicitly, runs in one transaction,
# checks the actor may act on the account, and writes the audit log. An e-mail that cannot be sent undoes
# the change: an account whose password nobody knows is worse than no account.

logger = logging.getLogger(__name__)

_PASSWORD_ALPHABET = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # noqa: S105 - not a secret
INSPECTOR_MAX_DAYS = 366


class AccountError(Exception):
    """A refused action on an account; the message is shown to the user as is (French)."""


def generate_temporary_password() -> str:
    """12 random characters in three groups (``Xk7p-2mQa-9rTz``): easy to type from an e-mail."""
    chars = "".join(secrets.choice(_PASSWORD_ALPHABET) for _ in range(12))
    return f"{chars[:4]}-{chars[4:8]}-{chars[8:]}"


def manageable_profiles(actor: User) -> frozenset:
    """The profiles whose accounts ``actor`` may open, create, deactivate and reactivate.

    The chef d'établissement and the administrateur manage every profile, the DDFPT every profile but those two.
    Changing someone's e-mail address or password is narrower: see ``may_change_credentials``.
    """
    if actor.profile in (Profile.ADMIN, Profile.HEAD):
        return frozenset(Profile)
    if actor.profile == Profile.DDFPT:
        return frozenset(Profile) - {Profile.ADMIN, Profile.HEAD}
    return frozenset()


def creatable_profiles(actor: User) -> list[Profile]:
    """Profiles offered by "Nouvel utilisateur" (inspectors get their access from "Accès inspecteur")."""
    allowed = manageable_profiles(actor) - {Profile.INSPECTOR}
    return [p for p in Profile if p in allowed]


def can_manage(actor: User, user: User) -> bool:
    return user.establishment_id == actor.establishment_id and user.profile in manageable_profiles(actor)


def _check_can_manage(actor: User, user: User) -> None:
    if not can_manage(actor, user):
        raise PermissionDenied("Votre profil ne permet pas de gérer ce compte.")


# Who may change whose e-mail address and reset whose password. Whoever controls an account's e-mail address and
# asks for its password controls the account, so these two actions go strictly downwards in this order:
#
#     chef d'établissement  >  administrateur = DDFPT  >  every other profile
#
# never to a peer of the same rank (a chef on another chef, a DDFPT on an administrator), never upwards, never to
# oneself (one's own password is changed with « Changer mon mot de passe »), never to a platform staff account
# (those are managed in the platform console only). The chef's own reset is done by the platform staff.
# Deactivating and reactivating follow ``manageable_profiles`` (they give no access to the account).
PROFILE_RANKS = {Profile.HEAD: 3, Profile.ADMIN: 2, Profile.DDFPT: 2}
OTHER_PROFILES_RANK = 1


def profile_rank(user: User) -> int:
    return PROFILE_RANKS.get(user.profile, OTHER_PROFILES_RANK)


def may_change_credentials(actor: User, user: User) -> bool:
    """Whether ``actor`` may change ``user``'s e-mail address or reset their password (the rule above)."""
    return (
        can_manage(actor, user)
        and user.pk != actor.pk
        and user.establishment_id is not None
        and not (user.is_staff or user.is_superuser)
        and profile_rank(actor) > profile_rank(user)
    )


def _check_may_change_credentials(actor: User, user: User) -> None:
    if not may_change_credentials(actor, user):
        raise PermissionDenied("Votre profil ne permet pas de modifier l'adresse e-mail ni le mot de passe de ce "
                               "compte.")


def reset_lockout(establishment, login: str) -> int:
    """Lifts the login lockout (django-axes) of ``login`` in ``establishment``; returns the attempts removed."""
    from axes.utils import reset

    from .backends import lockout_key_for

    return reset(username=lockout_key_for(establishment, login))


# The site's public address: ``SITE_URL`` when set (required in production, see cpro/settings.py); in the
# embedded mode the address the request came to, so printed sheets and e-mails show the port actually used.
# A command (no request) in the embedded mode uses the local address on ``PORT`` (exported by ``make run``).


def site_url(request=None) -> str:
    if settings.SITE_URL:
        return settings.SITE_URL.rstrip("/")
    if request is not None:
        return request.build_absolute_uri("/").rstrip("/")
    return f"http://127.0.0.1:{os.environ.get('PORT') or 8000}"


def login_url(establishment, request=None) -> str:
    return site_url(request) + tenant_url(establishment, "login")


def access_until(user: User) -> datetime.date | None:
    """The last day (local time) of a time-limited access, as people say it: "jusqu'au … inclus"."""
    if user.access_expires_at is None:
        return None
    return (timezone.localtime(user.access_expires_at) - datetime.timedelta(microseconds=1)).date()


def send_credentials(user: User, password: str, *, reason: str, request=None) -> None:
    """E-mails ``user`` the establishment's address, their login and ``password``. Raises on failure.

    ``reason``: ``"created"``, ``"reset"``, ``"inspector"`` or ``"first_admin"``.
    """
    establishment = user.establishment
    context = {"user": user, "password": password, "reason": reason, "establishment": establishment,
               "login_url": login_url(establishment, request), "access_until": access_until(user)}
    subject = render_to_string("accounts/emails/credentials_subject.txt", context).strip()
    body = render_to_string("accounts/emails/credentials.txt", context)
    message = EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email],
                           reply_to=[establishment.email] if establishment.email else None)
    message.send(fail_silently=False)


def _send_or_undo(user: User, password: str, *, reason: str, undone: str, request=None) -> None:
    try:
        send_credentials(user, password, reason=reason, request=request)
    except Exception as exc:  # SMTP errors come in many types (socket, smtplib, SSL)
        logger.warning("E-mail to user %s failed: %s", user.pk, type(exc).__name__)
        raise AccountError(
            f"L'e-mail n'a pas pu être envoyé à {user.email} : {undone} Vérifiez l'adresse, "
            "ou réessayez plus tard (si cela persiste, le serveur d'envoi des e-mails est peut-être en panne)."
        ) from exc


def identity_missing_message(establishment, action: str) -> str | None:
    """Why ``action`` is blocked by the establishment's identity, or ``None`` when nothing is missing."""
    missing = establishment.missing_identity()
    if not missing:
        return None
    listed = missing[0] if len(missing) == 1 else ", ".join(missing[:-1]) + " et " + missing[-1]
    return (f"Pour {action}, renseignez d'abord {listed} de l'établissement "
            "(Paramètres, onglet « Établissement »).")


def _taken_logins(establishment, first_name: str, last_name: str) -> set[str]:
    prefix = base_login(first_name, last_name)[:140]
    logins = User.objects.filter(establishment=establishment, login__istartswith=prefix).values_list("login", flat=True)
    return {login.lower() for login in logins}


def _save_with_unique_login(user: User, establishment) -> None:
    # Two administrators creating the same name at once: the database refuses the second login; try the next.
    for _attempt in range(5):
        user.login = make_unique_login(user.first_name, user.last_name,
                                       _taken_logins(establishment, user.first_name, user.last_name))
        try:
            with transaction.atomic():
                user.save()
            return
        except IntegrityError:
            continue
    raise AccountError("Impossible d'attribuer un identifiant unique : réessayez.")


@transaction.atomic
def user_create_by_hand(*, establishment, actor: User, civility: str, last_name: str, first_name: str,
                        birth_date: datetime.date | None, email: str, profile: str, division=None,
                        request=None) -> User:
    """Creates an account flagged "créé manuellement" with a random temporary password sent by e-mail.

    Refused while the establishment's name or e-mail is missing, and for a profile the actor may not manage.
    """
    blocked = identity_missing_message(establishment, "créer un utilisateur")
    if blocked:
        raise AccountError(blocked)
    if profile not in creatable_profiles(actor):
        raise PermissionDenied("Votre profil ne permet pas de créer ce type de compte.")
    user = User(
        establishment=establishment, civility=civility, last_name=last_name.strip(), first_name=first_name.strip(),
        birth_date=birth_date, email=email.strip(), profile=profile, created_by_hand=True,
        division=division if profile == Profile.LEARNER else None,
    )
    password = generate_temporary_password()
    user.set_password(password)
    user.must_change_password = True
    _save_with_unique_login(user, establishment)
    enrol(user)  # a learner's class history starts the day they are created
    audit.record(establishment, actor, "user.create", user,
                 {"identifiant": user.login, "profil": user.get_profile_display(), "e-mail": user.email})
    _send_or_undo(user, password, reason="created", undone="le compte n'a pas été créé.", request=request)
    return user


@transaction.atomic
def user_deactivate(*, establishment, actor: User, user: User) -> None:
    """The account can no longer log in; its data are kept (and purged 12 months later, SPEC §8)."""
    _check_can_manage(actor, user)
    if user.pk == actor.pk:
        raise AccountError("Vous ne pouvez pas désactiver votre propre compte.")
    if not user.is_active:
        raise AccountError(f"Le compte de {user.full_name} est déjà désactivé.")
    user.deactivate()
    user.save(update_fields=["is_active", "deactivated_at", "deactivated_by_import"])
    audit.record(establishment, actor, "user.deactivate", user, {"identifiant": user.login})


@transaction.atomic
def user_reactivate(*, establishment, actor: User, user: User) -> None:
    _check_can_manage(actor, user)
    if user.is_active:
        raise AccountError(f"Le compte de {user.full_name} est déjà actif.")
    user.reactivate()
    user.save(update_fields=["is_active", "deactivated_at", "deactivated_by_import"])
    audit.record(establishment, actor, "user.reactivate", user, {"identifiant": user.login})


@transaction.atomic
def user_password_reset(*, establishment, actor: User, user: User, request=None) -> str:
    """Learners go back to their initial password; anyone else gets a new temporary one by e-mail.

    Returns a sentence for the actor saying what happened. The password must be changed at the next login, and
    the login's lockout (too many failed attempts) is lifted: the user can log in with it at once.
    """
    _check_may_change_credentials(actor, user)
    if user.profile == Profile.LEARNER:
        user.set_initial_password()
        user.save(update_fields=["password", "must_change_password"])
        reset_lockout(establishment, user.login)
        audit.record(establishment, actor, "user.password_reset", user,
                     {"identifiant": user.login, "nouveau": "mot de passe initial"})
        return (f"Le mot de passe de {user.full_name} est revenu au mot de passe initial : il figure dans la "
                "liste des identifiants de sa classe et devra être changé à la prochaine connexion.")
    if not user.email:
        raise AccountError(f"{user.full_name} n'a pas d'adresse e-mail : renseignez-la d'abord pour pouvoir lui "
                           "envoyer un nouveau mot de passe.")
    _send_temporary_password(establishment=establishment, actor=actor, user=user, request=request)
    return (f"Un nouveau mot de passe temporaire a été envoyé à {user.full_name} ({user.email}) ; "
            "il devra le changer à sa prochaine connexion.")


@transaction.atomic
def user_email_change(*, establishment, actor: User, user: User, email: str, request=None) -> bool | None:
    """Changes ``user``'s e-mail address and tells the old address (a hijack must not go unnoticed).

    Returns ``None`` when nothing changed or there was no old address, ``True`` when the old address was told,
    ``False`` when that notice could not be sent (the change is kept: the old address may be dead).
    """
    _check_may_change_credentials(actor, user)
    old, new = user.email, email.strip()
    if old == new:
        return None
    user.email = new
    user.save(update_fields=["email"])
    audit.record(establishment, actor, "user.email", user, {"ancienne": old, "nouvelle": new})
    if not old:
        return None
    return _notify_email_change(user, old, actor, request=request)


def _notify_email_change(user: User, old: str, actor: User, *, request=None) -> bool:
    establishment = user.establishment
    context = {"user": user, "old": old, "actor": actor, "establishment": establishment,
               "login_url": login_url(establishment, request)}
    subject = render_to_string("accounts/emails/email_changed_subject.txt", context).strip()
    body = render_to_string("accounts/emails/email_changed.txt", context)
    message = EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [old],
                           reply_to=[establishment.email] if establishment.email else None)
    try:
        message.send(fail_silently=False)
    except Exception as exc:  # SMTP errors come in many types (socket, smtplib, SSL)
        logger.warning("E-mail change notice to user %s failed: %s", user.pk, type(exc).__name__)
        return False
    return True


# Inspector access ------------------------------------------------------------------------------------------

INSPECTOR_OPENERS = frozenset({Profile.HEAD, Profile.DDFPT})


def inspector_expiry(expires_on: datetime.date) -> datetime.datetime:
    """Access is open through the whole of ``expires_on`` (local time), and refused from the next midnight."""
    next_day = datetime.datetime.combine(expires_on + datetime.timedelta(days=1), datetime.time.min)
    return timezone.make_aware(next_day)


def _check_inspector_opener(actor: User) -> None:
    if actor.profile not in INSPECTOR_OPENERS:
        raise PermissionDenied("Seuls le chef d'établissement et le DDFPT ouvrent un accès inspecteur.")


@transaction.atomic
def inspector_access_open(*, establishment, actor: User, civility: str, last_name: str, first_name: str,
                          email: str, expires_on: datetime.date, request=None) -> User:
    """Opens a read-only access until ``expires_on`` (included); the inspector gets an e-mail with it.

    An inspector already known by this e-mail gets their account back, with the new end date and a new
    temporary password.
    """
    _check_inspector_opener(actor)
    blocked = identity_missing_message(establishment, "ouvrir un accès inspecteur")
    if blocked:
        raise AccountError(blocked)
    today = timezone.localdate()
    if not today <= expires_on <= today + datetime.timedelta(days=INSPECTOR_MAX_DAYS):
        raise AccountError("La date de fin d'accès doit être comprise entre aujourd'hui et dans un an.")
    email = email.strip()
    user = User.objects.filter(establishment=establishment, profile=Profile.INSPECTOR,
                               email__iexact=email).first()
    reopened = user is not None
    if user is None:
        user = User(establishment=establishment, profile=Profile.INSPECTOR, created_by_hand=True)
    user.civility, user.last_name, user.first_name, user.email = civility, last_name.strip(), first_name.strip(), email
    user.access_expires_at = inspector_expiry(expires_on)
    user.reactivate()
    password = generate_temporary_password()
    user.set_password(password)
    user.must_change_password = True
    if reopened:
        user.save()
    else:
        _save_with_unique_login(user, establishment)
    audit.record(establishment, actor, "inspector.open", user,
                 {"identifiant": user.login, "e-mail": email, "jusqu'au": expires_on.strftime("%d/%m/%Y"),
                  "réouverture": reopened})
    _send_or_undo(user, password, reason="inspector", undone="l'accès n'a pas été ouvert.", request=request)
    return user


@transaction.atomic
def inspector_access_close(*, establishment, actor: User, inspector: User) -> None:
    """Closes the access now: the account is deactivated and its sessions end at their next request."""
    _check_inspector_opener(actor)
    if inspector.profile != Profile.INSPECTOR or inspector.establishment_id != establishment.pk:
        raise PermissionDenied("Ce compte n'est pas un accès inspecteur de l'établissement.")
    if not inspector.is_active:
        raise AccountError(f"L'accès de {inspector.full_name} est déjà fermé.")
    inspector.deactivate()
    inspector.access_expires_at = min(inspector.access_expires_at or timezone.now(), timezone.now())
    inspector.save(update_fields=["is_active", "deactivated_at", "deactivated_by_import", "access_expires_at"])
    audit.record(establishment, actor, "inspector.close", inspector, {"identifiant": inspector.login})




# The platform (operations command and console) ------------------------------------------------------------------

FIRST_ADMIN_LAST_NAME = "Administrateur"


@transaction.atomic
def first_administrator_create(*, establishment, email: str, first_name: str = "", last_name: str = "",
                               send_email: bool = True, actor: User | None = None, request=None) -> tuple[User, str]:
    """The first administrateur of a new establishment, for ``create_establishment`` and the platform console.

    Login ``prenom.nom`` (``administrateur`` without a name), a temporary password to change at the first login,
    e-mailed to ``email`` with the establishment's address, or returned for the caller to show once when
    ``send_email`` is false. An e-mail that cannot be sent undoes everything (``AccountError``).
    """
    email = (email or "").strip()
    if send_email and not email:
        raise AccountError("Indiquez l'adresse e-mail du premier administrateur : son mot de passe temporaire y "
                           "est envoyé.")
    if email:
        try:
            validate_email(email)
        except ValidationError as exc:
            raise AccountError(f"Adresse e-mail du premier administrateur invalide : {email}") from exc
    with scope(establishment=establishment):
        user = User(establishment=establishment, profile=Profile.ADMIN, first_name=first_name.strip(),
                    last_name=last_name.strip() or FIRST_ADMIN_LAST_NAME, email=email, created_by_hand=True)
        password = generate_temporary_password()
        user.set_password(password)
        user.must_change_password = True
        _save_with_unique_login(user, establishment)
        audit.record(establishment, actor, "user.create", user,
                     {"identifiant": user.login, "profil": user.get_profile_display(), "e-mail": email,
                      "premier administrateur": True})
        if send_email:
            _send_or_undo(user, password, reason="first_admin", undone="l'administrateur n'a pas été créé.",
                          request=request)
    return user, password


def _send_temporary_password(*, establishment, actor: User, user: User, request=None) -> None:
    """A new temporary password, e-mailed (undone if the e-mail fails), the lockout lifted, the action logged."""
    password = generate_temporary_password()
    user.set_password(password)
    user.must_change_password = True
    user.save(update_fields=["password", "must_change_password"])
    reset_lockout(establishment, user.login)
    audit.record(establishment, actor, "user.password_reset", user,
                 {"identifiant": user.login, "nouveau": "mot de passe temporaire envoyé par e-mail"})
    _send_or_undo(user, password, reason="reset", undone="le mot de passe n'a pas été changé.", request=request)


@transaction.atomic
def platform_password_reset(*, actor: User, user: User, request=None) -> str:
    """The platform staff send a new temporary password to an establishment's account (e.g. the chef's, whom
    nobody in the establishment outranks), and lift its lockout."""
    if user.establishment_id is None:
        raise AccountError("Les comptes de la plateforme changent leur mot de passe eux-mêmes.")
    if not user.email:
        raise AccountError(f"{user.full_name} ({user.login}) n'a pas d'adresse e-mail.")
    establishment = user.establishment
    _send_temporary_password(establishment=establishment, actor=actor, user=user, request=request)
    return f"Nouveau mot de passe temporaire envoyé à {user.full_name} ({user.email})."
