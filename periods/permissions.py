"""Who reaches the work-period pages.

- Annexes pédagogiques: the professeur référent and the DDFPT write them (guide: « le menu de gauche guide
  l'enseignant »); the chef d'établissement writes too; the inspector reads.
- Declaring, changing or deleting a PFMP / période employeur is a DDFPT action (the chef d'établissement may stand
  in); teachers and the inspector read; a learner sees their own periods (« Mes périodes en entreprise »).
- The ledger of days: the DDFPT and the chef write every learner's days, a teacher those of the learners they
  teach; the inspector reads.
"""

from accounts.models import Profile

ANNEX_WRITERS = (Profile.DDFPT, Profile.HEAD, Profile.TEACHER)
PERIOD_WRITERS = (Profile.DDFPT, Profile.HEAD)
PERIOD_READERS = (Profile.DDFPT, Profile.HEAD, Profile.TEACHER, Profile.INSPECTOR)
DAYS_WRITERS = (Profile.DDFPT, Profile.HEAD, Profile.TEACHER)
SETTINGS_WRITERS = (Profile.DDFPT, Profile.HEAD)
LEARNER = (Profile.LEARNER,)
