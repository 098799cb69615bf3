"""System checks of the accounts' security settings (``manage.py check --deploy``)."""

from django.conf import settings
from django.core.checks import Tags, Warning, register

from .hashers import MIN_MEMORY_KIB, MIN_MEMORY_TIMES_PASSES


@register(Tags.security, deploy=True)
def local_http_benchmark_check(app_configs, **kwargs):
    """``LOCAL_HTTP_BENCHMARK`` turns off the HTTPS redirect, HSTS and secure cookies: never in production."""
    if not getattr(settings, "LOCAL_HTTP_BENCHMARK", False):
        return []
    return [Warning(
        "LOCAL_HTTP_BENCHMARK est activé : pas de redirection HTTPS, pas de HSTS, cookies non sécurisés.",
        hint="Ce réglage ne sert qu'au banc de charge local (manage.py bench_load) ; retirez-le en production.",
        id="cpro.W001",
    )]


@register(Tags.security, deploy=True)
def argon2_cost_check(app_configs, **kwargs):
    """The argon2id cost may be lowered for small servers, not below a strong configuration."""
    memory = settings.ARGON2_MEMORY_KIB
    time_cost = settings.ARGON2_TIME_COST
    parallelism = settings.ARGON2_PARALLELISM
    if memory >= MIN_MEMORY_KIB and memory * time_cost >= MIN_MEMORY_TIMES_PASSES and parallelism >= 1:
        return []
    return [Warning(
        f"Coût argon2id trop faible (ARGON2_MEMORY_KIB={memory}, ARGON2_TIME_COST={time_cost}, "
        f"ARGON2_PARALLELISM={parallelism}).",
        hint=(f"Gardez au moins {MIN_MEMORY_KIB} Kio de mémoire et mémoire × passes ≥ {MIN_MEMORY_TIMES_PASSES} "
              "(recommandations OWASP : 47104 Kio × 1 passe, 19456 Kio × 2 passes…)."),
        id="cpro.W002",
    )]
