"""The gallery: the checked-in docs page never drifts, and the HTML works in a real browser."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from _ci import require_executable, require_module
from _gallery_browser import Browser

from fastrtc_registry.catalog import Catalog, CatalogEntry, embedded_catalog, parse_catalog
from fastrtc_registry.catalog.gallery import render_chart, render_html, render_markdown
from fastrtc_registry.errors import CatalogError

REPO = Path(__file__).resolve().parent.parent

HOSTILE = '<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2">'
TEST_CATALOG = {
    "schema_version": 1,
    "plugins": [
        {
            "name": "energy",
            "kind": "vad",
            "package": "fastrtc-energy-vad",
            "summary": "Loud means speech.",
            "description": f'Hostile text: {HOSTILE} & "quotes"',
            "tags": ["vad-model", "offline"],
            "repository": "https://example.org/energy?a=1&b=2",
            "demo": "https://example.org/energy/demo.py",
            "requires_python": ">=3.10",
            "offline": True,
            "validation": {
                "version": "1.0.0",
                "suite": "0.1.0",
                "fastrtc": "0.0.34",
                "python": "3.11.7",
                "status": "passed",
                "date": "2025-06-01",
                "passed": 25,
                "failed": 0,
                "warnings": 0,
                "skipped": 0,
                "errors": 0,
            },
        },
        {
            "name": "webrtc",
            "kind": "vad",
            "package": "fastrtc-webrtc-vad",
            "summary": "WebRTC's GMM VAD.",
            "tags": ["vad-model"],
        },
        {
            "name": "patient",
            "kind": "turn-taking",
            "package": "fastrtc-patient-pause",
            "summary": "Waits longer.",
            "tags": ["turn-taking-algorithm"],
            "validation": {
                "version": "0.2.0",
                "suite": "0.1.0",
                "fastrtc": "0.0.34",
                "python": "3.11.7",
                "status": "failed",
                "date": "2025-06-02",
                "passed": 20,
                "failed": 2,
                "warnings": 1,
                "skipped": 0,
                "errors": 0,
            },
        },
        {
            "name": "pause",
            "kind": "turn-taking",
            "package": "fastrtc-registry",
            "builtin": True,
            "summary": "The default.",
        },
    ],
    "removed": [],
}


def _test_catalog() -> Catalog:
    return parse_catalog(json.dumps(TEST_CATALOG).encode(), source="test.json")


def test_docs_gallery_page_is_up_to_date() -> None:
    """docs/gallery.md is generated; regenerate it with the command in its first line."""
    checked_in = (REPO / "docs" / "gallery.md").read_text(encoding="utf-8")
    assert checked_in == render_markdown(embedded_catalog()), (
        "docs/gallery.md is stale: run 'fastrtc-plugins gallery --format md --out docs/gallery.md'"
    )


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "fastrtc_registry", "gallery", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_cli_renders_the_same_page() -> None:
    proc = _cli("--format", "md")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == (REPO / "docs" / "gallery.md").read_text(encoding="utf-8")


def test_cli_writes_html_to_a_file(tmp_path: Path) -> None:
    out = tmp_path / "gallery.html"
    proc = _cli("--format", "html", "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    assert out.read_text(encoding="utf-8") == render_html(embedded_catalog())
    assert proc.stderr.strip() == f"wrote {out}"


@pytest.mark.parametrize(
    ("name", "args", "html"),
    [
        ("g.html", (), True),
        ("g.HTM", (), True),
        ("g.md", (), False),
        ("gallery", (), False),
        ("g.html", ("--format", "md"), False),
        ("g.md", ("--format", "html"), True),
    ],
)
def test_cli_takes_the_format_from_the_extension(
    tmp_path: Path, name: str, args: tuple[str, ...], html: bool
) -> None:
    out = tmp_path / name
    proc = _cli("--out", str(out), *args)
    assert proc.returncode == 0, proc.stderr
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>") is html


def test_cli_checks_the_output_directory_first(tmp_path: Path) -> None:
    proc = _cli("--out", str(tmp_path / "no" / "dir" / "g.html"))
    assert proc.returncode == 2
    assert "Invalid value for '--out'" in proc.stderr and "Traceback" not in proc.stderr
    assert not (tmp_path / "no").exists()


def test_control_characters_never_reach_the_page() -> None:
    """Entries built in code skip the parser's rules; rendering still strips control text."""
    entry = CatalogEntry(
        name="energy",  # type: ignore[arg-type]
        kind="vad",
        package="fastrtc-energy-vad",
        summary="clear\x1b[2J the screen",
        description="bell\x07 and \u202eoverride",
    )
    catalog = Catalog(schema_version=1, entries=(entry,))
    for page in (render_html(catalog), render_markdown(catalog)):
        assert "\x1b" not in page and "\x07" not in page and "\u202e" not in page
        assert "clear[2J the screen" in page


def test_records_table_and_unsupported_python_badge() -> None:
    doc = json.loads(json.dumps(TEST_CATALOG))
    doc["plugins"][1]["requires_python"] = ">=3.12"
    doc["plugins"][1]["validation"] = {
        "version": None,
        "suite": "0.1.0",
        "fastrtc": "0.0.34",
        "python": "3.11.7",
        "status": "unsupported-python",
        "date": "2025-06-03",
        "reason": "requires Python >=3.12; the checks could not run on Python 3.11.7",
    }
    html = render_html(parse_catalog(json.dumps(doc).encode()))
    assert 'badge-unsupported-python" href="#validation-vad-webrtc">checks: cannot run here' in html
    assert '<tr id="validation-vad-webrtc">' in html and '<tr id="validation-vad-energy">' in html
    row = re.search(r'<tr id="validation-vad-energy">.*?</tr>', html).group(0)  # type: ignore[union-attr]
    cells = re.findall(r"<td>([^<]*)</td>", row)
    assert cells == [
        "1.0.0",
        "passed",
        "25",
        "0",
        "0",
        "0",
        "0",
        "0",
        "0.1.0",
        "0.0.34",
        "3.11.7",
        "2025-06-01",
    ]
    assert "[the check reference](checks.md)" in render_markdown(_test_catalog())


def _bench(**figures: Any) -> dict[str, Any]:
    return {
        "version": "1.0.0",
        "fastrtc": "0.0.34",
        "python": "3.11.7",
        "corpus": "1",
        "date": "2026-01-01",
        **figures,
    }


def _sweep(*points: tuple[float, float, float]) -> dict[str, Any]:
    return {
        "setting": "pause_seconds",
        "points": [
            {
                "value": value,
                "false_cutoffs": cutoffs,
                "end_of_turn_p50_ms": p50,
                "end_of_turn_p95_ms": p50 * 1.4,
                "missed_turns": 0,
            }
            for value, cutoffs, p50 in points
        ],
    }


def _plugin(name: str, kind: str, **fields: Any) -> dict[str, Any]:
    tag = "vad-model" if kind == "vad" else "turn-taking-algorithm"
    return {"name": name, "kind": kind, "package": f"fastrtc-{name}", "tags": [tag], **fields}


# Realistic records: VADs and turn-taking plugins with figures, one never benched,
# one that cannot run on the bench's Python, one that downloads, one that transcribes.
BENCH_CATALOG = {
    "schema_version": 1,
    "plugins": [
        _plugin(
            "sharp",
            "vad",
            offline=True,
            bench=_bench(
                f1=0.912,
                humming_false_speech=0.41,
                noise_false_speech=0.083,
                p50_ms=1.26,
                false_cutoffs=0.12,
                end_of_turn_p50_ms=640.4,
                end_of_turn_p95_ms=910.0,
                latency_at_5pct_ms=820.0,
                sweep=_sweep((0.4, 0.3, 420.0), (0.6, 0.12, 640.4), (1.0, 0.04, 820.0)),
            ),
        ),
        _plugin(
            "native",
            "vad",
            offline=True,
            tags=["vad-model", "native-lib"],
            bench=_bench(f1=0.95, humming_false_speech=0.02, noise_false_speech=0.01, p50_ms=3.5),
        ),
        _plugin("fresh", "vad", offline=True),
        _plugin(
            "modern",
            "vad",
            offline=False,
            requires_python=">=3.12",
            validation={
                "version": None,
                "suite": "0.1.0",
                "fastrtc": "0.0.34",
                "python": "3.11.7",
                "status": "unsupported-python",
                "date": "2026-01-01",
                "reason": "requires Python >=3.12",
            },
        ),
        _plugin(
            "thinker",
            "turn-taking",
            offline=True,
            tags=["turn-taking-algorithm", "semantic"],
            bench=_bench(
                false_cutoffs=0.03,
                end_of_turn_p50_ms=480.0,
                end_of_turn_p95_ms=700.0,
                latency_at_5pct_ms=480.0,
                false_cutoffs_at_500ms=0.03,
                sweep=_sweep((0.1, 0.08, 300.0), (0.2, 0.03, 480.0), (0.4, 0.01, 650.0)),
            ),
        ),
        _plugin(
            "waiter",
            "turn-taking",
            offline=False,
            bench=_bench(
                false_cutoffs=0.2,
                end_of_turn_p50_ms=750.0,
                end_of_turn_p95_ms=1030.0,
                latency_at_5pct_ms=1100.0,
                false_cutoffs_at_500ms=0.35,
                sweep=_sweep((0.4, 0.35, 500.0), (0.6, 0.2, 750.0), (1.0, 0.05, 1100.0)),
            ),
        ),
        _plugin("hub", "turn-taking", offline=False),
        _plugin(
            "listener",
            "turn-taking",
            offline=False,
            tags=["turn-taking-algorithm", "speech-to-text"],
        ),
    ],
    "removed": [],
}


def _bench_catalog() -> Catalog:
    return parse_catalog(json.dumps(BENCH_CATALOG).encode(), source="bench.json")


def _card_html(html: str, name: str) -> str:
    start = html.index(f'data-name="{name}">')
    return html[start : html.index("</article>", start)]


def test_cards_show_the_figures_of_their_kind() -> None:
    html = render_html(_bench_catalog())
    sharp = _card_html(html, "sharp")
    for title, value in (
        ("F1", "0.91"),
        ("humming as speech", "41%"),
        ("noise as speech", "8.3%"),
        ("ms per chunk", "1.3 ms"),
    ):
        assert re.search(rf'<dt title="[^"]+">{title}</dt><dd>{re.escape(value)}</dd>', sharp)
    assert "false cutoffs" not in sharp  # a VAD's card keeps to VAD figures
    thinker = _card_html(html, "thinker")
    for title, value in (
        ("false cutoffs", "3.0%"),
        ("latency p50", "480 ms"),
        ("latency p95", "700 ms"),
    ):
        assert re.search(rf'<dt title="[^"]+">{title}</dt><dd>{re.escape(value)}</dd>', thinker)
    assert "F1" not in thinker
    assert "bench 1.0.0 · corpus 1 · 2026-01-01" in thinker


def test_cards_without_figures_say_why() -> None:
    html = render_html(_bench_catalog())
    reasons = {
        "fresh": "not measured yet",
        "modern": "needs Python &gt;= 3.12",
        "hub": "needs the network (hub download)",
        "listener": "needs real speech-to-text",
    }
    for name, reason in reasons.items():
        assert f"No bench figures: {reason}." in _card_html(html, name), name
    for name in ("sharp", "native", "thinker", "waiter"):
        assert "No bench figures" not in _card_html(html, name)


def test_every_card_shows_its_try_command() -> None:
    html = render_html(_bench_catalog())
    assert "<code>fastrtc-plugins try --vad sharp</code>" in _card_html(html, "sharp")
    assert "<code>fastrtc-plugins try --turn-taking thinker</code>" in _card_html(html, "thinker")
    assert html.count('class="plugin-try"') == len(BENCH_CATALOG["plugins"])


def test_cards_carry_the_derived_facts() -> None:
    tags = {
        a["data-name"]: a["data-facts"]
        for t, a in _tags(render_html(_bench_catalog()))
        if t == "article"
    }
    assert tags["sharp"] == "offline no-native-lib"
    assert tags["native"] == "offline"
    assert tags["thinker"] == "offline no-native-lib semantic"
    assert tags["waiter"] == "no-native-lib"


def _table_rows(html: str, kind: str) -> list[str]:
    start = html.index(f'<table class="compare" data-kind="{kind}">')
    table = html[start : html.index("</table>", start)]
    return re.findall(r'<tr data-name="([^"]+)">', table)


def test_comparison_tables_are_sorted_by_a_sensible_default() -> None:
    for html in (render_html(_bench_catalog()), render_markdown(_bench_catalog())):
        assert _table_rows(html, "vad") == ["native", "sharp", "fresh", "modern"]  # F1, best first
        # false cutoffs, lowest first; unmeasured last by name
        assert _table_rows(html, "turn-taking") == ["thinker", "waiter", "hub", "listener"]
    html = render_html(_bench_catalog())
    assert '<td data-value="0.912">0.91</td>' in html
    assert 'data-field="latency_at_5pct_ms" data-better="lower" aria-sort="none"' in html


def test_the_chart_marks_defaults_limits_and_the_best_choice() -> None:
    svg = render_chart(_bench_catalog())
    assert svg.startswith('<svg xmlns="http://www.w3.org/2000/svg"')
    curves = re.findall(r'<polyline class="curve" data-plugin="([^"]+)"', svg)
    assert curves == ["pause + sharp", "thinker", "waiter"]
    assert svg.count('class="default-point"') == 3  # each plugin's default run
    assert 'class="limit-cutoffs"' in svg and 'class="limit-latency"' in svg
    # thinker reaches <= 5% at 480 ms, before sharp (820 ms) and waiter (1100 ms)
    assert "best at ≤ 5%: thinker (480 ms)" in svg
    assert render_chart(_test_catalog()).count("No trade-off curves recorded yet") == 1
    assert "<svg" in render_html(_bench_catalog()) and "<svg" not in render_markdown(
        _bench_catalog()
    )
    assert "](img/tradeoff.svg)" in render_markdown(_bench_catalog())


def test_the_chart_file_matches_the_catalog() -> None:
    checked_in = (REPO / "docs" / "img" / "tradeoff.svg").read_text(encoding="utf-8")
    assert checked_in == render_chart(embedded_catalog()), (
        "docs/img/tradeoff.svg is stale: run 'fastrtc-plugins gallery --format md "
        "--out docs/gallery.md --chart docs/img/tradeoff.svg'"
    )


def test_cli_writes_the_chart(tmp_path: Path) -> None:
    proc = _cli("--format", "md", "--chart", str(tmp_path / "chart.svg"))
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "chart.svg").read_text(encoding="utf-8") == render_chart(embedded_catalog())
    proc = _cli("--chart", str(tmp_path / "missing" / "chart.svg"))
    assert proc.returncode == 2 and "--chart" in proc.stderr


def test_rules_check_fact_tags_and_sweeps() -> None:
    doc = json.loads(json.dumps(BENCH_CATALOG))
    doc["plugins"][0]["tags"].append("semantic")  # a VAD cannot be semantic
    doc["plugins"][4]["bench"]["sweep"]["points"][0]["false_cutoffs"] = 1.5
    doc["plugins"][5]["bench"]["sweep"]["points"][1]["extra"] = 1
    with pytest.raises(CatalogError) as caught:
        parse_catalog(json.dumps(doc).encode())
    problems = caught.value.problems
    assert any(p.startswith("/plugins/0/tags/1: tag 'semantic'") for p in problems)
    assert any(p.startswith("/plugins/4/bench/sweep/points/0/false_cutoffs") for p in problems)
    assert any(p.startswith("/plugins/5/bench/sweep/points/1") for p in problems)


def test_cli_rejects_an_unknown_format() -> None:
    proc = _cli("--format", "pdf")
    assert proc.returncode == 2
    assert "pdf" in proc.stderr


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def _tags(html: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Tags()
    parser.feed(html)
    return parser.tags


def test_html_is_escaped_and_self_contained() -> None:
    html = render_html(_test_catalog())
    tags = _tags(html)
    assert [t for t, _ in tags].count("script") == 1  # only the page's own filter script
    assert not any(t == "img" for t, _ in tags)
    assert "&lt;script&gt;window.__pwned = 1&lt;/script&gt;" in html
    assert "&amp; &quot;quotes&quot;" in html
    assert 'href="https://example.org/energy?a=1&amp;b=2"' in html
    # Nothing is loaded from elsewhere: no src attributes, only links and a data: icon.
    assert not any("src" in attrs for _, attrs in tags)
    hrefs = [attrs["href"] for tag, attrs in tags if "href" in attrs]
    assert all(h == "data:," or h.startswith(("https://", "#validation-")) for h in hrefs), hrefs
    assert [attrs["href"] for tag, attrs in tags if tag == "link"] == ["data:,"]
    csp = next(a["content"] for t, a in tags if a.get("http-equiv") == "Content-Security-Policy")
    assert csp.startswith("default-src 'none'; style-src 'sha256-")


def test_cards_carry_tags_badges_install_and_links() -> None:
    html = render_html(_test_catalog())
    cards = re.findall(r'<article class="plugin-card".*?</article>', html, re.S)
    assert [re.search(r'data-name="([^"]+)"', c).group(1) for c in cards] == [  # type: ignore[union-attr]
        "energy",
        "webrtc",
        "patient",
        "pause",
    ]  # community plugins first, VADs first
    energy, webrtc, patient, pause = cards
    assert 'data-tags="vad-model offline"' in energy
    assert "<code>pip install fastrtc-energy-vad</code>" in energy
    assert "load_vad(&quot;energy&quot;)" in energy
    assert (
        '<a class="badge badge-passed" href="#validation-vad-energy">checks: passed '
        "(25 passed, 0 failed · fastrtc-energy-vad 1.0.0) · suite 0.1.0 · fastrtc 0.0.34 · "
        "Python 3.11.7 · 2025-06-01</a>"
    ) in energy
    assert "works offline" in energy and "Python &gt;=3.10" in energy
    assert 'class="plugin-demo" href="https://example.org/energy/demo.py"' in energy
    assert "not validated yet" in webrtc and "plugin-links" not in webrtc
    assert (
        'badge-failed" href="#validation-turn-taking-patient">checks: failed '
        "(20 passed, 2 failed, 1 warning · fastrtc-patient-pause 0.2.0)"
    ) in patient
    assert "load_turn_taking(&quot;patient&quot;)" in patient
    assert 'data-tags="turn-taking-algorithm"' in patient
    assert "built in" in pause and "pip install fastrtc-registry" in pause


def test_filter_buttons_match_the_seed_page() -> None:
    tags = _tags(render_markdown(embedded_catalog()))
    buttons = [
        (a.get("data-tag") or a.get("data-fact"), a["class"])
        for t, a in tags
        if t == "button" and a.get("class") == "tag-button"
    ]
    assert buttons == [
        ("vad-model", "tag-button"),
        ("turn-taking-algorithm", "tag-button"),
        ("offline", "tag-button"),
        ("no-native-lib", "tag-button"),
        ("semantic", "tag-button"),
    ]


# --- in a real browser ------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """A headless chromium: skipped without one, except under CI=true, where it fails."""
    binary = require_executable("chromium", "chromium-browser", "google-chrome", "chrome")
    with Browser(binary) as running:
        yield running


VISIBLE = """Array.from(document.querySelectorAll('.plugin-card'))
  .filter(c => c.getBoundingClientRect().height > 0 && getComputedStyle(c).display !== 'none')
  .map(c => c.dataset.name)"""


def _open(browser: Browser, html: str, path: Path) -> None:
    path.write_text(html, encoding="utf-8")
    browser.events.clear()
    browser.open(path.as_uri())


def test_filter_buttons_show_and_hide_cards(browser: Browser, tmp_path: Path) -> None:
    _open(browser, render_html(_test_catalog()), tmp_path / "gallery.html")
    everything = ["energy", "webrtc", "patient", "pause"]
    assert browser.evaluate(VISIBLE) == everything
    assert browser.evaluate("document.querySelector('.plugin-count').textContent") == (
        "Showing 4 of 4 plugins"
    )
    browser.screenshot(tmp_path / "all.png")

    browser.click('.tag-button[data-tag="vad-model"]')
    assert browser.evaluate(VISIBLE) == ["energy", "webrtc"]
    assert (
        browser.evaluate(
            "document.querySelector('.tag-button[data-tag=\"vad-model\"]')"
            ".getAttribute('aria-pressed')"
        )
        == "true"
    )
    assert browser.evaluate("document.querySelector('.plugin-count').textContent") == (
        "Showing 2 of 4 plugins"
    )
    browser.screenshot(tmp_path / "vad.png")

    browser.click('.tag-button[data-tag="turn-taking-algorithm"]')
    assert browser.evaluate(VISIBLE) == everything  # either tag matches
    browser.click('.tag-button[data-tag="vad-model"]')
    assert browser.evaluate(VISIBLE) == ["patient", "pause"]
    browser.click('.tag-button[data-tag="turn-taking-algorithm"]')
    assert browser.evaluate(VISIBLE) == everything  # none active: all shown

    # The hostile description is text, not markup, and nothing of it ran.
    assert browser.evaluate("typeof window.__pwned") == "undefined"
    text = browser.evaluate(
        "document.querySelector('[data-name=energy] .plugin-description').textContent"
    )
    assert HOSTILE in text
    assert browser.problems() == []
    assert (tmp_path / "vad.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_the_shipped_gallery_renders_every_catalog_entry(browser: Browser, tmp_path: Path) -> None:
    catalog = embedded_catalog()
    _open(browser, render_html(catalog), tmp_path / "gallery.html")
    shown = browser.evaluate(VISIBLE)
    assert sorted(shown) == sorted(e.name for e in catalog.entries)
    assert shown[:2] == ["humaware", "walkie-talkie"]
    browser.click('.tag-button[data-tag="turn-taking-algorithm"]')
    assert browser.evaluate(VISIBLE) == [
        e.name
        for e in sorted(
            (e for e in catalog.entries if e.kind == "turn-taking"),
            key=lambda e: (e.builtin, e.name),
        )
    ]
    links = browser.evaluate(
        "Array.from(document.querySelectorAll('[data-name=humaware] .plugin-links a'))"
        ".map(a => [a.textContent, a.href])"
    )
    assert links == [
        ["Demo", "https://github.com/CuriousMonkey7/HumAwareVad/blob/main/app.py"],
        ["Repository", "https://github.com/CuriousMonkey7/HumAwareVad"],
    ]
    # Every validation badge links to its row in the records table.
    targets = browser.evaluate(
        "Array.from(document.querySelectorAll('.plugin-badges a.badge'))"
        ".map(a => document.getElementById(a.hash.slice(1)) !== null)"
    )
    assert targets == [True] * len(catalog.entries)
    assert browser.problems() == []


def _rows(kind: str) -> str:
    return (
        f"Array.from(document.querySelectorAll('table.compare[data-kind=\"{kind}\"] tbody tr'))"
        ".map(r => r.dataset.name)"
    )


def test_figures_sorting_fact_filters_and_chart(browser: Browser, tmp_path: Path) -> None:
    _open(browser, render_html(_bench_catalog()), tmp_path / "bench.html")
    everything = [p["name"] for p in BENCH_CATALOG["plugins"]]
    assert sorted(browser.evaluate(VISIBLE)) == sorted(everything)
    figures = browser.evaluate(
        """Array.from(document.querySelectorAll('#plugin-vad-sharp .plugin-figures div'))
          .map(d => [d.querySelector('dt').textContent, d.querySelector('dd').textContent,
                     d.getBoundingClientRect().height > 0])"""
    )
    assert figures == [
        ["F1", "0.91", True],
        ["humming as speech", "41%", True],
        ["noise as speech", "8.3%", True],
        ["ms per chunk", "1.3 ms", True],
    ]
    assert (
        browser.evaluate(
            "document.querySelector('#plugin-turn-taking-hub .plugin-unmeasured').textContent"
        )
        == "No bench figures: needs the network (hub download)."
    )
    browser.screenshot(tmp_path / "bench.png")

    # sorting: click a header, numeric order with nulls last; click again to reverse
    assert browser.evaluate(_rows("turn-taking")) == ["thinker", "waiter", "hub", "listener"]
    header = 'table.compare[data-kind="turn-taking"] th[data-field="latency_at_5pct_ms"] button'
    browser.click(header)
    assert browser.evaluate(_rows("turn-taking")) == ["thinker", "waiter", "hub", "listener"]
    browser.click(header)
    assert browser.evaluate(_rows("turn-taking")) == ["waiter", "thinker", "hub", "listener"]
    assert (
        browser.evaluate(f"document.querySelector('{header}').parentNode.getAttribute('aria-sort')")
        == "descending"
    )
    browser.click('table.compare[data-kind="vad"] th[data-field="p50_ms"] button')
    assert browser.evaluate(_rows("vad")) == ["sharp", "native", "fresh", "modern"]
    browser.click('table.compare[data-kind="vad"] th[data-field="humming_false_speech"] button')
    assert browser.evaluate(_rows("vad")) == ["native", "sharp", "fresh", "modern"]
    # the headers are buttons: reachable and usable from the keyboard
    browser.evaluate(
        'document.querySelector(\'table.compare[data-kind="vad"] th[data-field="f1"] '
        "button').focus()"
    )
    for event in ("keyDown", "keyUp"):
        browser.send(
            "Input.dispatchKeyEvent",
            {"type": event, "key": "Enter", "code": "Enter", "windowsVirtualKeyCode": 13},
        )
    assert browser.evaluate(_rows("vad")) == ["native", "sharp", "fresh", "modern"]

    # the fact filters narrow: every selected fact must hold
    browser.click('.tag-button[data-fact="offline"]')
    assert browser.evaluate(VISIBLE) == ["fresh", "native", "sharp", "thinker"]
    browser.click('.tag-button[data-fact="no-native-lib"]')
    assert browser.evaluate(VISIBLE) == ["fresh", "sharp", "thinker"]
    browser.click('.tag-button[data-fact="offline"]')
    assert "native" not in browser.evaluate(VISIBLE) and "hub" in browser.evaluate(VISIBLE)
    browser.click('.tag-button[data-fact="no-native-lib"]')
    browser.click('.tag-button[data-fact="semantic"]')
    assert browser.evaluate(VISIBLE) == ["thinker"]
    browser.click('.tag-button[data-tag="vad-model"]')  # a kind and a fact: both must hold
    assert browser.evaluate(VISIBLE) == []
    assert browser.evaluate("document.querySelector('.plugin-count').textContent") == (
        f"Showing 0 of {len(everything)} plugins"
    )
    browser.click('.tag-button[data-fact="semantic"]')
    assert browser.evaluate(VISIBLE) == ["fresh", "modern", "native", "sharp"]
    browser.click('.tag-button[data-tag="vad-model"]')

    # the chart is drawn inline: three curves, the limits, the best choice labelled
    chart = browser.evaluate(
        """(() => { const svg = document.querySelector('.tradeoff svg');
          return [svg.getBoundingClientRect().width > 300,
                  svg.querySelectorAll('polyline.curve').length,
                  svg.querySelectorAll('.limit-cutoffs, .limit-latency').length,
                  svg.querySelector('.best-label').textContent]; })()"""
    )
    assert chart == [True, 3, 2, "best at ≤ 5%: thinker (480 ms)"]
    browser.evaluate("document.querySelector('.tradeoff').scrollIntoView()")
    browser.screenshot(tmp_path / "chart.png")
    assert browser.problems() == []


@pytest.mark.slow
def test_docs_page_builds_strict_and_filters_in_the_browser(
    browser: Browser, tmp_path: Path
) -> None:
    """docs/gallery.md through MkDocs (strict), then the built page in chromium."""
    require_module("mkdocs")
    docs = tmp_path / "docs"
    docs.mkdir()
    shutil.copy(REPO / "docs" / "gallery.md", docs / "gallery.md")
    shutil.copy(REPO / "docs" / "catalog.md", docs / "catalog.md")
    (docs / "img").mkdir()
    shutil.copy(REPO / "docs" / "img" / "tradeoff.svg", docs / "img" / "tradeoff.svg")
    config: dict[str, Any] = {
        "site_name": "gallery test",
        "docs_dir": "docs",
        "site_dir": "site",
        "strict": True,
        # No web fonts: the test must not reach the network.
        "theme": {"name": "material", "font": False},
        "markdown_extensions": ["admonition", "tables", "pymdownx.superfences"],
        "nav": [{"Gallery": "gallery.md"}, {"Catalog": "catalog.md"}],
        "validation": {"links": {"not_found": "ignore", "absolute_links": "ignore"}},
    }
    (tmp_path / "mkdocs.yml").write_text(json.dumps(config))
    proc = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-q"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env={"NO_MKDOCS_2_WARNING": "1", "PATH": "/usr/bin:/bin"},
    )
    assert proc.returncode == 0, proc.stderr
    page = tmp_path / "site" / "gallery" / "index.html"
    browser.events.clear()
    browser.open(page.as_uri())
    catalog = embedded_catalog()
    assert len(browser.evaluate(VISIBLE)) == len(catalog.entries)
    browser.click('.tag-button[data-tag="vad-model"]')
    assert sorted(browser.evaluate(VISIBLE)) == sorted(
        e.name for e in catalog.entries if e.kind == "vad"
    )
    chart = "document.querySelector('img[src$=\"tradeoff.svg\"]')"
    assert browser.evaluate(f"{chart}.complete && {chart}.naturalWidth") == 720
    assert browser.problems() == []
