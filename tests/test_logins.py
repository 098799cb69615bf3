from accounts.logins import make_unique_login


def test_login_is_first_name_dot_last_name_without_accents():
    assert make_unique_login("Inès", "Le Gall-Hervé", set()) == "ines.le-gall-herve"
    assert make_unique_login("Jean Marie", "D'Aubigné", set()) == "jean.d-aubigne"


def test_homonyms_get_a_number_and_the_taken_set_grows():
    taken = {"marie.dupont"}
    assert make_unique_login("Marie", "Dupont", taken) == "marie.dupont2"
    assert make_unique_login("Marie", "DUPONT", taken) == "marie.dupont3"
    assert {"marie.dupont2", "marie.dupont3"} <= taken
