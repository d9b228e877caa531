"""Files the command line writes, and what it says when the operating system refuses one
(输出文件与文件错误提示).

- :func:`check_output`: before a command does its work, the file it will write is checked:
  its folder must exist, it must not be a folder, and a workbook someone fills in (a findings
  workbook with 整改情况 columns, an on-site or statistical workpaper) is not replaced without
  ``--force``. The refusals are the operating system's own errors (``FileNotFoundError``,
  ``IsADirectoryError``, ``FileExistsError``), so they read exactly like the same failure at
  write time.
- :func:`os_error_message`: any ``OSError`` a command lets through becomes one bilingual
  sentence naming the path and what to do (never a raw ``[Errno 2]``); the command line
  (:func:`postloan_audit.commands.cli.main`) calls it once for every command.

Which paths are outputs is told by the argument names :data:`OUTPUT_ARGUMENTS`: a command that
writes a file takes it as ``--out`` (``followup export FILE`` too), ``--to`` or ``--planted``.
"""

from __future__ import annotations

import argparse
import errno
import os
from collections.abc import Sequence
from pathlib import Path

#: Arguments (``argparse`` dests) naming a file or folder a command writes.
OUTPUT_ARGUMENTS: tuple[str, ...] = ("out", "to", "planted")
#: The help of ``--force`` on the commands that refuse to replace a file.
FORCE_HELP = ("文件已存在时覆盖(其中已填写的内容将丢失) / replace the file if it exists "
              "(what was filled in is lost)")


def output_paths(args: argparse.Namespace) -> list[str]:
    """The files and folders this command line writes (:data:`OUTPUT_ARGUMENTS` given)."""
    return [os.fspath(v) for name in OUTPUT_ARGUMENTS
            if (v := getattr(args, name, None)) not in (None, "")]


def check_output(path: str | os.PathLike, *, force: bool | None = None) -> None:
    """Refuse to write ``path`` before any work is done.

    Parameters
    ----------
    path:
        The file to write.
    force:
        None: an existing file is replaced (a report made again from the data). False: an
        existing file is refused (a workbook someone fills in); True: replaced (``--force``).

    Raises
    ------
    FileNotFoundError
        The folder does not exist.
    IsADirectoryError
        ``path`` is a folder.
    FileExistsError
        ``path`` exists and ``force`` is False.
    """
    target = Path(path)
    folder = target.parent
    if not folder.is_dir():
        raise FileNotFoundError(errno.ENOENT, os.strerror(errno.ENOENT), os.fspath(path))
    if target.is_dir():
        raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), os.fspath(path))
    if force is False and target.exists():
        raise FileExistsError(errno.EEXIST, os.strerror(errno.EEXIST), os.fspath(path))


def _is_output(filename: str, outputs: Sequence[str]) -> bool:
    """``filename`` is one of ``outputs`` or inside one (a folder a command writes)."""
    path = os.path.abspath(filename)
    for out in outputs:
        out = os.path.abspath(out)
        if path == out or path.startswith(out.rstrip(os.sep) + os.sep):
            return True
    return False


def _missing_folder(path: str) -> str | None:
    """The folder of ``path`` when it does not exist (the one to create), else None."""
    folder = Path(path).parent
    return None if folder.is_dir() else os.fspath(folder)


def os_error_message(exc: OSError, *, outputs: Sequence[str] = ()) -> str:
    """What a user reads when the operating system refuses a file: the path, why, and what to
    do, Chinese first; the system's own words (``strerror``) only after the English.

    ``outputs`` are the paths the command writes (:func:`output_paths`): a missing folder of
    one of them is a folder to create, a missing input is a path to check.
    """
    path = exc.filename if exc.filename is not None else ""
    path = os.fspath(path)
    output = bool(path) and _is_output(path, outputs)
    code = exc.errno
    if (isinstance(exc, FileExistsError) or code == errno.EEXIST) and not output:
        return (f"已存在同名文件:{path},无法在此创建文件夹。请检查路径。 / {path} exists where a"
                " folder is needed; check the path.")
    if isinstance(exc, FileExistsError) or code == errno.EEXIST:
        return (f"文件已存在:{path},未覆盖。如确需替换,请加 --force(原文件中已填写的内容将丢失),"
                f"或换一个文件名。 / {path} exists and was not replaced: add --force to replace it"
                " (what was filled in is lost), or choose another name.")
    if isinstance(exc, FileNotFoundError) or code == errno.ENOENT:
        folder = _missing_folder(path) if path else None
        if output and folder is not None:
            return (f"输出目录不存在:{folder}。请先创建该目录,或换一个输出路径。 / output folder"
                    f" does not exist: {folder}; create it first or choose another path.")
        return (f"找不到文件:{path}。请检查路径和文件名。 / file not found: {path}; check the"
                " path and the file name.")
    if isinstance(exc, IsADirectoryError) or code == errno.EISDIR:
        if output:
            return (f"{path} 是文件夹,不是文件:请给出要写入的文件名。 / {path} is a folder, not a"
                    " file: give the name of the file to write.")
        return (f"{path} 是文件夹,不是文件:请给出文件的路径。 / {path} is a folder, not a file:"
                " give the file's path.")
    if isinstance(exc, PermissionError) or code in (errno.EACCES, errno.EPERM):
        if output:
            return (f"无法写入 {path}:没有写入权限,或该文件正在其他程序(如 Excel、WPS)中打开。"
                    "请关闭该文件,或换一个文件名后重试。 / cannot write"
                    f" {path}: permission denied, or the file is open in another program (Excel,"
                    " WPS); close it or choose another name, then try again.")
        return (f"无法访问 {path}:没有权限,或该文件正被其他程序占用。请检查权限,或关闭占用该文件的"
                f"程序后重试。 / cannot access {path}: permission denied, or the file is in use by"
                " another program; check the permissions or close that program, then try again.")
    if isinstance(exc, NotADirectoryError) or code == errno.ENOTDIR:
        return (f"路径 {path} 中有一段不是文件夹。请检查路径。 / part of the path {path} is not a"
                " folder; check the path.")
    if code == errno.ENOSPC:
        return (f"磁盘空间不足,无法写入 {path}。请清理磁盘或换一个位置后重试。 / no space left on"
                f" the disk to write {path}; free some space or choose another place.")
    if code == errno.EROFS:
        return (f"{path} 所在的磁盘是只读的,无法写入。请换一个路径。 / {path} is on a read-only"
                " disk; choose another path.")
    if code == errno.ENAMETOOLONG:
        return (f"文件名或路径过长:{path}。请换一个较短的路径。 / file name or path too long:"
                f" {path}; choose a shorter one.")
    detail = exc.strerror or str(exc)
    where = f"({path})" if path else ""
    return (f"文件操作失败{where}。请检查路径、权限和磁盘后重试。 / file operation failed"
            f"{' on ' + path if path else ''}: {detail}")
