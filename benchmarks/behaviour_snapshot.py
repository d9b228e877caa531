"""Record, and compare across commits, what the package gives for every file the repo holds.

When code moves, behaviour must not: this script records the loaded frames, issues, rejected
rows and accounting of every extract under ``sample_extracts/`` and ``tests/data/`` (or the
same refusal), the findings of ``run_checks``, the samples of ``draw_sample``, the monthly
new-customer check, the review plan, the statistical plans and draws for a few seeds, and the
portfolio measures, then compares two such records frame by frame (exact).

Usage::

    python benchmarks/behaviour_snapshot.py record OUT_DIR        # this checkout
    python benchmarks/behaviour_snapshot.py compare A_DIR B_DIR   # two records
    python benchmarks/behaviour_snapshot.py against REV           # REV's record vs this one

``against`` checks ``REV`` out in a temporary git worktree, records it there (with this
script, so both sides are measured the same way), records this checkout, and compares. It
exits 1 and lists every difference when there is one. Times of day (``created``,
``drawn_at``) are not recorded; a refusal is recorded as its exception class, its
``problem`` tag (as text) and its message.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import pickle
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
#: Extensions of the files that are read as extracts.
EXTRACT_SUFFIXES = (".csv", ".xlsx", ".xls", ".txt", ".tsv")
#: The check date used for an extract that carries none.
DEFAULT_AS_OF = dt.date(2026, 9, 30)
SEEDS = (1, 7, 20261123)
#: Provenance attributes recorded whether they are fields or aliases of ``provenance``.
PROVENANCE_NAMES = ("fingerprint", "source_name", "as_of", "source_fingerprint", "version",
                    "profile_name", "profile_sha256")
#: Refusals whose class was made more precise on purpose: a ValueError before, one of these
#: (all ValueError subclasses) after. Reported, not counted as differences.
PRECISE_REFUSALS = {"SamplingError", "DateError", "ExtractTypeError", "WorkpaperError"}


def _files() -> list[tuple[Path, Path | None]]:
    """Every extract of the repo, with the export profile of the same stem when there is one."""
    out = []
    for folder in (ROOT / "sample_extracts", ROOT / "tests" / "data"):
        for path in sorted(folder.rglob("*")):
            if path.suffix.lower() in EXTRACT_SUFFIXES and ".planted" not in path.name:
                toml = path.with_suffix(".toml")
                out.append((path, None))
                if toml.exists():
                    out.append((path, toml))
    return out


def _refusal(exc: BaseException) -> dict[str, Any]:
    return {"refused": type(exc).__name__, "problem": str(getattr(exc, "problem", "")),
            "message": str(exc)}


def _attempt(function, *args, **kwargs) -> Any:
    try:
        return function(*args, **kwargs)
    except Exception as exc:  # noqa: BLE001 - a refusal is part of the behaviour recorded
        return _refusal(exc)


def _extract_record(extract) -> dict[str, Any]:
    return {
        "loans": extract.loans, "inspections": extract.inspections,
        "collections": extract.collections, "branches": extract.branches,
        "rejected": extract.rejected, "issues": extract.issues,
        "accounting": extract.accounting, "fingerprint": extract.fingerprint,
        "source_name": extract.source_name, "as_of": extract.as_of,
        "profile_name": extract.profile_name, "profile_sha256": extract.profile_sha256,
    }


def _report_record(report) -> dict[str, Any]:
    return {"findings": report.findings, "not_run": report.not_run, "as_of": report.as_of,
            "fingerprint": report.fingerprint, "rules_run": report.rules_run,
            "warnings": report.warnings, "loans_checked": report.loans_checked,
            "by_rule": report.summary_by_rule(), "by_branch": report.summary_by_branch()}


def _sample_record(sample) -> dict[str, Any]:
    return {"borrowers": sample.borrowers, "loans": sample.loans, "strata": sample.strata,
            "excluded": sample.excluded, "seed": sample.seed, "branch": sample.branch,
            "fingerprint": sample.fingerprint, "as_of": sample.as_of,
            "quota_core_size": sample.quota_core_size, "summary": sample.summary()}


def _object_record(value, skip=("created", "drawn_at", "created_at", "provenance")) -> Any:
    """A value as plain data (frames, arrays, numbers, text; a result object as the dict of
    its fields, times of day left out), so that a record unpickles whatever the package's
    classes are called on the other side."""
    import enum

    import numpy as np
    import pandas as pd

    if isinstance(value, pd.DataFrame | pd.Series | np.ndarray | np.generic):
        return value
    if isinstance(value, enum.Enum):
        return str(value.value)
    if isinstance(value, dict):
        return {str(k): _object_record(v, skip) for k, v in value.items()}
    if isinstance(value, tuple | list):
        return [_object_record(v, skip) for v in value]
    fields = getattr(value, "__dataclass_fields__", None)
    if fields is not None:
        out = {name: _object_record(getattr(value, name), skip) for name in fields
               if name not in skip}
        # Provenance read under the attribute names every version of the package has.
        for name in PROVENANCE_NAMES:
            if name not in out and name in dir(type(value)):
                out[name] = _object_record(getattr(value, name), skip)
        return out
    if isinstance(value, str):
        return str(value)
    if value is None or isinstance(value, bool | int | float | dt.date | dt.datetime):
        return value
    return repr(value)


def record() -> dict[str, Any]:
    import postloan_audit as pa
    from postloan_audit.statistical.workpaper import draw_control_items

    out: dict[str, Any] = {}
    extracts = {}
    for path, profile in _files():
        key = str(path.relative_to(ROOT)) + (f" + {profile.name}" if profile else "")
        loaded = _attempt(pa.load_extract, path, profile=profile)
        if isinstance(loaded, dict):
            out[f"load {key}"] = loaded
            continue
        out[f"load {key}"] = _extract_record(loaded)
        extracts[key] = loaded
        as_of = loaded.as_of or DEFAULT_AS_OF
        report = _attempt(pa.run_checks, loaded, as_of=as_of)
        out[f"check {key}"] = report if isinstance(report, dict) else _report_record(report)

    for key, extract in extracts.items():
        if not key.startswith("sample_extracts"):
            continue
        branches = extract.branch_names
        for seed in SEEDS:
            for branch in [None, *branches[:2]]:
                sample = _attempt(pa.draw_sample, extract, seed=seed, branch=branch)
                out[f"sample {key} {branch} {seed}"] = (
                    sample if isinstance(sample, dict) else _sample_record(sample))
            out[f"new-customers {key} {seed}"] = _attempt(
                pa.draw_new_customer_check, extract, month="2026-09", seed=seed)
            mus = _attempt(pa.draw_mus_sample, extract, 40, seed=seed)
            out[f"mus {key} {seed}"] = _object_record(mus)
            for method in ("cell", "random"):
                out[f"mus {method} {key} {seed}"] = _object_record(
                    _attempt(pa.draw_mus_sample, extract, 25, seed=seed, method=method))
            out[f"controls {key} {seed}"] = _attempt(draw_control_items, extract.loans, 25,
                                                     seed=seed)
        if extract.branches is not None:
            out[f"plan-reviews {key}"] = _attempt(pa.plan_branch_reviews, extract.branches,
                                                  year=2027, loans=extract.loans)
        as_of = extract.as_of or DEFAULT_AS_OF
        loans = extract.loans
        out[f"kpis {key}"] = _object_record(_attempt(pa.portfolio_kpis, loans))
        out[f"by-class {key}"] = _attempt(pa.balance_by_class, loans)
        out[f"overdue {key}"] = _attempt(pa.overdue_buckets, loans, by_branch=True)
        out[f"top {key}"] = _object_record(_attempt(pa.top_borrower_concentration, loans))
        out[f"timeliness {key}"] = _object_record(
            _attempt(pa.inspection_timeliness, extract, as_of=as_of))
        if extract.branches is not None:
            out[f"coverage {key}"] = _object_record(
                _attempt(pa.review_coverage, extract.branches, as_of=as_of))
        out[f"masked {key}"] = _attempt(pa.mask_personal_data, loans)

    snapshots = [extracts.get(f"sample_extracts/network_snapshot_2026{m}30.xlsx")
                 for m in ("06", "09")]
    if all(s is not None for s in snapshots):
        before, after = (s.loans for s in snapshots)
        out["migration"] = _object_record(_attempt(pa.migration_matrix, before, after))
        out["sm-migration"] = _object_record(
            _attempt(pa.special_mention_migration_rate, before, after))

    for confidence, tolerable, expected in ((0.95, 0.05, 0.01), (0.90, 0.06, 0.0),
                                            (0.99, 0.10, 0.02)):
        out[f"attribute plan {confidence} {tolerable} {expected}"] = _object_record(_attempt(
            pa.plan_attribute_sample, confidence=confidence, tolerable_rate=tolerable,
            expected_rate=expected))
        out[f"mus plan {confidence} {tolerable} {expected}"] = _object_record(_attempt(
            pa.plan_mus, confidence=confidence, tolerable=tolerable, expected=expected,
            population_value=1e9))
    out["attribute evaluation"] = _object_record(_attempt(
        pa.evaluate_attribute_sample, n=93, deviations=1, confidence=0.95))
    return _object_record(out)


def _same(a: Any, b: Any, where: str, problems: list[str]) -> None:
    import numpy as np
    import pandas as pd

    if isinstance(a, pd.DataFrame) and isinstance(b, pd.DataFrame):
        try:
            pd.testing.assert_frame_equal(a, b, check_exact=True)
        except AssertionError as exc:
            problems.append(f"{where}: {str(exc).splitlines()[0:6]}")
        return
    if isinstance(a, pd.Series) and isinstance(b, pd.Series):
        try:
            pd.testing.assert_series_equal(a, b, check_exact=True)
        except AssertionError as exc:
            problems.append(f"{where}: {str(exc).splitlines()[0:6]}")
        return
    if isinstance(a, dict) and isinstance(b, dict):
        for key in sorted(set(a) | set(b), key=str):
            if key not in a and key in PROVENANCE_NAMES:
                continue  # a provenance alias the older result object did not have
            if key not in a or key not in b:
                problems.append(f"{where}.{key}: only in {'after' if key in b else 'before'}")
                continue
            _same(a[key], b[key], f"{where}.{key}", problems)
        return
    if isinstance(a, np.ndarray) and isinstance(b, np.ndarray):
        if not np.array_equal(a, b, equal_nan=a.dtype.kind == "f"):
            problems.append(f"{where}: arrays differ")
        return
    if isinstance(a, tuple | list) and isinstance(b, tuple | list) and len(a) == len(b):
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            _same(x, y, f"{where}[{i}]", problems)
        return
    if hasattr(a, "__dataclass_fields__") and type(a).__name__ == type(b).__name__:
        _same(_object_record(a), _object_record(b), where, problems)
        return
    try:
        equal = bool(a == b) or (a != a and b != b)
    except (TypeError, ValueError):
        equal = repr(a) == repr(b)
    if not equal and where.endswith(".refused") and a == "ValueError" and b in PRECISE_REFUSALS:
        problems.append(f"(intended) {where}: {a} -> {b}")
    elif not equal:
        problems.append(f"{where}: {a!r:.200} != {b!r:.200}")


def compare(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    problems: list[str] = []
    _same(before, after, "", problems)
    return problems


def _write(out_dir: Path) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    with open(out_dir / "behaviour.pickle", "wb") as handle:
        pickle.dump(record(), handle)


def _read(out_dir: Path) -> dict[str, Any]:
    with open(out_dir / "behaviour.pickle", "rb") as handle:
        return pickle.load(handle)


def _report(problems: list[str], before: dict, after: dict) -> int:
    intended = [p for p in problems if p.startswith("(intended)")]
    problems = [p for p in problems if not p.startswith("(intended)")]
    for line in intended:
        print("  " + line)
    if problems:
        print(f"{len(problems)} difference(s):")
        for line in problems:
            print("  " + line)
        return 1
    print(f"identical: {len(after)} records ({sum(k.startswith('load') for k in after)} files"
          " read)")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("record").add_argument("out", type=Path)
    cmp_ = sub.add_parser("compare")
    cmp_.add_argument("before", type=Path)
    cmp_.add_argument("after", type=Path)
    against = sub.add_parser("against")
    against.add_argument("rev")
    args = parser.parse_args(argv)
    if args.command == "record":
        _write(args.out)
        return 0
    if args.command == "compare":
        before, after = _read(args.before), _read(args.after)
        return _report(compare(before, after), before, after)
    with tempfile.TemporaryDirectory(prefix="behaviour-") as tmp:
        tree = Path(tmp) / "tree"
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(tree),
                        args.rev], check=True, capture_output=True)
        try:
            env = {**os.environ, "PYTHONPATH": str(tree)}
            subprocess.run([sys.executable, str(Path(__file__).resolve()), "record",
                            str(Path(tmp) / "before")], check=True, env=env, cwd=tree)
        finally:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tree)],
                           check=False, capture_output=True)
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        subprocess.run([sys.executable, str(Path(__file__).resolve()), "record",
                        str(Path(tmp) / "after")], check=True, env=env, cwd=ROOT)
        before, after = _read(Path(tmp) / "before"), _read(Path(tmp) / "after")
        return _report(compare(before, after), before, after)


if __name__ == "__main__":
    sys.exit(main())
