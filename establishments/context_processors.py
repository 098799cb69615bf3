from accounts.navigation import menu_for


def establishment(request):
    est = getattr(request, "establishment", None)
    user = getattr(request, "user", None)
    menu = menu_for(user) if est is not None and user is not None and user.is_authenticated else []
    return {"establishment": est, "menu": menu}
