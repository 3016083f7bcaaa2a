"""Markdown output: user text is text. No heading, rule, HTML, list or table can come from a note.

The Markdown Berita Acara once carried a note's ``# HEADING``, ``---``, raw ``<script>`` and
``<img onerror=…>`` straight into the ``.md`` (the HTML output escapes correctly). Escaping is
done on the *context* (every string, recursively) rather than on every ``{{ }}`` output, because
the template itself legitimately emits Markdown from expressions (``{{ "\\\\" if not loop.last }}``
is a hard line break); only data is escaped, template text is not.

- CommonMark lets any ASCII punctuation be backslash-escaped, and an escaped character is always
  a literal: the characters that open inline structure (``\\ ` * _ [ ] < > | ~``) are escaped
  everywhere; those that open a block only at the start of a line (``#``, ``>``, ``-``, ``+``,
  ``=``, ``1.``/``1)``) are escaped where a value starts.
- A newline in a note becomes ``<br>`` (inserted by us, not by the note) so a multi-line note
  stays inside its table cell, list item or paragraph; a tab becomes a space.
- Identifiers the templates compare or feed to filters (dates, codes, enum keys) are validated in
  core and are left untouched (``KEEP``).
"""

from __future__ import annotations

import re
from typing import Any

_INLINE = re.compile(r"([\\`*_\[\]<>|~])")
# what opens a block at the start of a line: ATX heading, quote, list item or rule, setext
# underline, ordered list item ("2026.1" or "#hashtag" open nothing and stay as they are)
_BLOCK_START = re.compile(r"^(\s*)(#{1,6}(?=\s|$)|>|[-+](?=\s|$|-)|=+(?=\s*$)|\d{1,9}[.)](?=\s|$))")
# keys whose values are machine identifiers (validated in core), used in comparisons and filters
KEEP = frozenset(
    {
        "kunci",
        "jenis",
        "status",
        "target",
        "tanggal",
        "jam_mulai",
        "jam_selesai",
        "id",
        "digest",
        "digest_pendek",
        "kode",
        "slug",
        "kertas",
        "predikat",
    }
)


def escape(text: str) -> str:
    """One value as literal Markdown text on one line."""
    text = _INLINE.sub(r"\\\1", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    lines = [_BLOCK_START.sub(_escape_block, line) for line in text.split("\n")]
    return "<br>".join(lines)


def _escape_block(m: re.Match) -> str:
    lead, mark = m.group(1), m.group(2)
    if mark[-1] in ".)" and mark[0].isdigit():
        return f"{lead}{mark[:-1]}\\{mark[-1]}"
    return f"{lead}\\{mark}"


def escape_context(value: Any, key: str = "") -> Any:
    """A copy of ``value`` with every string escaped (keys in ``KEEP`` left as they are)."""
    if isinstance(value, str):
        return value if key in KEEP else escape(value)
    if isinstance(value, dict):
        return {k: escape_context(v, k if isinstance(k, str) else "") for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [escape_context(v, key) for v in value]
    return value
