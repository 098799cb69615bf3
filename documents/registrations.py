"""What documents adds to the shared pages (imported by ``DocumentsConfig.ready``): the « Mes documents » menu
entry, for the profiles that can ask for a document long enough to be prepared in the background today (the
user managers, through the learners' login sheets). Later modules widen ``DOCUMENT_PROFILES`` as they add documents.
"""

from accounts.permissions import USER_MANAGER_PROFILES, for_profiles
from establishments.extensions import Link, menu

DOCUMENT_PROFILES = frozenset(USER_MANAGER_PROFILES)

menu.register(Link("documents", "Mes documents", "documents", for_profiles(*DOCUMENT_PROFILES),
                   "Les documents longs à préparer, à télécharger.", order=35))
