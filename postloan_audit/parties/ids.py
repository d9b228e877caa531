"""Id numbers of parties (证件号码): 居民身份证号码 and 统一社会信用代码, checked by their standards.

* 居民身份证号码, GB 11643-1999 《公民身份号码》: 6-digit address code, 8-digit birth date
  ``YYYYMMDD``, 3-digit sequence, 1 check character (ISO 7064 MOD 11-2: weights
  ``2^(17-i) mod 11``, the value ``(12 − Σ mod 11) mod 11``, 10 written ``X``). A 15-digit
  number of the first generation (no check, birth year in two digits) is upgraded as the
  standard says: ``19`` inserted before the year and the check character computed; it is then
  valid when its birth date is a real date. The address code is **not** looked up: GB/T 2260
  codes are withdrawn and created every year, numbers issued under withdrawn codes stay valid
  for life, and foreign permanent residents' numbers (2023) start with ``9``; a table check
  (python-stdnum's ``get_birth_place``) would refuse real numbers.
* 统一社会信用代码, GB 32100-2015: 18 characters from a 31-character alphabet (``0-9`` and the
  capitals without ``I O Z S V``): registration authority, entity type, 6-digit region code,
  the 9-character 组织机构代码 of GB 11714-1997 (8 body characters and its own MOD 11 check:
  weights ``3 7 9 10 5 8 4 2``, ``11 − Σ mod 11``, 10 written ``X``, 11 written ``0``), and a
  MOD 31 check character (weights ``3^i mod 31``). Both checks are verified.

python-stdnum (``stdnum.cn.ric``, ``stdnum.cn.uscc``) computes the GB 11643 and GB 32100
check characters and the birth date for the scalar checks :func:`is_valid_id_number` and
:func:`is_valid_credit_code`; the tests check its answers against the standards' published
examples and against every single-character corruption. python-stdnum's own ``validate``
is not used as it is: ``cn.ric`` also requires the address code in its table (above) and
``cn.uscc`` does not check the embedded 组织机构代码 and refuses a letter as first character
(GB 32100 registration authorities ``A``, ``N``, ``Y``).

:func:`check_id_numbers` checks a whole column at once: each distinct value once, the checks
as array arithmetic over a character matrix; the tests hold it to the scalar functions on
every corruption and on random numbers.
"""

from __future__ import annotations

import unicodedata

import numpy as np
import pandas as pd

#: ``kind`` of a valid 居民身份证号码.
RIC = "ric"
#: ``kind`` of a valid 统一社会信用代码.
USCC = "uscc"
#: The GB 32100 alphabet (no I, O, Z, S, V).
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"

#: Reasons an id number is invalid (``reason`` of :func:`check_id_numbers`).
REASON_LENGTH = "位数不对"
REASON_CHARACTERS = "含非法字符"
REASON_CHECK = "校验位不符"
REASON_BIRTH_DATE = "出生日期无效"
REASON_ORG_CHECK = "组织机构代码校验位不符"

_RIC_WEIGHTS = np.array([pow(2, 17 - i, 11) for i in range(17)], dtype=np.int64)
_RIC_CODES = np.frombuffer(b"10X98765432", dtype=np.uint8)  # by Σ mod 11
_USCC_WEIGHTS = np.array([pow(3, i, 31) for i in range(17)], dtype=np.int64)
_ORG_WEIGHTS = np.array([3, 7, 9, 10, 5, 8, 4, 2], dtype=np.int64)
# character code → value: USCC alphabet position (-1 outside), GB 11714 value (-1 outside)
_USCC_VALUE = np.full(256, -1, dtype=np.int64)
_USCC_VALUE[np.frombuffer(USCC_ALPHABET.encode(), dtype=np.uint8)] = np.arange(31)
_ORG_VALUE = np.full(256, -1, dtype=np.int64)
_ORG_VALUE[np.arange(48, 58)] = np.arange(10)
_ORG_VALUE[np.arange(65, 91)] = np.arange(10, 36)


# --------------------------------------------------------------------------- normalisation

def normalise_id(value: object) -> str:
    """An id number as compared: full-width characters half-width (NFKC), upper case, every
    space and separator (``-``) removed; ``""`` for a missing value.

    >>> normalise_id(" １１０１０５ 19491231002x ")
    '11010519491231002X'
    """
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    text = unicodedata.normalize("NFKC", str(value)).upper()
    return "".join(ch for ch in text if not ch.isspace() and ch != "-")


def upgrade_id_number(number: str) -> str:
    """A 15-digit first-generation number as its 18-character form (GB 11643: ``19`` before
    the two-digit year, then the check character); anything else unchanged.

    >>> upgrade_id_number("110105491231002")
    '11010519491231002X'
    """
    from stdnum.cn import ric

    if len(number) == 15 and number.isdigit() and number.isascii():
        body = number[:6] + "19" + number[6:]
        return body + ric.calc_check_digit(body + "0")
    return number


# --------------------------------------------------------------------------- scalar checks

def id_number_problems(value: object) -> list[str]:
    """Why ``value`` is not a valid 居民身份证号码 (empty when it is), GB 11643.

    The check character is python-stdnum's ``cn.ric.calc_check_digit``; the birth date must be
    a real calendar date (``cn.ric.get_birth_date``).
    """
    from stdnum.cn import ric
    from stdnum.exceptions import ValidationError

    number = normalise_id(value)
    if len(number) not in (15, 18):
        return [REASON_LENGTH]
    number = upgrade_id_number(number)
    if len(number) != 18:  # 15 characters, not all digits
        return [REASON_CHARACTERS]
    if not (number[:17].isdigit() and number.isascii() and (number[17].isdigit()
                                                            or number[17] == "X")):
        return [REASON_CHARACTERS]
    problems = []
    if number[17] != ric.calc_check_digit(number):
        problems.append(REASON_CHECK)
    try:
        ric.get_birth_date(number)
    except (ValidationError, ValueError):
        problems.append(REASON_BIRTH_DATE)
    return problems


def is_valid_id_number(value: object) -> bool:
    """Whether ``value`` is a valid 居民身份证号码 (GB 11643-1999).

    18 characters with a matching check character (MOD 11-2, ``X`` for 10) and a real birth
    date; a 15-digit first-generation number is upgraded (``19`` inserted, check computed) and
    valid when its birth date is real. Full-width digits, a lower-case ``x`` and spaces are
    accepted (:func:`normalise_id`). The address code is not looked up (see the module).

    >>> is_valid_id_number("11010519491231002X"), is_valid_id_number("110105194912310021")
    (True, False)
    >>> is_valid_id_number("110105491231002")
    True
    """
    return not id_number_problems(value)


def _org_code_check(body: str) -> str:
    """The GB 11714 check character of an 8-character 组织机构代码 body."""
    total = sum(_ORG_VALUE[ord(ch)] * int(w) for ch, w in zip(body, _ORG_WEIGHTS, strict=True))
    check = 11 - total % 11
    return "X" if check == 10 else "0" if check == 11 else str(check)


def credit_code_problems(value: object) -> list[str]:
    """Why ``value`` is not a valid 统一社会信用代码 (empty when it is), GB 32100-2015.

    The check character is python-stdnum's ``cn.uscc.calc_check_digit``; the embedded
    组织机构代码 (positions 9–17) is checked by GB 11714 here, as python-stdnum does not.
    """
    from stdnum.cn import uscc

    code = normalise_id(value)
    if len(code) != 18:
        return [REASON_LENGTH]
    if not code.isascii() or any(ch not in USCC_ALPHABET for ch in code) \
            or not code[2:8].isdigit():
        return [REASON_CHARACTERS]
    problems = []
    if code[17] != uscc.calc_check_digit(code[:17]):
        problems.append(REASON_CHECK)
    if code[16] != _org_code_check(code[8:16]):
        problems.append(REASON_ORG_CHECK)
    return problems


def is_valid_credit_code(value: object) -> bool:
    """Whether ``value`` is a valid 统一社会信用代码 (GB 32100-2015).

    18 characters from the 31-character alphabet (no ``I O Z S V``), a numeric region code
    (positions 3–8), the MOD 31 check character, and the embedded 组织机构代码 (positions 9–17)
    with its GB 11714 check. Full-width characters, lower case and spaces are accepted.

    >>> is_valid_credit_code("91350100M000100Y43"), is_valid_credit_code("91350100M000100Y44")
    (True, False)
    """
    return not credit_code_problems(value)


# --------------------------------------------------------------------------- a whole column

#: Columns of :func:`check_id_numbers`.
ID_CHECK_COLUMNS = ["id_key", "kind", "valid", "reason"]


def _matrix(texts: np.ndarray) -> np.ndarray:
    """An (n, 18) uint8 matrix of 18-character ASCII strings."""
    if not len(texts):
        return np.zeros((0, 18), dtype=np.uint8)
    data = "".join(texts.tolist()).encode("ascii")
    return np.frombuffer(data, dtype=np.uint8).reshape(len(texts), 18)


def _ric_checks(m: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per row of an (n, 18) matrix: RIC-shaped, check matches, birth date real."""
    digits = m[:, :17].astype(np.int64) - 48
    shaped = ((digits >= 0) & (digits <= 9)).all(axis=1) & (
        ((m[:, 17] >= 48) & (m[:, 17] <= 57)) | (m[:, 17] == ord("X")))
    total = (np.where(shaped[:, None], digits, 0) * _RIC_WEIGHTS).sum(axis=1)
    check_ok = shaped & (_RIC_CODES[total % 11] == m[:, 17])
    date_ok = np.zeros(len(m), dtype=bool)
    if shaped.any():
        ymd = np.where(shaped[:, None], digits[:, 6:14], 0)
        year = ymd[:, 0] * 1000 + ymd[:, 1] * 100 + ymd[:, 2] * 10 + ymd[:, 3]
        month = ymd[:, 4] * 10 + ymd[:, 5]
        day = ymd[:, 6] * 10 + ymd[:, 7]
        leap = ((year % 4 == 0) & (year % 100 != 0)) | (year % 400 == 0)
        days_in = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])[
            np.clip(month, 0, 12)] + ((month == 2) & leap)
        date_ok = shaped & (year >= 1) & (month >= 1) & (month <= 12) & (day >= 1) & (
            day <= days_in)
    return shaped, check_ok, date_ok


def _uscc_checks(m: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per row of an (n, 18) matrix: USCC-shaped, MOD 31 check matches, GB 11714 check."""
    values = _USCC_VALUE[m]
    region = m[:, 2:8]
    shaped = (values >= 0).all(axis=1) & ((region >= 48) & (region <= 57)).all(axis=1)
    safe = np.where(values < 0, 0, values)
    total = (safe[:, :17] * _USCC_WEIGHTS).sum(axis=1)
    check_ok = shaped & ((31 - total % 31) % 31 == safe[:, 17])
    org = _ORG_VALUE[m[:, 8:16]]
    org_total = (np.where(org < 0, 0, org) * _ORG_WEIGHTS).sum(axis=1)
    expected = 11 - org_total % 11
    expected_char = np.where(expected == 10, ord("X"), np.where(expected == 11, 48,
                                                                48 + expected))
    org_ok = shaped & (expected_char == m[:, 16])
    return shaped, check_ok, org_ok


def check_id_numbers(values: pd.Series, *, customer_type: pd.Series | None = None
                     ) -> pd.DataFrame:
    """Check a column of id numbers, each either a 居民身份证号码 or a 统一社会信用代码.

    Parameters
    ----------
    values:
        The id numbers (blank or missing: no id number).
    customer_type:
        Optional, aligned with ``values`` (``individual`` / ``corporate``): which standard an
        invalid number is judged by (an individual's by GB 11643, a corporate's by GB 32100;
        unknown: GB 11643 when the number is 18 digits (or 17 and ``X``) or 15 digits, else
        GB 32100), and which kind a number valid under both is. A number valid under either
        standard is valid whatever the customer type says (a 个体工商户 recorded as corporate
        may carry the owner's 身份证号码).

    Returns
    -------
    DataFrame
        Aligned with ``values`` (same index): ``id_key`` (the normalised number; a 15-digit
        number upgraded to 18; ``""`` when blank), ``kind`` (:data:`RIC`, :data:`USCC`, or
        ``""`` when blank or invalid), ``valid`` (bool; False when blank), ``reason``
        (``""`` when valid or blank; else the reasons joined by ``、``: 位数不对, 含非法字符,
        校验位不符, 出生日期无效, 组织机构代码校验位不符).

    Notes
    -----
    Equal to :func:`id_number_problems` / :func:`credit_code_problems` value by value (the
    tests hold it to them). Each distinct value is normalised once (in Python only when it is
    not already upper-case ASCII); the checks are array arithmetic over an (n, 18) character
    matrix of the distinct values.
    """
    n = len(values)
    codes, uniques = pd.factorize(pd.Series(values, copy=False), use_na_sentinel=True)
    index = values.index if isinstance(values, pd.Series) else None
    if not len(uniques):  # nothing but blanks
        return pd.DataFrame({"id_key": pd.array([""] * n, dtype="str"),
                             "kind": pd.array([""] * n, dtype="str"),
                             "valid": np.zeros(n, dtype=bool),
                             "reason": pd.array([""] * n, dtype="str")}, index=index)
    raw = pd.Series(np.asarray(uniques, dtype=object), dtype="str")
    # most exports already hold upper-case ASCII: only the others are normalised in Python
    plain = raw.str.fullmatch(r"[0-9A-Z]*").fillna(False).to_numpy(dtype=bool)
    keys = raw.to_numpy(dtype=object).copy()
    keys[~plain] = [normalise_id(v) for v in keys[~plain]]
    # the text of the keys is the raw text when nothing was normalised (no copy into Arrow)
    key_text = raw if plain.all() else pd.Series(keys, dtype="str")
    original_lengths = key_text.str.len().to_numpy(dtype=np.int64)
    legacy = np.flatnonzero(original_lengths == 15)
    upgraded = keys.copy()
    upgraded[legacy] = [upgrade_id_number(k) for k in keys[legacy]]
    u = len(uniques)
    texts = pd.Series(upgraded, dtype="str") if len(legacy) else key_text
    lengths = texts.str.len().to_numpy(dtype=np.int64)
    ascii_ok = texts.str.fullmatch(r"[0-9A-Z]*").fillna(False).to_numpy(dtype=bool)
    eighteen = (lengths == 18) & ascii_ok
    rows = np.flatnonzero(eighteen)
    m = _matrix(upgraded[rows].astype(str))
    ric_shape = np.zeros(u, bool)
    ric_check = np.zeros(u, bool)
    ric_date = np.zeros(u, bool)
    uscc_shape = np.zeros(u, bool)
    uscc_check = np.zeros(u, bool)
    uscc_org = np.zeros(u, bool)
    ric_shape[rows], ric_check[rows], ric_date[rows] = _ric_checks(m)
    uscc_shape[rows], uscc_check[rows], uscc_org[rows] = _uscc_checks(m)
    # an upgraded first-generation number is a 身份证号码, never a credit code
    uscc_shape[legacy] = uscc_check[legacy] = uscc_org[legacy] = False
    ric_valid = ric_check & ric_date
    uscc_valid = uscc_check & uscc_org

    # per row: the customer type decides between the two standards when both could apply
    n_rows = len(codes)
    if customer_type is None:
        person = corporate = np.zeros(n_rows, bool)
    else:
        kinds = pd.Series(customer_type, copy=False)
        person = (kinds == "individual").fillna(False).to_numpy(dtype=bool)
        corporate = (kinds == "corporate").fillna(False).to_numpy(dtype=bool)
    safe = np.where(codes < 0, 0, codes)
    blank = (codes < 0) | (lengths[safe] == 0)
    rv, uv = ric_valid[safe], uscc_valid[safe]
    valid = ~blank & (rv | uv)
    kind = np.where(valid, np.where(rv & ~(corporate & uv), RIC, USCC), "")

    # reasons of the invalid ones, by the standard the number is judged by
    legacy_digits = (original_lengths == 15) & (lengths == 18)
    looks_ric = ric_shape | legacy_digits
    as_ric = person | (~corporate & looks_ric[safe])
    original_len = original_lengths[safe]
    bad = ~blank & ~valid
    wrong_length = bad & ~np.where(as_ric, np.isin(original_len, (15, 18)), original_len == 18)
    shaped = np.where(as_ric, ric_shape[safe], uscc_shape[safe] & (original_len == 18))
    chars = bad & ~wrong_length & ~shaped
    rest = bad & ~wrong_length & ~chars
    # two failed checks at most per standard: a 4-entry table indexed by the two flags
    ric_table = np.array(["", REASON_BIRTH_DATE, REASON_CHECK,
                          f"{REASON_CHECK}、{REASON_BIRTH_DATE}"], dtype=object)
    uscc_table = np.array(["", REASON_ORG_CHECK, REASON_CHECK,
                           f"{REASON_CHECK}、{REASON_ORG_CHECK}"], dtype=object)
    ric_reason = ric_table[2 * ~ric_check[safe] + ~ric_date[safe]]
    uscc_reason = uscc_table[2 * ~uscc_check[safe] + ~uscc_org[safe]]
    reason = np.full(n, "", dtype=object)
    reason[wrong_length] = REASON_LENGTH
    reason[chars] = REASON_CHARACTERS
    reason = np.where(rest, np.where(as_ric, ric_reason, uscc_reason), reason)
    # per row, taken from the distinct keys' text ("" after them: a blank row's)
    id_key = pd.concat([texts, pd.Series([""], dtype="str")], ignore_index=True).take(
        np.where(blank, u, safe)).array
    return pd.DataFrame({"id_key": id_key,
                         "kind": pd.array(kind, dtype="str"), "valid": valid,
                         "reason": pd.array(reason, dtype="str")},
                        index=index)
