"""Password hashing: argon2id whose cost is read from the settings.

Django's ``Argon2PasswordHasher`` fixes its cost in the class (m = 100 MiB, t = 2, p = 8). With 8 lanes one
login keeps every core of a small server busy for a quarter of a second: measured on 2 cores, a burst of logins
starved every other page (README, « Banc de charge »). Here the cost is ``ARGON2_TIME_COST`` passes over
``ARGON2_MEMORY_KIB`` of memory on ``ARGON2_PARALLELISM`` lanes (threads); with one lane a login takes one core.
The algorithm keeps Django's name (``argon2``): hashes made with other parameters are still checked, and
re-hashed with these at the user's next successful login (``must_update``).
"""

from django.conf import settings
from django.contrib.auth.hashers import Argon2PasswordHasher

# Below these, argon2id is no longer the strong hash the project promises: OWASP's equivalent minimum
# configurations go from 46 MiB × 1 pass to 7 MiB × 5 passes (1 lane), i.e. memory × passes ≥ 35,840 KiB with at
# least 7 MiB. ``accounts.checks`` reports settings under them (``check --deploy``).
MIN_MEMORY_KIB = 7 * 1024
MIN_MEMORY_TIMES_PASSES = 7 * 1024 * 5


class ConfigurableArgon2PasswordHasher(Argon2PasswordHasher):
    """argon2id with ``settings.ARGON2_TIME_COST`` / ``ARGON2_MEMORY_KIB`` / ``ARGON2_PARALLELISM``."""

    @property
    def time_cost(self) -> int:
        return settings.ARGON2_TIME_COST

    @property
    def memory_cost(self) -> int:
        return settings.ARGON2_MEMORY_KIB

    @property
    def parallelism(self) -> int:
        return settings.ARGON2_PARALLELISM
