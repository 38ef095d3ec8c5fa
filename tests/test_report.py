"""The CI forms of a report: workflow-command annotations and the Markdown table."""

from __future__ import annotations

from pathlib import Path

from fastrtc_registry.checks import CheckResult, PluginReport, ValidationReport
from fastrtc_registry.checks.report import (
    escape_data,
    escape_property,
    github_annotations,
    locate,
    markdown_summary,
)

PYPROJECT = """[project]
name = "fastrtc-demo"

[project.entry-points."fastrtc.vad"]
demo = "fastrtc_demo:DemoVAD"
"""
SOURCE = '''"""Demo."""


class DemoVAD:
    def warmup(self):
        pass

    def __call__(self, audio, options):
        return 0.0, []
'''


def _project(tmp_path: Path) -> Path:
    root = tmp_path / "proj"
    (root / "fastrtc_demo").mkdir(parents=True)
    (root / "pyproject.toml").write_text(PYPROJECT)
    (root / "fastrtc_demo" / "__init__.py").write_text(SOURCE)
    return root


def _report(*checks: CheckResult) -> ValidationReport:
    plugin = PluginReport(name="demo", kind="vad", object="fastrtc_demo:DemoVAD", checks=checks)
    return ValidationReport(target="proj", plugins=(plugin,))


def test_escapes_follow_the_workflow_command_rules() -> None:
    assert escape_data("50% a\r\nb::c,d") == "50%25 a%0D%0Ab::c,d"
    assert escape_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"
    assert escape_data("bell\x07esc\x1b[31m") == "bellesc[31m"


def test_locate_entry_point_and_method_without_importing(tmp_path: Path) -> None:
    root = _project(tmp_path)
    plugin = _report().plugins[0]
    pkg = locate(plugin, CheckResult("PKG005", "t", "warning"), root=root, workspace=tmp_path)
    assert pkg is not None and (pkg.file, pkg.line) == ("proj/pyproject.toml", 5)
    vad = locate(plugin, CheckResult("VAD203", "t", "failed"), root=root, workspace=tmp_path)
    assert vad is not None and (vad.file, vad.line) == ("proj/fastrtc_demo/__init__.py", 8)


def test_annotations_hostile_message_stays_on_one_line(tmp_path: Path) -> None:
    root = _project(tmp_path)
    report = _report(
        CheckResult("VAD203", "duration, finite", "failed", "inf\n::error::forged 100%"),
        CheckResult("PKG005", "readme", "warning", "no README"),
        CheckResult("VAD201", "ok", "passed"),
    )
    text = github_annotations(report, root=root, workspace=tmp_path)
    lines = text.splitlines()
    assert lines[0] == (
        "::error file=proj/fastrtc_demo/__init__.py,line=8,"
        "title=VAD203 duration%2C finite (demo)::inf%0A::error::forged 100%25"
    )
    assert lines[1].startswith("::warning file=proj/pyproject.toml,line=5,title=PKG005")
    assert lines[2].startswith("::notice ") and "1 passed, 1 failed, 1 warning" in lines[2]
    assert len(lines) == 3


def test_annotations_without_a_project_have_no_file(tmp_path: Path) -> None:
    text = github_annotations(_report(CheckResult("IMP001", "imports", "error", "boom")))
    assert text.splitlines()[0] == "::error title=IMP001 imports (demo)::boom"


def test_markdown_table_escapes_cells() -> None:
    report = _report(
        CheckResult("VAD203", "duration", "failed", "a | b\nc <script>"),
        CheckResult("VAD201", "ok", "passed"),
    )
    text = markdown_summary(report)
    assert "| Plugin | Check | Status | Message |" in text
    assert "| demo | VAD203 duration | ❌ failed | a \\| b c &lt;script&gt; |" in text
    assert "VAD201" not in text
    assert "VAD201 ok | ✅ passed" in markdown_summary(report, verbose=True)


def test_markdown_all_green_says_so() -> None:
    text = markdown_summary(_report(CheckResult("VAD201", "ok", "passed")))
    assert "every check passed" in text
