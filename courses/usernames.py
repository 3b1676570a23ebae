"""Usernames that cannot pass for someone else's: one script per name, and no look-alike of a
name that is taken.

The rule, applied at registration (``courses.forms.RegisterForm``):

1. A username is NFKC-normalised (as Django's ``UsernameField`` does): full-width, mathematical
   and ligature forms become plain letters (``ｓｔｕｄｅｎｔ`` is ``student``).
2. Its letters come from one script (``mixed_scripts``): "ѕtudent" with a Cyrillic ѕ is refused
   whatever else exists. Digits and ``. @ + - _`` belong to no script. Han, Hiragana, Katakana,
   Hangul and Bopomofo count as one script, as East Asian names mix them.
3. It is refused when its ``skeleton`` equals the skeleton of an existing username. The skeleton
   is the name as it reads: capitals that look like another Latin letter than their small form
   does are mapped first (Greek Η reads h, its small η reads n), then everything is casefolded,
   then look-alike letters and digits are mapped to the Latin letter they pass for (Cyrillic
   а е о р с у х ѕ і ј ԁ һ ӏ, Greek ο α ν ρ τ ι, Latin ɡ ı, 0 as o, 1 as l), and the pairs "rn"
   and "vv" read as "m" and "w". So "Student" and "ѕtudеnt" (Cyrillic ѕ and е) have the
   skeleton of "student"; "5tudent" has not (among digits only 0 and 1 are mapped).

   Because case does not count and a capital I looks like a small l, i, I, l and 1 are one
   letter in a skeleton: "kim" and "klm" are confusable. That costs a newcomer a second choice
   of name, never an account.

The mapping is a small hand-written table of the common look-alikes, not Unicode's full
confusables list (UTS #39): the one-script rule already refuses most other mixes. Checking a
name reads every username once (``taken_by_lookalike``), a few microseconds each: fine for
registrations, which are rare. Two confusable names registered in the same instant can both
pass; only the exact name is unique in the database.
"""

import unicodedata

from django.contrib.auth import get_user_model

# Capitals that look like another Latin letter than their small form does (the others, like
# Cyrillic В or Greek Ρ, read the same both ways and are mapped after casefolding).
CAPITALS = str.maketrans({"Η": "h", "Ν": "n", "Μ": "m", "Υ": "y"})
# Casefolded look-alikes, to the Latin letter they pass for.
LOOKALIKES = str.maketrans({
    # Cyrillic
    "а": "a", "в": "b", "г": "r", "е": "e", "к": "k", "м": "m", "н": "h", "о": "o", "р": "p",
    "с": "c", "т": "t", "у": "y", "х": "x", "ь": "b", "ѕ": "s", "і": "l", "ј": "j", "ԁ": "d",
    "һ": "h", "ӏ": "l", "ԛ": "q", "ԝ": "w", "ү": "y", "ѵ": "v",
    # Greek
    "α": "a", "β": "b", "γ": "y", "ε": "e", "η": "n", "ι": "l", "κ": "k", "ν": "v", "ο": "o",
    "ρ": "p", "τ": "t", "υ": "u", "μ": "u", "χ": "x", "ζ": "z",
    # Latin look-alikes of other Latin letters, and digits
    "ɡ": "g", "ı": "l", "ɩ": "l", "ȷ": "j", "i": "l", "1": "l", "|": "l", "0": "o",
})
PAIRS = (("rn", "m"), ("vv", "w"))
EAST_ASIAN = frozenset({"CJK", "HIRAGANA", "KATAKANA", "HANGUL", "BOPOMOFO"})


def normalize(username: str) -> str:
    return unicodedata.normalize("NFKC", username)


def skeleton(username: str) -> str:
    """The name as it reads (rule 3 above): two names with one skeleton pass for each other."""
    text = normalize(username).translate(CAPITALS).casefold().translate(LOOKALIKES)
    for pair, letter in PAIRS:
        text = text.replace(pair, letter)
    return text


def scripts(username: str) -> set[str]:
    """The scripts of the name's letters, named as Unicode names them ("LATIN", "CYRILLIC", ...)."""
    found = set()
    for char in normalize(username):
        if char.isalpha():
            script = unicodedata.name(char, "UNKNOWN").split()[0]
            found.add("EAST ASIAN" if script in EAST_ASIAN else script)
    return found


def mixed_scripts(username: str) -> bool:
    return len(scripts(username)) > 1


def taken_by_lookalike(username: str) -> bool:
    """Whether an existing username (this one included, in any case) has ``username``'s skeleton."""
    wanted = skeleton(username)
    existing = get_user_model().objects.values_list("username", flat=True)
    return any(skeleton(name) == wanted for name in existing.iterator(chunk_size=2000))
