"""The landing page (首页) `make dashboards` opens on: the pages by user, in Chinese, with
links that open them; not Voila's English file list."""

from pathlib import Path

from playwright.sync_api import expect

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"
#: (title, user) of each page, in landing-page order.
PAGES = [
    ("00_extract_overview.ipynb", "台账读取核对", "数据核对"),
    ("01_branch_sampling.ipynb", "支行抽样", "检查人员"),
    ("02_compliance_checks.ipynb", "合规检查", "总行合规岗"),
    ("03_management_dashboard.ipynb", "管理层看板", "管理层"),
    ("04_statistical_sampling.ipynb", "统计抽样", "内部审计"),
    ("05_watch_list.ipynb", "预警名单", "风险管理岗、管理层"),
]


def test_landing_page_lists_the_pages_by_user_and_opens_them(page, voila_url):
    page.goto(voila_url + "/")
    expect(page).to_have_title("贷后管理检查工作台 · 首页")
    entries = page.locator(".pa-page")
    present = [p for p in PAGES if (NOTEBOOKS / p[0]).exists()]
    expect(entries).to_have_count(len(present))
    assert len(present) >= 4
    for i, (notebook, title, user) in enumerate(present):
        entry = entries.nth(i)
        expect(entry.locator("a")).to_have_text(title)
        expect(entry.locator(".pa-user")).to_have_text(user)
        expect(entry.locator(".pa-line")).not_to_be_empty()
        expect(entry.locator("a")).to_have_attribute("href", f"/voila/render/{notebook}")
    # Nothing of Voila's English file list.
    expect(page.get_by_text("Select items to open")).to_have_count(0)
    expect(page.locator("text=.ipynb")).to_have_count(0)

    page.get_by_role("link", name="台账读取核对").click()
    expect(page.locator("#pa-overview-facts")).to_be_visible()
