"""Tiers 1 and 2 in the worker, on real wheels installed in a real virtual environment.

Every check has a deliberately broken fixture plugin that it catches; the
good fixtures pass with no failures; a plugin that hangs, exits or crashes
the interpreter fails only itself.
"""

from __future__ import annotations

import ast
import inspect
import re
import textwrap
from pathlib import Path
from typing import Any

import pytest
from conftest import PLUGINS, PluginEnv, hiding_pythonpath, make_env

from fastrtc_registry.checks import CHECKS, CheckResult
from fastrtc_registry.suite import run_plugin_checks, validate_packages
from fastrtc_registry.validation.distribution import DeclaredPlugin

BAD = sorted(p.name for p in PLUGINS.iterdir() if p.name.startswith("bad_"))
CHECK_IDS = sorted(CHECKS)

# (fixture folder, entry point, kind, the check meant to catch it, status, message fragment)
CAUGHT = [
    (
        "broken_import",
        "fastrtc_broken_import:BrokenVAD",
        "vad",
        "IMP101",
        "failed",
        "raised ModuleNotFoundError: No module named 'fastrtc_missing_dependency'",
    ),
    (
        "wrong_kind",
        "fastrtc_wrong_kind:NotAVad",
        "vad",
        "IMP102",
        "failed",
        "which has no vad() or warmup()",
    ),
    (
        "bad_constructor",
        "fastrtc_bad_constructor:BadVAD",
        "vad",
        "IMP103",
        "failed",
        "missing 1 required positional argument: 'model_path'",
    ),
    (
        "bad_downloads",
        "fastrtc_bad_downloads:BadVAD",
        "vad",
        "IMP103",
        "skipped",
        "needs network: building it downloads files and the download failed (URLError",
    ),
    (
        "bad_signature",
        "fastrtc_bad_signature:BadVAD",
        "vad",
        "IMP104",
        "failed",
        "vad(audio) cannot be called as vad(audio, options)",
    ),
    (
        "bad_warmup",
        "fastrtc_bad_warmup:BadVAD",
        "vad",
        "IMP105",
        "failed",
        "warmup() raised RuntimeError: weights not loaded",
    ),
    (
        "forgetful",
        "fastrtc_forgetful:ForgetfulPause",
        "turn-taking",
        "IMP106",
        "failed",
        "inherits ReplyOnPause.copy(), which builds a plain ReplyOnPause",
    ),
    (
        "bad_int16_only",
        "fastrtc_bad_int16_only:BadVAD",
        "vad",
        "IMP105",
        "failed",
        "warmup() raised AssertionError inside its call "
        "vad((24000, float32 array of shape (102400,)), None)",
    ),
    (
        "bad_copy_type",
        "fastrtc_bad_copy_type:BadPause",
        "turn-taking",
        "IMP107",
        "failed",
        "copy() returned a ReplyOnPause, not a BadPause",
    ),
    (
        "bad_shape_input",
        "fastrtc_bad_shape_input:BadVAD",
        "vad",
        "VAD201",
        "failed",
        "vad() on a 0.6 s 48 kHz int16 (28800,) chunk raised TypeError",
    ),
    (
        "bad_return_type",
        "fastrtc_bad_return_type:BadVAD",
        "vad",
        "VAD202",
        "failed",
        "expected a (duration, chunks) pair",
    ),
    (
        "bad_duration",
        "fastrtc_bad_duration:BadVAD",
        "vad",
        "VAD203",
        "failed",
        "returned a duration of inf s; expected a finite number of seconds",
    ),
    (
        "bad_chunks",
        "fastrtc_bad_chunks:BadVAD",
        "vad",
        "VAD204",
        "failed",
        "has a float bound (0.36); expected integer sample indices",
    ),
    (
        "bad_float32",
        "fastrtc_bad_float32:BadVAD",
        "vad",
        "VAD205",
        "failed",
        "found 0.00 s of speech in float32 input but",
    ),
    (
        "bad_rates",
        "fastrtc_bad_rates:BadVAD",
        "vad",
        "VAD206",
        "failed",
        "on 48000 Hz int16 speech: returned",
    ),
    (
        "bad_deaf",
        "fastrtc_bad_deaf:BadVAD",
        "vad",
        "VAD207",
        "failed",
        "found 0.00 s of speech in 0 chunk(s) in 20.75 s of real speech",
    ),
    (
        "bad_always_speech",
        "fastrtc_bad_always_speech:BadVAD",
        "vad",
        "VAD208",
        "failed",
        "found 5.00 s of speech in 5 s of digital silence",
    ),
    (
        "bad_empty",
        "fastrtc_bad_empty:BadVAD",
        "vad",
        "VAD209",
        "failed",
        "vad() on 0 int16 samples raised ValueError",
    ),
    (
        "bad_mutates",
        "fastrtc_bad_mutates:BadVAD",
        "vad",
        "VAD210",
        "failed",
        "samples of its int16 input in place",
    ),
    (
        "bad_random",
        "fastrtc_bad_random:BadVAD",
        "vad",
        "VAD211",
        "failed",
        "expected the same answer",
    ),
    (
        "bad_thread_unsafe",
        "fastrtc_bad_thread_unsafe:BadVAD",
        "vad",
        "VAD212",
        "failed",
        "calls from 4 threads differed from the same calls made one at a time",
    ),
    (
        "bad_crossed_answers",
        "fastrtc_bad_crossed_answers:BadVAD",
        "vad",
        "VAD212",
        "failed",
        "16 of 16 calls from 4 threads differed",
    ),
    (
        "bad_slow",
        "fastrtc_bad_slow:BadVAD",
        "vad",
        "VAD213",
        "failed",
        "per 0.6 s 48 kHz chunk (real time: 600 ms",
    ),
    (
        "bad_lazy_load",
        "fastrtc_bad_lazy_load:BadVAD",
        "vad",
        "VAD214",
        "failed",
        "ms late; load the weights (or whatever the first call builds) in warmup() or __init__",
    ),
    (
        "bad_leaky",
        "fastrtc_bad_leaky:BadVAD",
        "vad",
        "VAD215",
        "failed",
        "per hour of audio on one connection, so a long-running server runs out of memory",
    ),
    (
        "bad_stateful",
        "fastrtc_bad_stateful:BadVAD",
        "vad",
        "VAD216",
        "failed",
        "interleaved chunk by chunk on one model differed from the answers on each stream alone",
    ),
    (
        "bad_class_counter",
        "fastrtc_bad_class_counter:BadPause",
        "turn-taking",
        "TT207",
        "failed",
        "alongside another copy, replied at 5.40 s; a fresh handler fed it alone replied at 4.20 s",
    ),
    (
        "bad_never_replies",
        "fastrtc_bad_never_replies:BadPause",
        "turn-taking",
        "TT201",
        "failed",
        "never replied: speech 'hello how are you'",
    ),
    (
        "bad_eager",
        "fastrtc_bad_eager:BadPause",
        "turn-taking",
        "TT202",
        "failed",
        "s of silence; a reply must follow speech",
    ),
    (
        "bad_copy_drops",
        "fastrtc_bad_copy_drops:CopyDropsPause",
        "turn-taking",
        "TT203",
        "failed",
        "copy() lost settings: quiet_chunks 4 became 2 (built with",
    ),
    (
        "bad_shared_state",
        "fastrtc_bad_shared_state:BadPause",
        "turn-taking",
        "TT204",
        "failed",
        "feeding audio to one copy changed history of another copy",
    ),
    (
        "bad_not_callable",
        "fastrtc_bad_not_callable:MODEL",
        "vad",
        "IMP102",
        "failed",
        "points at a BadVAD, not a class or factory",
    ),
    (
        "bad_tt_not_handler",
        "fastrtc_bad_tt_not_handler:BadPause",
        "turn-taking",
        "IMP102",
        "failed",
        "which is not a subclass of fastrtc.ReplyOnPause",
    ),
    (
        "bad_factory_returns",
        "fastrtc_bad_factory_returns:make_vad",
        "vad",
        "IMP103",
        "failed",
        "make_vad() returned a dict, which has no vad(audio, options)",
    ),
    (
        "bad_no_warmup",
        "fastrtc_bad_no_warmup:make_vad",
        "vad",
        "IMP104",
        "failed",
        "_Model has no warmup(); the protocol expects warmup() (it may do nothing)",
    ),
    (
        "bad_duration_type",
        "fastrtc_bad_duration_type:BadVAD",
        "vad",
        "VAD202",
        "failed",
        "returned a duration of type str; expected a float",
    ),
    (
        "bad_chunks_type",
        "fastrtc_bad_chunks_type:BadVAD",
        "vad",
        "VAD202",
        "failed",
        "returned chunks of type tuple; expected a list of dicts",
    ),
    (
        "bad_chunk_keys",
        "fastrtc_bad_chunk_keys:BadVAD",
        "vad",
        "VAD202",
        "failed",
        "returned the chunk {'begin': 5760, 'end': 7680}; expected {'start': int, 'end': int}",
    ),
    (
        "bad_duration_range",
        "fastrtc_bad_duration_range:BadVAD",
        "vad",
        "VAD203",
        "failed",
        "expected seconds of speech between 0 and the audio's length",
    ),
    (
        "bad_chunk_bounds",
        "fastrtc_bad_chunk_bounds:BadVAD",
        "vad",
        "VAD204",
        "failed",
        "expected 0 <= start <= end <= length",
    ),
    (
        "bad_overlap",
        "fastrtc_bad_overlap:BadVAD",
        "vad",
        "VAD204",
        "failed",
        "before the previous chunk ends at 7680; expected sorted, non-overlapping chunks",
    ),
    (
        "bad_rate_spread",
        "fastrtc_bad_rate_spread:BadVAD",
        "vad",
        "VAD206",
        "failed",
        "the same speech gave different answers by rate",
    ),
]


@pytest.fixture(scope="session")
def bad_env(tmp_path_factory: pytest.TempPathFactory, plugin_wheels: dict[str, Path]) -> PluginEnv:
    """A venv with every broken fixture plugin (and the forgetful one)."""
    names = [*BAD, "broken_import", "wrong_kind", "forgetful"]
    return make_env(tmp_path_factory.mktemp("bad") / "venv", [plugin_wheels[n] for n in names])


def _by_id(results: list[CheckResult]) -> dict[str, CheckResult]:
    return {r.id: r for r in results}


@pytest.mark.parametrize(
    ("folder", "spec", "kind", "check_id", "status", "fragment"),
    CAUGHT,
    ids=[f"{c[3]}-{c[0]}" for c in CAUGHT],  # one entry per (check id, message)
)
def test_each_check_catches_its_broken_fixture(
    bad_env: PluginEnv,
    folder: str,
    spec: str,
    kind: str,
    check_id: str,
    status: str,
    fragment: str,
) -> None:
    results = _by_id(
        run_plugin_checks(
            spec,
            kind,
            folder,
            python=str(bad_env.python),  # type: ignore[arg-type]
            timeout=120,
        )
    )
    assert results[check_id].status == status, results[check_id]
    assert fragment in results[check_id].message
    assert all(r.status != "error" for r in results.values() if r.id != check_id)


def test_every_runtime_check_has_a_broken_fixture() -> None:

    runtime = {i for i, info in CHECKS.items() if info.tier > 0}
    assert {i for i in runtime if not i.startswith("TT2")} <= {c[3] for c in CAUGHT}


def _failure_conditions(func: Any) -> int:
    """The failure conditions of a check, read from its source.

    The string returns of the ``_*_problem`` helpers it calls, or, when it
    calls none, its own ``raise CheckFailed(...)`` statements.
    """
    module = inspect.getmodule(func)
    tree = ast.parse(textwrap.dedent(inspect.getsource(func)))
    raises = problems = 0
    for node in ast.walk(tree):
        if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call):
            raises += getattr(node.exc.func, "id", "") == "CheckFailed"
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            name = node.func.id
            if name.startswith("_") and name.endswith("_problem"):
                helper = ast.parse(textwrap.dedent(inspect.getsource(getattr(module, name))))
                problems += sum(
                    isinstance(n, ast.Return) and isinstance(n.value, ast.JoinedStr)
                    for n in ast.walk(helper)
                )
    return problems or raises


@pytest.mark.parametrize(
    "check_id",
    sorted(i for i in CHECK_IDS if i.startswith(("IMP", "VAD"))),
)
def test_every_failure_condition_has_its_own_broken_fixture(check_id: str) -> None:
    from fastrtc_registry.checks import check_info

    conditions = _failure_conditions(check_info(check_id).func)
    caught = {c[5] for c in CAUGHT if c[3] == check_id and c[4] == "failed"}
    assert len(caught) >= conditions, (check_id, conditions, caught)


@pytest.mark.parametrize(
    ("spec", "kind"),
    [
        ("fastrtc_energy_vad:EnergyVAD", "vad"),
        ("fastrtc_webrtc_vad:WebRTCVAD", "vad"),
        ("fastrtc_legacy_vad:LegacyVAD", "vad"),
        ("fastrtc_patient_pause:PatientPause", "turn-taking"),
        ("fastrtc.reply_on_pause:ReplyOnPause", "turn-taking"),
    ],
    ids=["energy", "webrtc", "legacy", "patient", "pause"],
)
def test_good_plugins_pass_every_runtime_check(good_env: PluginEnv, spec: str, kind: str) -> None:
    results = run_plugin_checks(spec, kind, python=str(good_env.python), timeout=120)  # type: ignore[arg-type]
    assert [r for r in results if r.status != "passed" and r.reason != "not-applicable"] == []
    latency = _by_id(results)["VAD213" if kind == "vad" else "TT201"].message
    assert ("p50" in latency and "p95" in latency) or "replied once" in latency
    if kind == "turn-taking":  # copy() kept the overridden defaults
        assert "input_sample_rate=96000" in _by_id(results)["TT203"].message


def test_silero_without_its_runtime_is_reported_not_crashed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PYTHONPATH", hiding_pythonpath(tmp_path, "onnxruntime"))
    results = _by_id(
        run_plugin_checks("fastrtc_registry.plugins.silero:silero", "vad", timeout=120)
    )
    build = results["IMP103"]
    assert build.status == "error"
    assert "onnxruntime" in build.message
    assert results["VAD207"].status == "skipped"


def test_silero_offline_needs_the_network_for_its_weights(monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("onnxruntime")
    monkeypatch.setenv("FASTRTC_PLUGINS_OFFLINE", "1")
    results = _by_id(
        run_plugin_checks("fastrtc_registry.plugins.silero:silero", "vad", timeout=120)
    )
    build = results["IMP103"]
    assert (build.status, build.reason) == ("skipped", "needs-network")
    assert results["VAD207"].status == "skipped"


MISBEHAVING = {
    "hangs": ("import time\ntime.sleep(600)\nclass V: pass\n", "timed out after 3 s", "IMP101"),
    "exits": (
        "import os\nclass V:\n    def warmup(self): pass\n"
        "    def vad(self, audio, options): os._exit(3)\n",
        "the worker exited with code 3",
        "VAD201",
    ),
    "segfaults": (
        "import ctypes\nclass V:\n    def warmup(self): pass\n"
        "    def vad(self, audio, options): ctypes.string_at(0)\n",
        "crashed the interpreter (SIGSEGV)",
        "VAD201",
    ),
}


@pytest.mark.parametrize("behaviour", sorted(MISBEHAVING))
def test_a_misbehaving_plugin_fails_only_itself(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, behaviour: str
) -> None:
    source, reason, where = MISBEHAVING[behaviour]
    (tmp_path / f"plugin_{behaviour}.py").write_text(source)
    (tmp_path / "plugin_good.py").write_text(
        "class V:\n    def warmup(self): pass\n    def vad(self, audio, options): return 0.0, []\n"
    )
    monkeypatch.setenv("PYTHONPATH", str(tmp_path))  # the worker inherits it
    plugins = [
        (None, DeclaredPlugin(behaviour, "vad", f"plugin_{behaviour}:V")),
        (None, DeclaredPlugin("good", "vad", "plugin_good:V")),
    ]
    report = validate_packages("misbehaving", plugins, timeout=3)
    bad, good = report.plugins
    stopped = bad.result(where)
    assert stopped.status == "error"
    assert reason in stopped.message
    assert bad.result("VAD213").status == "skipped"
    assert good.result("IMP103").status == "passed"
    assert good.result("VAD201").status == "passed"


def test_one_root_cause_is_reported_once(bad_env: PluginEnv) -> None:
    """An inf duration fails VAD203 only; the checks built on valid answers skip after it."""
    results = _by_id(
        run_plugin_checks(
            "fastrtc_bad_duration:BadVAD", "vad", "bad_duration", python=str(bad_env.python)
        )
    )
    assert [r.id for r in results.values() if r.status == "failed"] == ["VAD203"]
    after = {i for i, r in results.items() if r.reason == "after VAD203"}
    assert after == {
        "VAD205",
        "VAD206",
        "VAD207",
        "VAD208",
        "VAD209",
        "VAD211",
        "VAD212",
        "VAD216",
    }
    assert all(results[i].status == "skipped" for i in after)
    assert results["VAD213"].status == "passed"  # latency does not need valid answers


def _failed_and_skipped(results: dict[str, CheckResult]) -> tuple[set[str], dict[str, str]]:
    failed = {i for i, r in results.items() if r.status in ("failed", "error")}
    skipped = {i: str(r.reason) for i, r in results.items() if r.status == "skipped"}
    return failed, skipped


def test_a_crash_in_warmup_is_reported_once_with_its_input_and_fix(bad_env: PluginEnv) -> None:
    """warmup() calls vad() on float32 zeros, which an int16-only VAD asserts against."""
    results = _by_id(
        run_plugin_checks(
            "fastrtc_bad_int16_only:BadVAD", "vad", "bad-int16-only", python=str(bad_env.python)
        )
    )
    failed, skipped = _failed_and_skipped(results)
    assert failed == {"IMP105"}
    assert skipped == {
        "VAD205": "after IMP105",
        "VAD209": "after IMP105",
        "VAD210": "after IMP105",
        "VAD214": "after IMP105",  # no warmup() that returned: no first call after it
        "VAD216": "after IMP105",  # its fresh models' warmup() raises the same
    }
    crash = results["IMP105"]
    assert "vad((24000, float32 array of shape (102400,)), None)" in crash.message
    assert "it is the float32 samples it rejects" in crash.message
    assert crash.fix is not None and "accept both int16 and float32" in crash.fix
    assert crash.fix != CHECKS["IMP105"].fix  # not "load weights in warmup()"
    assert "raised the AssertionError that IMP105 reported" in results["VAD209"].message


def test_a_crash_on_float32_is_reported_by_the_dtype_check_once(bad_env: PluginEnv) -> None:
    results = _by_id(
        run_plugin_checks(
            "fastrtc_bad_int16_only:ColdVAD", "vad", "cold", python=str(bad_env.python)
        )
    )
    failed, skipped = _failed_and_skipped(results)
    assert failed == {"VAD205"}
    assert skipped == {"VAD209": "after VAD205", "VAD210": "after VAD205"}
    crash = results["VAD205"]
    assert crash.message.startswith("vad() on 16 kHz float32 speech raised AssertionError")
    assert re.search(r"vad\(\(16000, float32 array of shape \(\d+,\)\), None\)", crash.message)
    assert crash.fix is not None and "convert by dtype" in crash.fix


def test_a_crash_on_short_input_gets_the_short_input_fix(bad_env: PluginEnv) -> None:
    results = _by_id(
        run_plugin_checks("fastrtc_bad_empty:BadVAD", "vad", python=str(bad_env.python))
    )
    failed, _ = _failed_and_skipped(results)
    assert failed == {"VAD209"}
    crash = results["VAD209"]
    assert "the call was vad((16000, int16 array of shape (0,)), None)" in crash.message
    assert "longer int16 input was answered" in crash.message
    assert crash.fix is None  # VAD209's own fix: return 0.0, []


def test_a_missing_copy_is_reported_once(bad_env: PluginEnv) -> None:
    """No copy() override: IMP106 says so; the checks of copy()'s result skip after it."""
    results = _by_id(
        run_plugin_checks(
            "fastrtc_forgetful:ForgetfulPause", "turn-taking", python=str(bad_env.python)
        )
    )
    failed, skipped = _failed_and_skipped(results)
    assert failed == {"IMP106"}
    assert skipped == {
        "IMP107": "after IMP106",
        "TT203": "after IMP106",
        "TT204": "after IMP106",
        "TT207": "after IMP106",
        "TT205": "not-applicable",
    }


def test_copy_must_keep_every_overridden_default(bad_env: PluginEnv) -> None:
    """The scaffold's plugin with copy() forgetting quiet_chunks: only TT203 fails."""
    results = _by_id(
        run_plugin_checks(
            "fastrtc_bad_copy_drops:CopyDropsPause", "turn-taking", python=str(bad_env.python)
        )
    )
    failed, skipped = _failed_and_skipped(results)
    assert failed == {"TT203"}
    assert skipped == {"TT205": "not-applicable"}
    message = results["TT203"].message
    assert "quiet_chunks 4 became 2" in message
    assert "expected_layout='stereo'" in message  # fastrtc's own settings were overridden too


def test_overridden_defaults_cover_the_base_class_through_kwargs() -> None:
    from fastrtc.reply_on_pause import ReplyOnPause

    from fastrtc_registry.validation.observe_turn_taking import overrides

    class Tuned(ReplyOnPause):
        def __init__(
            self, fn: Any, *args: Any, window_s: float = 0.4, mode: str = "fast", **kwargs: Any
        ) -> None:
            super().__init__(fn, *args, **kwargs)

    values, others = overrides(Tuned)
    assert values == {
        "window_s": 0.2,
        "mode": "not-fast",
        "expected_layout": "stereo",
        "output_sample_rate": 48000,
        "input_sample_rate": 96000,
        "needs_args": True,
    }
    assert others == ["startup_fn", "output_frame_size"]
