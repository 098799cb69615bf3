"""Example URL parameters for the isolation sweep: ``url name → f(establishment, users) → kwargs``.

``users`` maps each Profile to a user of ``establishment``. Create the objects inside the establishment: the
sweep checks that a user of another establishment gets 404 on them.
"""

URL_EXAMPLES: dict = {}
