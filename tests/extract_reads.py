"""Comparing two reads of the same bytes: the loaded tables, or the same refusal."""

from __future__ import annotations

import pandas as pd

import postloan_audit as pa


def frames(extract: pa.Extract) -> dict[str, pd.DataFrame]:
    """What a read gives a user: the loans, the rejected rows, the issues, the accounting."""
    return {"loans": extract.loans, "rejected": extract.rejected, "issues": extract.issues,
            "accounting": extract.accounting}


def assert_same_read(a: dict[str, pd.DataFrame] | str, b: dict[str, pd.DataFrame] | str) -> None:
    """The same four tables, or the same :class:`ExtractError` message (a ``str``)."""
    if isinstance(a, str) or isinstance(b, str):
        assert a == b
        return
    for key in a:
        pd.testing.assert_frame_equal(a[key].reset_index(drop=True),
                                      b[key].reset_index(drop=True), obj=key)
