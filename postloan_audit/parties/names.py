"""Names of parties as compared (名称规范化).

Two records name the same party when their names agree after the differences a keyboard, an
export or a clerk make without meaning anything:

1. full-width and half-width forms (``（``/``(``, ``Ａ``/``A``): Unicode NFKC;
2. traditional and simplified characters (``華興實業``/``华兴实业``): OpenCC's ``t2s``
   conversion (the ``opencc`` package), used for this alone;
3. spaces anywhere, and the brackets ``()`` ``[]`` ``【】`` ``〔〕`` (their content kept: a
   company's ``(福建)`` is part of its name, the bracket style is not);
4. Latin letters in upper case;
5. the company-form suffixes 有限责任公司 / 股份有限公司 / 有限公司 as one (``有限公司``): ledgers write
   the same company both ways.

Similarity (names close but not equal) is never a reason to join two parties here; it only
lists look-alikes for the auditor (:mod:`~postloan_audit.parties.resolve`, rapidfuzz).
"""

from __future__ import annotations

import unicodedata

import numpy as np
import pandas as pd

#: Company-form suffixes read as one (longest first), and what they become.
COMPANY_SUFFIXES: tuple[str, ...] = ("股份有限公司", "有限责任公司", "有限公司")
CANONICAL_SUFFIX = "有限公司"
#: Bracket characters removed (after NFKC: full-width （） are already ()).
BRACKETS = "()[]【】〔〕〈〉《》「」『』"
_DROP = {ord(ch): None for ch in BRACKETS}
_OPENCC = None


def _converter():
    global _OPENCC
    if _OPENCC is None:
        import opencc

        _OPENCC = opencc.OpenCC("t2s")
    return _OPENCC


def _before_opencc(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    return "".join(text.split()).translate(_DROP).upper()


def _after_opencc(text: str) -> str:
    for suffix in COMPANY_SUFFIXES:
        if text.endswith(suffix):
            return text[: -len(suffix)] + CANONICAL_SUFFIX
    return text


def normalise_name(value: object) -> str:
    """A party's name as compared; ``""`` for a missing or blank name.

    >>> normalise_name("福州　華興實業（集團）股份有限公司")
    '福州华兴实业集团有限公司'
    >>> normalise_name("某某建材有限责任公司") == normalise_name("某某建材 有限公司")
    True
    """
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    text = _before_opencc(str(value))
    if not text:
        return ""
    return _after_opencc(_converter().convert(text))


def normalise_names(values: pd.Series) -> np.ndarray:
    """:func:`normalise_name` of every value (an object array aligned with ``values``).

    Each distinct name is normalised once; OpenCC converts all of them in one call (the names
    joined by line breaks, which step 3 has removed from every name), so a million loans of a
    few hundred thousand borrowers cost one conversion.
    """
    codes, uniques = pd.factorize(pd.Series(values, copy=False), use_na_sentinel=True)
    before = [_before_opencc(str(u)) for u in uniques]
    converted = _converter().convert("\n".join(before)).split("\n") if before else []
    if len(converted) != len(before):  # never expected; stay exact rather than fast
        converted = [_converter().convert(b) for b in before]
    keys = np.array([_after_opencc(c) for c in converted] + [""], dtype=object)
    return keys[np.where(codes < 0, len(before), codes)]
