"""Personal-data masking (个人信息脱敏) of the tables management reads.

《个人信息保护法》 第五十一条 names 去标识化 (de-identification) among the measures a handler of
personal information takes; 第四条 defines personal information as information on natural
persons, so an individual borrower's name and id number are masked and a company's are not.
The management page and its published file show borrowers only through
:func:`mask_personal_data`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

#: Masking (脱敏): characters of a name kept at the start (张** style), of an id number kept
#: at the start and at the end (first 4 and last 4), and the mask character.
#: 《个人信息保护法》 第四条 (personal information = information on natural persons) and
#: 第五十一条 (去标识化 as a protective measure).
NAME_KEEP_HEAD: int = 1
ID_KEEP_HEAD: int = 4
ID_KEEP_TAIL: int = 4
MASK_CHAR: str = "*"


def _mask_keep(values: pd.Series, head: int, tail: int) -> pd.Series:
    """Keep ``head`` leading and ``tail`` trailing characters, one :data:`MASK_CHAR` for each
    other character; a value of ``head + tail`` characters or fewer is masked entirely, so no
    value is ever shown whole. NaN stays NaN, "" stays "". Surrounding spaces are dropped."""
    text = values.astype("str").str.strip()
    if text.empty:  # np.strings.multiply cannot size an empty result
        return text
    lengths = text.str.len().to_numpy(dtype=np.float64, na_value=np.nan)
    size = np.nan_to_num(lengths, nan=0.0).astype(np.int64)
    keep = size > head + tail
    stars = np.strings.multiply(MASK_CHAR, np.where(keep, size - head - tail, size))
    first = text.str.slice(0, head) if head else pd.Series("", index=text.index, dtype="str")
    last = text.str.slice(-tail) if tail else pd.Series("", index=text.index, dtype="str")
    blank = pd.Series("", index=text.index, dtype="str")
    out = first.where(keep, blank) + pd.Series(stars, index=text.index, dtype="str") + \
        last.where(keep, blank)
    return out.where(text.notna())


def mask_name(names: pd.Series, customer_type: pd.Series | None = None) -> pd.Series:
    """Mask individual borrowers' names, 张** style (姓名脱敏).

    The first :data:`NAME_KEEP_HEAD` character is kept and every other character becomes one
    :data:`MASK_CHAR` (张三 → 张*, 欧阳娜娜 → 欧***); a one-character name is masked whole (*),
    since keeping its first character would show it all. Names whose ``customer_type`` is
    ``corporate`` are kept (a company name is not personal information, 《个人信息保护法》
    第四条); a blank or unknown customer type is masked, erring on the side of privacy.

    Parameters
    ----------
    names : Series
        Borrower names.
    customer_type : Series, optional
        Aligned with ``names``; None masks every name.

    Returns
    -------
    Series
        ``str`` dtype, same index; NaN stays NaN.
    """
    masked = _mask_keep(names, NAME_KEEP_HEAD, 0)
    if customer_type is None:
        return masked
    corporate = customer_type.astype("str").eq("corporate").fillna(False).to_numpy(dtype=bool)
    return masked.where(~corporate, names.astype("str"))


def mask_id_number(ids: pd.Series) -> pd.Series:
    """Mask id numbers, keeping the first :data:`ID_KEEP_HEAD` and last :data:`ID_KEEP_TAIL`
    characters (证件号码脱敏): ``110101199001011234`` → ``1101**********1234``.

    A number of 8 characters or fewer is masked whole; NaN stays NaN, "" stays "".
    """
    return _mask_keep(ids, ID_KEEP_HEAD, ID_KEEP_TAIL)


def mask_personal_data(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` with individuals' personal data masked (个人信息脱敏).

    For every row whose ``customer_type`` is not ``corporate`` (individuals, and rows of
    unknown type, or every row when the column is absent): ``borrower_name`` by
    :func:`mask_name` and ``id_number`` by :func:`mask_id_number`. Corporate rows keep both: a
    company name and its unified social credit code (统一社会信用代码) are public registration
    data, not personal information (《个人信息保护法》 第四条). Other columns are untouched;
    columns absent from ``frame`` stay absent. Works on loans, findings or any table with
    these columns.
    """
    out = frame.copy()
    if "customer_type" in frame.columns:
        corporate = frame["customer_type"].astype("str").eq("corporate").fillna(False)
        person = ~corporate.to_numpy(dtype=bool)
    else:
        person = np.ones(len(frame), dtype=bool)
    if "borrower_name" in frame.columns:
        col = frame["borrower_name"].astype("str")
        out["borrower_name"] = mask_name(col).where(person, col)
    if "id_number" in frame.columns:
        col = frame["id_number"].astype("str")
        out["id_number"] = mask_id_number(col).where(person, col)
    return out
