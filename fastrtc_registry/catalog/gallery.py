"""Render the plugin gallery (the seed's "Turn-taking Gallery" page) from the catalog.

Two outputs share one card markup, stylesheet and filter script: markdown for
the docs site (raw HTML blocks, which MkDocs passes through) and a standalone
HTML page with no external assets and a Content-Security-Policy that allows
only its own inline style and script. Every catalog value is HTML-escaped and
links are http(s) only (the catalog parser refuses anything else). The output
has no run-dependent text beyond the catalog's own validation records, so
``docs/gallery.md`` can be compared with a fresh rendering. Catalog text is
cleaned of control characters before it is escaped.
"""

from __future__ import annotations

import base64
import hashlib
from html import escape
from typing import Literal

from .._text import clean_text, counted
from .chart import bench_figure as _figure
from .chart import gallery_order as _ordered
from .chart import render_chart
from .model import Catalog, CatalogEntry, ValidationRecord
from .rules import KIND_TAGS
from .tables import CARD_FIGURES, CHART_CAPTION, comparison, unmeasured_reason

__all__ = [
    "CHART_PATH",
    "CHECKS_PAGE",
    "FACT_FILTERS",
    "FILTER_TAGS",
    "Format",
    "format_for_path",
    "render_chart",
    "render_gallery",
    "render_html",
    "render_markdown",
    "unmeasured_reason",
]

Format = Literal["md", "html"]

# The check reference, beside the gallery in the docs (a markdown link MkDocs resolves).
CHECKS_PAGE = "checks.md"
_RECORD_COLUMNS = ("passed", "failed", "errors", "warnings", "skipped", "needs_network")
_STATUS_TEXT = {
    "passed": "passed",
    "warning": "passed with warnings",
    "failed": "failed",
    "needs-network": "incomplete: needs the network",
    "unsupported-python": "cannot run here",
}

# The filter buttons, in the seed page's order: tag -> label.
FILTER_TAGS = {"vad-model": "VAD model", "turn-taking-algorithm": "Turn-taking algorithm"}
_LOADERS = {"vad": "load_vad", "turn-taking": "load_turn_taking"}
_TRY_FLAGS = {"vad": "--vad", "turn-taking": "--turn-taking"}
# The selection filters: fact -> label. A card shows only if it has every selected fact.
FACT_FILTERS = {
    "offline": "Runs offline",
    "no-native-lib": "No native system library",
    "semantic": "Semantic",
}
# The trade-off chart beside docs/gallery.md (written by 'gallery --chart').
CHART_PATH = "img/tradeoff.svg"


INTRO = (
    "A collection of turn-taking algorithms and voice activity detection (VAD) models ready "
    "to use with FastRTC. Click the tags to find the kind of plugin you are looking for."
)

STYLE = """
body.gallery-page { font-family: system-ui, -apple-system, "Segoe UI", sans-serif;
  max-width: 72rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.45; }
.plugin-gallery { --card-border: #d0d4dc; --muted: #5b6270; --accent: #e8590c; }
.tag-buttons { display: flex; gap: .5rem; flex-wrap: wrap; margin: 1rem 0; }
.tag-button { cursor: pointer; opacity: .55; border: 1px solid var(--accent);
  background: transparent; color: inherit; border-radius: 1rem; padding: .25rem .8rem;
  font: inherit; transition: opacity .2s ease; }
.tag-button.active { opacity: 1; background: var(--accent); color: #fff; }
.plugin-count { color: var(--muted); font-size: .9em; }
.plugin-cards { display: grid; gap: 1rem;
  grid-template-columns: repeat(auto-fill, minmax(18rem, 1fr)); margin: 1rem 0; }
.plugin-card { border: 1px solid var(--card-border); border-radius: .5rem; padding: 1rem;
  display: flex; flex-direction: column; gap: .4rem; }
.plugin-card[hidden] { display: none !important; }
.plugin-card hr { width: 100%; border: 0; border-top: 1px solid var(--card-border);
  margin: .2rem 0; }
.plugin-card p { margin: 0; }
.plugin-title { font-size: 1.1em; }
.plugin-kind { font-size: .75em; font-weight: 600; border-radius: 1rem; padding: .1rem .6rem;
  color: #fff; background: #1971c2; }
.plugin-kind-turn-taking { background: #862e9c; }
.plugin-package { color: var(--muted); font-size: .85em; }
.plugin-badges { display: flex; flex-wrap: wrap; gap: .3rem; }
.badge { font-size: .75em; border-radius: .3rem; padding: .1rem .4rem; background: #eef0f4;
  color: #333; }
.badge-passed { background: #d3f9d8; color: #1b5e20; }
.badge-warning { background: #fff3bf; color: #7a5b00; }
.badge-failed { background: #ffe3e3; color: #a61e1e; }
.badge-needs-network, .badge-unsupported-python { background: #e7f0ff; color: #1c3d7a; }
a.badge { text-decoration: none; }
.plugin-card pre { margin: 0; padding: .4rem .6rem; background: #f5f6f8; border-radius: .3rem;
  overflow-x: auto; font-size: .8em; }
.plugin-label { font-weight: 600; font-size: .85em; }
.plugin-links { margin-top: auto; display: flex; gap: 1rem; }
.tag-buttons .group-label { color: var(--muted); font-size: .85em; align-self: center; }
.plugin-figures { display: grid; grid-template-columns: repeat(2, 1fr); gap: .3rem; margin: 0; }
.plugin-figures div { background: #f5f6f8; border-radius: .3rem; padding: .2rem .4rem; }
.plugin-figures dt { font-size: .75em; color: var(--muted); cursor: help; }
.plugin-figures dd { margin: 0; font-weight: 600; }
.plugin-bench-source { color: var(--muted); font-size: .75em; }
.plugin-unmeasured { color: var(--muted); font-size: .85em; font-style: italic; }
table.compare { border-collapse: collapse; margin: .5rem 0 1.5rem; font-size: .9em; }
table.compare th, table.compare td { border-bottom: 1px solid #d0d4dc; padding: .3rem .6rem;
  text-align: right; }
table.compare th:first-child, table.compare td:first-child { text-align: left; }
table.compare button.sort { font: inherit; font-weight: 600; background: none; border: 0;
  padding: 0; cursor: pointer; color: inherit; text-decoration: underline dotted; }
table.compare th[aria-sort="ascending"] button.sort::after { content: " \\25B2"; }
table.compare th[aria-sort="descending"] button.sort::after { content: " \\25BC"; }
.tradeoff svg { max-width: 100%; height: auto; }
"""

SCRIPT = """
(function () {
  var all = function (sel, root) {
    return Array.prototype.slice.call((root || document).querySelectorAll(sel));
  };
  var buttons = all('.tag-button');
  var cards = all('.plugin-card');
  var count = document.querySelector('.plugin-count');
  function selected(attr) {
    return buttons.filter(function (b) {
      return b.classList.contains('active') && b.hasAttribute(attr);
    }).map(function (b) { return b.getAttribute(attr); });
  }
  function filterCards() {
    var kinds = selected('data-tag');
    var facts = selected('data-fact');
    var shown = 0;
    cards.forEach(function (card) {
      var tags = (card.getAttribute('data-tags') || '').split(' ');
      var has = (card.getAttribute('data-facts') || '').split(' ');
      var show = (kinds.length === 0 ||
        kinds.some(function (t) { return tags.indexOf(t) >= 0; })) &&
        facts.every(function (f) { return has.indexOf(f) >= 0; });
      card.hidden = !show;
      if (show) { shown += 1; }
    });
    if (count) { count.textContent = 'Showing ' + shown + ' of ' + cards.length + ' plugins'; }
  }
  buttons.forEach(function (button) {
    button.addEventListener('click', function () {
      var active = button.classList.toggle('active');
      button.setAttribute('aria-pressed', active ? 'true' : 'false');
      filterCards();
    });
  });
  filterCards();
  all('table.compare').forEach(function (table) {
    var body = table.tBodies[0];
    all('button.sort', table).forEach(function (button) {
      button.addEventListener('click', function () {
        var th = button.parentNode;
        var col = Array.prototype.indexOf.call(th.parentNode.children, th);
        var first = th.getAttribute('data-better') === 'higher' ? 'descending' : 'ascending';
        var now = th.getAttribute('aria-sort');
        var dir = now === first ? (first === 'ascending' ? 'descending' : 'ascending') : first;
        all('th', table.tHead).forEach(function (h) {
          if (h.hasAttribute('aria-sort')) { h.setAttribute('aria-sort', 'none'); }
        });
        th.setAttribute('aria-sort', dir);
        var sign = dir === 'ascending' ? 1 : -1;
        var rows = all('tr', body);
        rows.sort(function (a, b) {
          var x = a.children[col].getAttribute('data-value');
          var y = b.children[col].getAttribute('data-value');
          if (col === 0) { return sign * x.localeCompare(y); }
          if (x === '' || y === '') { return (x === '') - (y === ''); }
          return sign * (parseFloat(x) - parseFloat(y));
        });
        rows.forEach(function (row) { body.appendChild(row); });
      });
    });
  });
})();
"""


def _tags(entry: CatalogEntry) -> list[str]:
    return list(dict.fromkeys([KIND_TAGS[entry.kind], *entry.tags]))


def _text(value: str) -> str:
    return escape(clean_text(value))


def _counts(record: ValidationRecord) -> str:
    parts = [f"{record.passed} passed", f"{record.failed} failed"]
    parts += [
        counted(count, one, many)
        for count, one, many in (
            (record.errors, "error", "errors"),
            (record.warnings, "warning", "warnings"),
            (record.needs_network, "needs the network", "need the network"),
            (record.skipped, "skipped", "skipped"),
        )
        if count
    ]
    return ", ".join(parts)


def _anchor(entry: CatalogEntry) -> str:
    return f"validation-{entry.kind}-{entry.name}"


def _validation_badge(entry: CatalogEntry) -> str:
    record = entry.validation
    if record is None:
        return '<span class="badge badge-unvalidated">not validated yet</span>'
    status = _STATUS_TEXT.get(record.status, record.status)
    if record.status == "unsupported-python":
        detail = record.reason or f"Requires-Python {entry.requires_python}"
    else:
        detail = f"{_counts(record)} · {entry.package} {record.version}"
    text = (
        f"checks: {status} ({detail}) · suite {record.suite or '?'} · fastrtc {record.fastrtc} · "
        f"Python {record.python} · {record.date}"
    )
    return (
        f'<a class="badge badge-{escape(record.status)}" href="#{_anchor(entry)}">{_text(text)}</a>'
    )


def _facts(entry: CatalogEntry) -> list[str]:
    """The facts the selection filters test, derived from the catalog record."""
    facts = []
    if entry.offline is True:
        facts.append("offline")
    if "native-lib" not in entry.tags:
        facts.append("no-native-lib")
    if "semantic" in entry.tags:
        facts.append("semantic")
    return facts


def _figures(entry: CatalogEntry) -> list[str]:
    bench = entry.bench
    reason = unmeasured_reason(entry)
    if bench is None or reason is not None:
        return [f'<p class="plugin-unmeasured">No bench figures: {escape(reason or "")}.</p>']
    cells = []
    for field, title, hint, fmt, _higher in CARD_FIGURES[entry.kind]:
        value = _figure(entry, field)
        cells.append(
            f'<div data-figure="{field}"><dt title="{escape(hint)}">{escape(title)}</dt>'
            f"<dd>{escape(fmt(value)) if value is not None else '–'}</dd></div>"
        )
    source = f"bench {bench.version} · corpus {bench.corpus} · {bench.date}"
    return [
        '<dl class="plugin-figures">' + "".join(cells) + "</dl>",
        f'<p class="plugin-bench-source">{_text(source)}</p>',
    ]


def try_command(entry: CatalogEntry) -> str:
    """The command that opens this plugin in a local FastRTC page."""
    return f"fastrtc-plugins try {_TRY_FLAGS[entry.kind]} {entry.name}"


def _badges(entry: CatalogEntry) -> list[str]:
    badges = [_validation_badge(entry)]
    plain = []
    if "native-lib" in entry.tags:
        plain.append(("badge badge-native", "needs a native system library"))
    if entry.offline is True:
        plain.append(("badge badge-offline", "works offline"))
    elif entry.offline is False:
        plain.append(("badge badge-online", "downloads a model"))
    if entry.requires_python:
        plain.append(("badge badge-python", f"Python {entry.requires_python}"))
    if entry.builtin:
        plain.append(("badge badge-builtin", "built in"))
    return badges + [f'<span class="{cls}">{_text(text)}</span>' for cls, text in plain]


def _card(entry: CatalogEntry) -> str:
    tags = " ".join(_tags(entry))
    kind_label = FILTER_TAGS[KIND_TAGS[entry.kind]]
    lines = [
        f'<article class="plugin-card" id="plugin-{entry.kind}-{entry.name}" '
        f'data-tags="{escape(tags)}" data-facts="{" ".join(_facts(entry))}" '
        f'data-name="{escape(entry.name)}">',
        f'<p><span class="plugin-kind plugin-kind-{entry.kind}">{escape(kind_label)}</span></p>',
        f'<p class="plugin-title"><strong>{escape(entry.name)}</strong> '
        f'<span class="plugin-package">{escape(entry.package)}</span></p>',
        "<hr>",
    ]
    if entry.summary:
        lines.append(f'<p class="plugin-summary"><em>{_text(entry.summary)}</em></p>')
    if entry.description:
        lines.append(f'<p class="plugin-description">{_text(entry.description)}</p>')
    lines += _figures(entry)
    lines.append('<p class="plugin-badges">' + " ".join(_badges(entry)) + "</p>")
    lines += [
        '<p class="plugin-label">Install</p>',
        f'<pre class="plugin-install"><code>{escape(entry.install_command)}</code></pre>',
        '<p class="plugin-label">Use</p>',
        f'<pre class="plugin-use"><code>from fastrtc_registry import {_LOADERS[entry.kind]}\n'
        f"{_LOADERS[entry.kind]}(&quot;{escape(entry.name)}&quot;)</code></pre>",
        '<p class="plugin-label">Try</p>',
        f'<pre class="plugin-try"><code>{escape(try_command(entry))}</code></pre>',
    ]
    links = [
        (label, url)
        for label, url in (("Demo", entry.demo), ("Repository", entry.repository))
        if url
    ]
    if links:
        lines.append(
            '<p class="plugin-links">'
            + " ".join(
                f'<a class="plugin-{label.lower()}" href="{escape(url)}" rel="noopener noreferrer">'
                f"{label}</a>"
                for label, url in links
            )
            + "</p>"
        )
    lines.append("</article>")
    return "\n".join(lines)


def _body(catalog: Catalog) -> str:
    entries = _ordered(catalog.entries)
    buttons = "\n".join(
        [
            f'<button type="button" class="tag-button" data-tag="{tag}" aria-pressed="false">'
            f"{escape(label)}</button>"
            for tag, label in FILTER_TAGS.items()
        ]
        + ['<span class="group-label">and</span>']
        + [
            f'<button type="button" class="tag-button" data-fact="{fact}" aria-pressed="false">'
            f"{escape(label)}</button>"
            for fact, label in FACT_FILTERS.items()
        ]
    )
    cards = "\n".join(_card(e) for e in entries)
    return (
        '<div class="plugin-gallery">\n'
        f'<div class="tag-buttons" role="group" aria-label="Filter by tag">\n{buttons}\n</div>\n'
        f'<p class="plugin-count" aria-live="polite">{len(entries)} plugins</p>\n'
        f'<div class="plugin-cards">\n{cards}\n</div>\n'
        "</div>"
    )


def _records(catalog: Catalog) -> str:
    """The validation records as a table; each card's badge links to its row."""
    head = "".join(
        f"<th>{escape(h)}</th>"
        for h in ("plugin", "version", "status", *(c.replace("_", " ") for c in _RECORD_COLUMNS))
    )
    head += "<th>suite</th><th>fastrtc</th><th>Python</th><th>date</th>"
    rows = []
    for entry in _ordered(catalog.entries):
        record = entry.validation
        if record is None:
            cells = '<td colspan="12">not validated yet</td>'
        else:
            values = [
                record.version or "-",
                _STATUS_TEXT.get(record.status, record.status),
                *(str(getattr(record, c)) for c in _RECORD_COLUMNS),
                record.suite or "-",
                record.fastrtc,
                record.python,
                record.date,
            ]
            cells = "".join(f"<td>{_text(v)}</td>" for v in values)
        rows.append(
            f'<tr id="{_anchor(entry)}"><th scope="row">{escape(entry.kind)} '
            f"{escape(entry.name)}</th>{cells}</tr>"
        )
    return (
        f'<table class="validation-records">\n<thead><tr>{head}</tr></thead>\n<tbody>\n'
        + "\n".join(rows)
        + "\n</tbody>\n</table>"
    )


# A markdown image outside the raw HTML, so MkDocs resolves the path for the page.
_CHART_IMAGE = f"![Trade-off chart: false cutoffs against latency p50]({CHART_PATH})"


def render_markdown(catalog: Catalog, *, checks_page: str = CHECKS_PAGE) -> str:
    """The gallery as a MkDocs page (``docs/gallery.md``)."""
    return (
        "<!-- Generated by 'fastrtc-plugins gallery --format md' from registry.json; "
        "do not edit by hand. -->\n\n"
        "# Plugin gallery\n\n"
        f"{INTRO}\n\n"
        f"<style>{STYLE}</style>\n\n"
        f"{_body(catalog)}\n\n"
        "## Comparison\n\n"
        f"{comparison(catalog, None)}\n\n"
        f"{_CHART_IMAGE}\n\n"
        f"{CHART_CAPTION}\n\n"
        "## Validation records\n\n"
        f"{_records(catalog)}\n\n"
        f"Each record counts the checks of one real `fastrtc-plugins registry update --validate` "
        f"run; [the check reference]({checks_page}) says what each check tests. Bench figures "
        "come from `fastrtc-plugins registry update --bench`; [the benchmarks](benchmarks.md) "
        "explain them.\n\n"
        f"<script>{SCRIPT}</script>\n\n"
        "Every card comes from the curated catalog, `registry.json`. To add your plugin, "
        "see [the catalog](catalog.md); to check it first, run "
        "`fastrtc-plugins validate`.\n"
    )


def _csp_hash(text: str) -> str:
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


def render_html(catalog: Catalog) -> str:
    """The gallery as one self-contained HTML page (no external assets)."""
    csp = (
        f"default-src 'none'; style-src {_csp_hash(STYLE)}; script-src {_csp_hash(SCRIPT)}; "
        "img-src data:; base-uri 'none'; form-action 'none'"
    )
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{csp}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        "<title>FastRTC plugin gallery</title>\n"
        '<link rel="icon" href="data:,">\n'
        f"<style>{STYLE}</style>\n</head>\n"
        '<body class="gallery-page">\n<main>\n<h1>Plugin gallery</h1>\n'
        f"<p>{escape(INTRO)}</p>\n{_body(catalog)}\n"
        f'<h2 id="comparison">Comparison</h2>\n{comparison(catalog, render_chart(catalog))}\n'
        f'<h2 id="validation-records">Validation records</h2>\n{_records(catalog)}\n'
        "<p>Each record counts the checks of one real validation run; the check reference "
        "of the fastrtc-registry documentation (Check reference) says what each check "
        "tests.</p>\n</main>\n"
        f"<script>{SCRIPT}</script>\n</body>\n</html>\n"
    )


def render_gallery(catalog: Catalog, fmt: Format = "md", *, checks_page: str = CHECKS_PAGE) -> str:
    """The gallery in ``fmt`` (``md`` or ``html``)."""
    if fmt == "html":
        return render_html(catalog)
    return render_markdown(catalog, checks_page=checks_page)


def format_for_path(path: str) -> Format:
    """The format a file name asks for: ``html`` for .html/.htm, else ``md``."""
    return "html" if path.lower().endswith((".html", ".htm")) else "md"
