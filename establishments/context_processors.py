from .extensions import menu


def establishment(request):
    est = getattr(request, "establishment", None)
    user = getattr(request, "user", None)
    entries = menu.for_user(user) if est is not None and user is not None and user.is_authenticated else []
    return {"establishment": est, "menu": entries}
