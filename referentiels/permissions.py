"""Which profiles open the référentiel pages (the profile gate; objects are the establishment's own)."""

from accounts.models import Profile

# The référentiel browser: every pedagogical profile.
BROWSER_PROFILES = (Profile.TEACHER, Profile.DDFPT, Profile.HEAD, Profile.INSPECTOR)
# « Classes et diplômes »: who ties a class to a diploma.
CLASSES_PROFILES = (Profile.DDFPT, Profile.HEAD)
