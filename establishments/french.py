"""French wording helpers for the interface (see « Glossaire de l'interface » in the README)."""

import re

# Common nouns that open establishment names: lowercased after « au » / « à l' » (« au lycée Jean Jaurès »).
# Masculine ones take « au », feminine ones « à la »; a vowel or a mute h takes « à l' » either way.
MASCULINE = {"lycée", "collège", "centre", "groupe", "groupement", "institut", "établissement", "pôle", "campus"}
FEMININE = {"école", "maison", "section", "unité", "cité", "annexe"}
# Acronyms keep their case; their gender decides the article.
MASCULINE_ACRONYMS = {"CFA", "LP", "LPO", "LGT", "GRETA", "EREA", "CFPPA", "LEGTA", "LPA", "CLG", "IME", "ITEP"}
FEMININE_ACRONYMS = {"SEP", "MFR", "SEGPA", "ULIS", "UFA"}
VOWELS = "aâàäeéèêëiîïoôöuûùüyœæh"


def _elides(word: str) -> bool:
    # « l'école », « l'hôtel », « l'EREA », « l'ULIS »; but « le LP », « la MFR » as people write them.
    if word.isupper() and len(word) > 1:
        return word[0] in "AEIOUY"
    return word[:1].lower() in VOWELS


def preceded_by_a(name: str) -> str:
    """« à » + a name, with French contraction and elision: « au lycée Jean Jaurès », « à l'école Jules Ferry »,
    « à la section d'enseignement professionnel », « aux Lilas », « à Saint-Denis »."""
    name = " ".join((name or "").split())
    if not name:
        return ""
    match = re.match(r"(?i)^(les|le|la|l['’])\s*(.*)$", name)
    if match:
        article, rest = match.group(1).lower(), match.group(2)
        if article == "les":
            return f"aux {rest}"
        if article == "le":
            return f"au {rest}"
        if article == "la":
            return f"à la {rest}"
        return f"à l'{rest}"
    first, _, rest = name.partition(" ")
    tail = f" {rest}" if rest else ""
    if first in MASCULINE_ACRONYMS or first in FEMININE_ACRONYMS:
        if _elides(first):
            return f"à l'{name}"
        return f"au {name}" if first in MASCULINE_ACRONYMS else f"à la {name}"
    noun = first.lower()
    if noun in MASCULINE or noun in FEMININE:
        if _elides(noun):
            return f"à l'{noun}{tail}"
        return f"au {noun}{tail}" if noun in MASCULINE else f"à la {noun}{tail}"
    return f"à {name}"
