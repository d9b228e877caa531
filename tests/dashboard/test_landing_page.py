"""The landing page (首页) template: one catalogue entry per page, an entry shown only when its
notebook is in the served folder, every served notebook listed."""

from __future__ import annotations

import json
from pathlib import Path

import jinja2

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "share" / "jupyter" / "voila" / "templates" / "postloan"
ENV = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATE)), autoescape=True)
PAGES = ENV.get_template("pages.j2").module.PAGES


def _render(names: list[str]) -> str:
    contents = {"content": iter([{"name": n, "path": n, "type": "notebook"} for n in names])}
    return ENV.get_template("tree.html").render(base_url="/", contents=contents, query="")


def test_every_notebook_has_one_catalogue_entry():
    notebooks = sorted(p.name for p in (ROOT / "notebooks").glob("*.ipynb"))
    listed = [p["notebook"] for p in PAGES]
    assert len(listed) == len(set(listed))
    assert set(notebooks) <= set(listed)
    for entry in PAGES:
        assert set(entry) == {"notebook", "title", "user", "line"}
        assert all(entry.values())


def test_an_entry_is_shown_only_when_its_notebook_exists():
    four = ["00_extract_overview.ipynb", "01_branch_sampling.ipynb",
            "02_compliance_checks.ipynb", "03_management_dashboard.ipynb", "notes.txt"]
    page = _render(four)
    assert page.count("class=\"pa-page\"") == 4
    assert "统计抽样" not in page
    for user in ("检查人员", "总行合规岗", "管理层", "数据核对"):
        assert f"<span class=\"pa-user\">{user}</span>" in page
    assert 'href="/voila/render/01_branch_sampling.ipynb">支行抽样</a>' in page
    with_04 = _render([*four, "04_statistical_sampling.ipynb"])
    assert with_04.count("class=\"pa-page\"") == 5
    assert 'href="/voila/render/04_statistical_sampling.ipynb">统计抽样</a>' in with_04
    assert "<span class=\"pa-user\">内部审计</span>" in with_04
    with_05 = _render([*four, "04_statistical_sampling.ipynb", "05_watch_list.ipynb"])
    assert with_05.count("class=\"pa-page\"") == 6
    assert 'href="/voila/render/05_watch_list.ipynb">预警名单</a>' in with_05


def test_the_landing_page_loads_nothing_from_outside():
    page = _render(["00_extract_overview.ipynb"])
    assert "http://" not in page and "https://" not in page


def test_voila_renders_the_landing_page_and_culls_abandoned_kernels_within_three_minutes():
    """Closed or left pages free their kernel at once (Voila's unload shutdown, tested in the
    browser); culling is the fallback for a vanished browser. It must not be so short that a
    kernel still rendering a large page on a loaded server (no websocket yet) is culled."""
    config = json.loads((ROOT / "voila.json").read_text(encoding="utf-8"))
    assert config["VoilaConfiguration"]["classic_tree"] is True  # tree.html, not the JS tree
    culling = config["MappingKernelManager"]
    assert culling["cull_idle_timeout"] + culling["cull_interval"] <= 180
    assert culling["cull_idle_timeout"] >= 120
    assert culling["cull_connected"] is False
