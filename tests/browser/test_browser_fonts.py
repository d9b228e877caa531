"""The browser tests fail when no Chinese font is installed (they passed without one, with
screenshots full of boxes): the ``browser`` fixture calls ``require_cjk_font``."""

from __future__ import annotations

import pytest


def test_a_machine_without_a_chinese_font_fails_the_browser_tests(cjk_font_check, tmp_path,
                                                                   monkeypatch):
    # A fontconfig that knows no font directory: what a fresh machine without
    # fonts-wqy-microhei looks like to chromium.
    empty = tmp_path / "fonts.conf"
    empty.write_text("<?xml version='1.0'?><!DOCTYPE fontconfig SYSTEM 'fonts.dtd'>"
                     f"<fontconfig><cachedir>{tmp_path}/cache</cachedir></fontconfig>",
                     encoding="utf-8")
    monkeypatch.setenv("FONTCONFIG_FILE", str(empty))
    with pytest.raises(pytest.fail.Exception, match="fonts-wqy-microhei"):
        cjk_font_check()
