"""One person, one identity: the name without academic titles, normalised (``person_id``).

"Hendra Saputra, S.E., M.M.", "hendra  saputra", "Dr. Hendra Saputra" and "Hendra Saputra S.E"
are one person. Key registration (one active key per person), signing (which key signs) and
verify (whose key a signature must be) all compare ``person_id``; the team roster's signer match
(``policy.name_matches``) too. A rule that merges two real people too eagerly only refuses a
second registration with a clear message (they register with a distinguishing name); a rule
that splits one person lets an impostor register a second key in their name -- so when in doubt
it strips.

Stripped: everything after the first comma (Indonesian back titles: "S.E., M.M."), front titles
("Dr.", "Drs.", "Dra.", "Ir.", "H.", "Hj.", "Prof.", ...), back degrees written without a comma
("S.Kom", "M.Si", "S.E.", "SE", "MM", "Ak", ...), dots, case (``casefold``), Unicode compatibility
forms (NFKC) and runs of whitespace.
"""

from __future__ import annotations

import re
import unicodedata

FRONT_TITLES = frozenset(
    {
        "dr",
        "drs",
        "dra",
        "drg",
        "ir",
        "h",
        "hj",
        "prof",
        "kh",
        "ns",
        "apt",
        "bapak",
        "bpk",
        "ibu",
        "sdr",
        "sdri",
        "tn",
        "ny",
        "nn",
        "hc",
    }
)
BACK_DEGREES = frozenset(
    {
        # Indonesian first and second degrees (written with or without dots) and common certifications
        "se",
        "sh",
        "st",
        "ssi",
        "skom",
        "ssos",
        "spd",
        "sip",
        "sak",
        "sag",
        "sthi",
        "skm",
        "sked",
        "spsi",
        "sfarm",
        "stp",
        "sp",
        "shut",
        "spt",
        "sgz",
        "sikom",
        "sadm",
        "sds",
        "ssn",
        "shum",
        "sst",
        "ap",
        "amd",
        "ama",
        "mm",
        "mh",
        "msi",
        "mkom",
        "msos",
        "mpd",
        "mt",
        "mak",
        "mag",
        "mkes",
        "mpsi",
        "map",
        "mpa",
        "mba",
        "msc",
        "mse",
        "mec",
        "mhum",
        "madm",
        "mtr",
        "mkn",
        "mp",
        "mgz",
        "mikom",
        "ma",
        "me",
        "dea",
        "phd",
        "ak",
        "ca",
        "cpa",
        "cfra",
        "qia",
        "cgcae",
        "crma",
        "crmo",
        "cia",
        "cisa",
        "pmp",
        "spog",
        "sppd",
        "spa",
        "spb",
    }
)
_DOTTED = re.compile(r"^[a-z]{1,3}(\.[a-z]{1,6})+\.?$")  # s.kom, m.si, s.e., a.md, ph.d -- not a lone initial "s."


def _bare(token: str) -> str:
    return token.replace(".", "").replace("'", "")


def _is_degree(token: str) -> bool:
    return _bare(token) in BACK_DEGREES or bool(_DOTTED.fullmatch(token))


def person_id(name: object) -> str:
    """The canonical identity of a person's name ('' for a blank name)."""
    text = unicodedata.normalize("NFKC", str(name or "")).casefold()
    text = text.split(",", 1)[0]
    tokens = text.split()
    while len(tokens) > 1 and _bare(tokens[0]) in FRONT_TITLES:
        tokens.pop(0)
    while len(tokens) > 1 and _is_degree(tokens[-1]):
        tokens.pop()
    return " ".join(_bare(t) for t in tokens if _bare(t))


def same_person(a: object, b: object) -> bool:
    """Two names of one person (both non-blank)."""
    pa = person_id(a)
    return bool(pa) and pa == person_id(b)
