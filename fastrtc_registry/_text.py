"""Text from the outside world, made safe to show: no control characters, no secrets.

Everything an index or a catalog says (names, summaries, descriptions, URLs)
is attacker-controlled. Before it reaches a terminal it goes through
:func:`clean_text`, which drops the characters a terminal would obey (ESC
sequences, carriage returns, bidi overrides); URLs go through :func:`mask_url`,
which hides passwords the way pip does (``alice:****``). Pure and stdlib-only,
so any module may import it cheaply.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import urlsplit, urlunsplit

__all__ = [
    "clean_text",
    "confusable",
    "counted",
    "has_control",
    "mask_secrets",
    "mask_url",
    "truncate",
]

# C0 and C1 controls, DEL, and the Unicode format characters that reorder or
# hide text (bidi embeddings/overrides/isolates, zero-width joiners, BOM).
_CONTROL = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]"
)
_SPACE = re.compile(r"[\t\n\r]+|\s{2,}")
_URL = re.compile(r"[a-zA-Z][a-zA-Z0-9+.-]*://[^\s'\"<>]+")


def clean_text(text: object, limit: int | None = None) -> str:
    """``text`` without control characters, on one line, cut to ``limit`` characters."""
    value = text if isinstance(text, str) else ("" if text is None else str(text))
    value = _SPACE.sub(" ", value.replace("\r\n", " "))
    value = _CONTROL.sub("", value).strip()
    return truncate(value, limit) if limit is not None else value


def counted(count: int, one: str, many: str) -> str:
    """``1 warning``, ``2 warnings``: a count with the word that agrees with it."""
    return f"{count} {one if count == 1 else many}"


def has_control(text: str) -> bool:
    """Whether ``text`` holds a character :func:`clean_text` would remove (newlines aside)."""
    return _CONTROL.search(text.replace("\n", "").replace("\t", "")) is not None


def truncate(text: str, width: int) -> str:
    """``text`` cut to ``width`` characters, the last one an ellipsis when cut."""
    if width <= 0:
        return ""
    return text if len(text) <= width else text[: width - 1] + "…"


def mask_url(url: str) -> str:
    """``url`` with its password replaced by ``****`` (pip's style); other URLs unchanged."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return _mask_by_hand(url)
    if "@" not in parts.netloc:
        return url
    userinfo, _, host = parts.netloc.rpartition("@")
    user, colon, _password = userinfo.partition(":")
    masked = f"{user}:****@{host}" if colon else f"****@{host}"
    return urlunsplit(parts._replace(netloc=masked))


def _mask_by_hand(url: str) -> str:
    scheme, sep, rest = url.partition("://")
    if not sep or "@" not in rest.split("/", 1)[0]:
        return url
    netloc, slash, path = rest.partition("/")
    userinfo, _, host = netloc.rpartition("@")
    user = userinfo.partition(":")[0]
    return f"{scheme}://{user}:****@{host}{slash}{path}"


def mask_secrets(text: str) -> str:
    """Every URL inside ``text`` with its password masked."""
    return _URL.sub(lambda m: mask_url(m.group(0)), text)


def _script(ch: str) -> str | None:
    if not ch.isalpha():
        return None
    try:
        return unicodedata.name(ch).split(" ", 1)[0]
    except ValueError:
        return "UNKNOWN"


# Scripts that are written mixed with Latin (Unicode's "highly restrictive" profile).
_MIXED_WITH_LATIN = frozenset({"CJK", "HIRAGANA", "KATAKANA", "HANGUL", "BOPOMOFO"})


def confusable(name: str) -> bool:
    """Whether ``name`` mixes letters of several scripts (a Cyrillic ``ѕ`` in ``ѕilero``).

    Latin with Han, kana or Hangul is the normal way to write those languages
    and is not flagged.
    """
    scripts = {s for ch in name if (s := _script(ch)) is not None}
    return len(scripts - _MIXED_WITH_LATIN) > 1
