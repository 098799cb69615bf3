"""What each app contributes to the shared pages: menu entries, home-page cards, Paramètres and Utilisateurs
tabs, audit action labels.

The tenant core owns the registries and knows no app above it. Each app registers its own contributions in its
``AppConfig.ready()`` (a ``registrations.py`` module imported there), so a new app adds a menu entry, a home card,
a tab or audit labels without editing any other app's file::

    from establishments import extensions

    extensions.menu.register(extensions.Link(
        key="imports", label="Importations", url_name="imports", visible=for_profiles(Profile.ADMIN), order=20))
    extensions.audit_labels.register({"import.apply": "Import de fichiers SIECLE / STS-web"})

``visible(user)`` decides who sees an entry (accounts gives ``for_profiles(...)``), so the core needs no
profile. ``url_name`` is a name under the ``tenant:`` namespace, reversed in the user's establishment space:
every entry is a real link, there is no "coming soon" entry.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from .routing import tenant_url


def everyone(user) -> bool:
    return True


@dataclass(frozen=True)
class Link:
    """A menu entry, a home-page card or a tab: a label, a page, who sees it, where it sits."""

    key: str
    label: str
    url_name: str
    visible: Callable[..., bool] = everyone
    description: str = ""
    order: int = 100


class LinkRegistry:
    """An ordered set of ``Link`` keyed by ``key``; registering the same key twice is a mistake and raises."""

    def __init__(self, name: str):
        self.name = name
        self._links: dict[str, Link] = {}

    def register(self, link: Link) -> Link:
        if link.key in self._links and self._links[link.key] != link:
            raise ValueError(f"{self.name}: « {link.key} » est déjà enregistré")
        self._links[link.key] = link
        return link

    def unregister(self, key: str) -> None:
        self._links.pop(key, None)

    def all(self) -> list[Link]:
        return sorted(self._links.values(), key=lambda link: (link.order, link.label))

    def for_user(self, user, current: str = "") -> list[dict]:
        """The entries ``user`` may see, as dicts for templates (``key``, ``label``, ``description``, ``url``,
        ``current``). Empty for a user without establishment (platform staff)."""
        establishment = getattr(user, "establishment", None)
        if establishment is None:
            return []
        return [
            {"key": link.key, "label": link.label, "description": link.description,
             "url": tenant_url(establishment, link.url_name), "current": link.key == current}
            for link in self.all() if link.visible(user)
        ]

    def keys(self) -> list[str]:
        return [link.key for link in self.all()]


class LabelRegistry:
    """French labels of audit actions (``"user.create"`` → « Création d'un utilisateur »)."""

    def __init__(self):
        self._labels: dict[str, str] = {}

    def register(self, labels: dict[str, str] | Iterable[tuple[str, str]]) -> None:
        for action, label in dict(labels).items():
            if self._labels.get(action, label) != label:
                raise ValueError(f"Action du journal « {action} » déjà enregistrée avec un autre intitulé")
            self._labels[action] = label

    def label(self, action: str) -> str:
        return self._labels.get(action, action)

    def __contains__(self, action: str) -> bool:
        return action in self._labels

    def all(self) -> dict[str, str]:
        return dict(self._labels)


class HookRegistry:
    """Functions the apps add to a shared step, called in registration order (e.g. the demo data: each app loads
    its own demo content with ``@extensions.demo_content.register``)."""

    def __init__(self, name: str):
        self.name = name
        self._hooks: list[Callable] = []

    def register(self, hook: Callable) -> Callable:
        if hook not in self._hooks:
            self._hooks.append(hook)
        return hook

    def unregister(self, hook: Callable) -> None:
        if hook in self._hooks:
            self._hooks.remove(hook)

    def all(self) -> list[Callable]:
        return list(self._hooks)


menu = LinkRegistry("menu")
home_cards = LinkRegistry("cartes de l'accueil")
settings_tabs = LinkRegistry("onglets des paramètres")
users_tabs = LinkRegistry("onglets des utilisateurs")
audit_labels = LabelRegistry()
# Called by ``manage.py demo`` for each demo establishment: ``hook(establishment, users)``, ``users`` being the demo
# account of each profile (``{"enseignant": User, …}``), inside the command's transaction, scopes disabled.
demo_content = HookRegistry("données de démonstration")


def visible_to_any(registry: LinkRegistry, user) -> bool:
    return any(link.visible(user) for link in registry.all())


@dataclass(frozen=True)
class SetupStep:
    """One step of an establishment's set-up (the progress bar of the pilot console): done or to do, what is
    missing (« encore 1 spécialité à configurer ») and the page where it is done (a ``tenant:`` URL name)."""

    key: str
    label: str
    done: bool
    missing: str = ""
    url_name: str = ""


# The set-up progress of an establishment, shown on the pilot console and on the platform console (/plateforme/):
# ``hook(establishment) -> list[SetupStep]``; the console app registers the product's five steps.
setup_progress = HookRegistry("avancement de la mise en service")


def setup_steps(establishment) -> list[SetupStep]:
    return [step for hook in setup_progress.all() for step in hook(establishment)]


# The first page a profile sees after logging in, when it is not the home page (the pilot console for the DDFPT
# and the chef d'établissement): the first visible entry wins.
landing_pages = LinkRegistry("page d'arrivée")
