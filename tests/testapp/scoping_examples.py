"""Code that goes around tenant scoping, one example per way, for tests/test_scoping.py to prove its checks
catch each of them (the texts are matched, never run)."""

BYPASSES = {
    "base manager": "Evaluation._base_manager.filter(learner=learner)",
    "default manager": "Evaluation._default_manager.all()",
    "many-to-many table": "User.teaching_groups.through.objects.filter(user_id__in=ids)",
    "many-to-many table kept in a name": "table = TeachingGroup.divisions.through\ntable.objects.all()",
    "cursor": "with connection.cursor() as cursor:\n    cursor.execute('SELECT * FROM accounts_user')",
    "raw": "User.objects.raw('SELECT * FROM accounts_user')",
    "RawSQL": "User.objects.annotate(n=RawSQL('SELECT count(*) FROM accounts_user', []))",
    "extra": "User.objects.extra(where=['1 = 1'])",
}

SCOPED = [
    "User.objects.filter(establishment=establishment)",
    "with scope(establishment=establishment):\n    list(user.teaching_groups.all())",
    "Division.objects.select_related('establishment').extra_field",
]

SCOPES_DISABLED = "with scopes_disabled():\n    User.objects.all()"
