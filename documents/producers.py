"""How each kind of document is built, declared once by the module that owns it.

A producer takes the establishment, the user asking and JSON-able parameters (ids, not objects: a background task
rebuilds the same document from them) and returns a ``formats.File``::

    @producers.register("learner_access.pdf")
    def learner_access_pdf(establishment, owner, params) -> File: ...
"""

from collections.abc import Callable

from .formats import File

Producer = Callable[..., File]

_producers: dict[str, Producer] = {}


def register(kind: str) -> Callable[[Producer], Producer]:
    def decorator(function: Producer) -> Producer:
        if _producers.get(kind, function) is not function:
            raise ValueError(f"Le document « {kind} » est déjà déclaré")
        _producers[kind] = function
        return function

    return decorator


def get(kind: str) -> Producer:
    try:
        return _producers[kind]
    except KeyError:
        raise LookupError(f"Aucun producteur de document « {kind} »") from None


def kinds() -> list[str]:
    return sorted(_producers)
