"""Who reaches the scenario pages: teachers write; the DDFPT, the chef d'établissement and the inspector read."""

from accounts.models import Profile

SCENARIO_READERS = (Profile.TEACHER, Profile.DDFPT, Profile.HEAD, Profile.INSPECTOR)
SCENARIO_WRITERS = (Profile.TEACHER,)
