"""Where a result came from (来源信息), one value type for every result object.

An auditor defends each number by its provenance: the source file's fingerprint and name, the
date it is as of, the export profile the file was read with, when the result was made and by
which version of the package. Every result object (``Extract``, ``CheckReport``,
``SupervisionSample``, the statistical plans, samples and evaluations, later the warning
reports) holds one :class:`Provenance` as ``.provenance``, with the same field names
everywhere; workpapers and the audit trail print and store it from there.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from postloan_audit.core.version import __version__


def now() -> dt.datetime:
    """The local time, to the second (what a workpaper prints)."""
    return dt.datetime.now().replace(microsecond=0)


@dataclass(frozen=True)
class ProfileStamp:
    """The export profile (导出配置) a file was read with: its ``[profile] name`` and the
    sha256 of its text."""

    name: str
    sha256: str


@dataclass(frozen=True)
class Provenance:
    """The provenance of a result (来源信息).

    Attributes
    ----------
    fingerprint:
        sha256 of the source: the extract file's bytes (of the loans frame when a result was
        made from a bare DataFrame and it says so), or None when there is no source (a plan).
        An extract read from no file has ``""``.
    source_name:
        The source file's name ('' or None without one; several files are listed ``a; b``).
    as_of:
        The date the result is as of: an extract's data date (数据日期), a run's check date
        (检查日期); None when unknown.
    profile:
        The export profile the source was read with, or None.
    created_at:
        When the result was made (local time, to the second).
    version:
        The package version that made it.
    """

    fingerprint: str | None = None
    source_name: str | None = None
    as_of: dt.date | None = None
    profile: ProfileStamp | None = None
    created_at: dt.datetime = field(default_factory=now)
    version: str = __version__

    @property
    def profile_name(self) -> str | None:
        return None if self.profile is None else self.profile.name

    @property
    def profile_sha256(self) -> str | None:
        return None if self.profile is None else self.profile.sha256


def profile_stamp(name: str | None, sha256: str | None) -> ProfileStamp | None:
    """A :class:`ProfileStamp`, or None without a profile name."""
    if name is None:
        return None
    return ProfileStamp(name=name, sha256=sha256 or "")


#: The old attribute names of provenance fields → (field of :class:`Provenance`).
LEGACY_FIELDS: dict[str, str] = {
    "fingerprint": "fingerprint", "source_fingerprint": "fingerprint",
    "source_name": "source_name", "as_of": "as_of",
    "created": "created_at", "drawn_at": "created_at", "created_at": "created_at",
    "version": "version",
}


def with_legacy(provenance: Provenance | None, legacy: Mapping[str, Any]) -> Provenance:
    """``provenance`` (a fresh one when None) with the values given under the old attribute
    names (``fingerprint=``, ``drawn_at=``, ``profile_name=`` …) written over it, so that
    constructors and :func:`dataclasses.replace` calls written before :class:`Provenance`
    existed keep working."""
    base = provenance if provenance is not None else Provenance()
    changes: dict[str, Any] = {}
    for name, value in legacy.items():
        if name in ("profile_name", "profile_sha256"):
            continue
        changes[LEGACY_FIELDS[name]] = value
    if "profile_name" in legacy or "profile_sha256" in legacy:
        name = legacy.get("profile_name", base.profile_name)
        sha = legacy.get("profile_sha256", base.profile_sha256)
        changes["profile"] = profile_stamp(name, sha)
    return replace(base, **changes) if changes else base


class ProvenanceAliases:
    """Read-only aliases a result object with a ``provenance`` field keeps for the names its
    fields had before :class:`Provenance`: ``version``, ``created_at``, ``source_fingerprint``
    and ``source_name``."""

    provenance: Provenance

    @property
    def version(self) -> str:
        """The package version that made the result (``provenance.version``)."""
        return self.provenance.version

    @property
    def created_at(self) -> dt.datetime:
        """When the result was made (``provenance.created_at``)."""
        return self.provenance.created_at

    @property
    def source_fingerprint(self) -> str | None:
        """The source file's sha256 (``provenance.fingerprint``), None without one."""
        return self.provenance.fingerprint

    @property
    def source_name(self) -> str | None:
        """The source file's name (``provenance.source_name``), None without one."""
        return self.provenance.source_name
