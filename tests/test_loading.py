from __future__ import annotations

import importlib.util
from typing import Any

import numpy as np
import pytest

from fastrtc_registry import (
    AmbiguousPluginError,
    PluginCopyWarning,
    PluginKindError,
    PluginLoadError,
    PluginNameTypeError,
    PluginNotFoundError,
    PluginNotInstalledError,
    PluginRuntimeError,
    RegistryError,
    load_turn_taking,
    load_vad,
    reply_on_pause,
    simulate,
)


@pytest.fixture(scope="module")
def speech_48k() -> np.ndarray:
    """Two seconds of silence, fastrtc's 20.75 s speech at 48 kHz, four seconds of silence."""
    rate, speech = simulate.fastrtc_speech()
    silence = np.zeros(2 * simulate.WEBRTC_RATE, dtype=np.int16)
    return np.concatenate(
        [silence, simulate.resample(speech, rate, simulate.WEBRTC_RATE), silence, silence]
    )


SPEECH_START_S, SPEECH_END_S = 2.0, 22.75


def test_load_vad_returns_a_warmed_instance_with_options(in_env) -> None:
    model = load_vad("energy", threshold_db=-30.0)
    assert type(model).__name__ == "EnergyVAD"
    assert model.threshold_db == -30.0
    duration, chunks = model.vad((16000, np.zeros(16000, dtype=np.float32)), None)
    assert duration == 0.0
    assert chunks == []


def test_names_are_canonicalised(in_env) -> None:
    assert type(load_vad("WebRTC")).__name__ == "WebRTCVAD"
    assert load_turn_taking("Patient").__name__ == "PatientPause"


def test_load_turn_taking_returns_the_class(in_env) -> None:
    from fastrtc import ReplyOnPause

    cls = load_turn_taking("patient")
    assert issubclass(cls, ReplyOnPause)
    assert load_turn_taking("pause") is ReplyOnPause


def test_unknown_name_suggests_close_matches(in_env) -> None:
    with pytest.raises(PluginNotFoundError) as info:
        load_vad("enrgy")
    message = str(info.value)
    assert "no VAD plugin named 'enrgy'" in message
    assert "did you mean 'energy'?" in message
    assert "fastrtc-plugins search --kind vad" in message
    assert info.value.suggestions == ("energy",)
    assert isinstance(info.value, LookupError)


def test_known_but_uninstalled_gives_install_command(in_env, legacy_catalog) -> None:
    with pytest.raises(PluginNotInstalledError) as info:
        load_vad("uninstalled")
    message = str(info.value)
    assert "run 'pip install fastrtc-not-installed-vad'" in message
    assert "requires Python >=3.99" in message
    assert info.value.install == "pip install fastrtc-not-installed-vad"


def test_catalog_loads_a_plugin_without_entry_points(in_env, legacy_catalog) -> None:
    model = load_vad("legacy")
    assert type(model).__name__ == "LegacyVAD"


def test_ambiguous_name_lists_both_packages(in_broken_env) -> None:
    with pytest.raises(AmbiguousPluginError) as info:
        load_vad("energy")
    message = str(info.value)
    assert "fastrtc-energy-vad" in message
    assert "fastrtc-energy-fork" in message
    assert "'fastrtc-energy-fork:energy'" in message
    fork = load_vad("fastrtc-energy-fork:energy")
    assert type(fork).__name__ == "ForkedEnergyVAD"
    assert type(load_vad("fastrtc_energy_vad:energy")).__name__ == "EnergyVAD"


def test_import_failure_chains_the_plugins_error(in_broken_env) -> None:
    with pytest.raises(PluginLoadError) as info:
        load_vad("broken-import")
    message = str(info.value)
    assert "'broken-import' from fastrtc-broken-import 0.0.1 failed to import" in message
    assert "No module named 'fastrtc_missing_dependency'" in message
    assert isinstance(info.value.__cause__, ModuleNotFoundError)
    assert isinstance(info.value, ImportError)


@pytest.mark.parametrize(
    ("kind", "name", "expected"),
    [
        ("vad", "not-callable", "points at a str, not a class or factory"),
        ("vad", "no-vad-method", "class NotAVad, which has no vad() or warmup()"),
        ("turn-taking", "not-a-handler", "NotAHandler, which is not a subclass of"),
    ],
)
def test_wrong_kind_says_what_was_expected(in_broken_env, kind, name, expected) -> None:
    loader = load_vad if kind == "vad" else load_turn_taking
    with pytest.raises(PluginKindError) as info:
        loader(name)
    assert expected in str(info.value)


def test_silero_needs_fastrtc_vad_extra_or_network() -> None:
    with pytest.raises(PluginRuntimeError) as info:
        load_vad("silero")
    if importlib.util.find_spec("onnxruntime") is None:
        assert 'pip install "fastrtc[vad]"' in str(info.value)
    else:  # with onnxruntime, the hub download fails offline (HF_HUB_OFFLINE=1)
        assert "needs the network" in str(info.value)


def test_reply_fires_after_speech_ends(in_env, speech_48k) -> None:
    reply, lengths = simulate.recording_reply()
    handler = reply_on_pause(reply, vad="webrtc")
    replies = simulate.drive_handler(handler, speech_48k)
    assert replies, "the reply never fired"
    assert all(r.at_s > SPEECH_START_S for r in replies)
    last = replies[-1]
    assert SPEECH_END_S <= last.at_s <= SPEECH_END_S + 2.0
    assert lengths and sum(lengths) >= 15 * simulate.WEBRTC_RATE


def test_no_reply_on_silence(in_env) -> None:
    reply, lengths = simulate.recording_reply()
    handler = reply_on_pause(reply, vad="energy")
    assert simulate.drive_handler(handler, np.zeros(5 * simulate.WEBRTC_RATE, np.int16)) == []
    assert lengths == []


def test_copy_keeps_plugin_class_and_settings(in_env, speech_48k) -> None:
    reply, _ = simulate.recording_reply()
    handler = reply_on_pause(reply, vad="energy", turn_taking="patient", quiet_chunks=3)
    copy = handler.copy()
    assert type(copy).__name__ == "PatientPause"
    assert copy.quiet_chunks == 3
    assert copy.model is handler.model
    assert simulate.drive_handler(copy, speech_48k)


def test_copy_is_repaired_for_plugins_that_forget_it(in_env, speech_48k) -> None:
    reply, _ = simulate.recording_reply()
    with pytest.warns(PluginCopyWarning, match="'forgetful'.*does not override copy"):
        handler = reply_on_pause(reply, vad="webrtc", turn_taking="forgetful", quiet_below=0.05)
    copy = handler.copy()
    assert type(copy).__name__ == "ForgetfulPause"
    assert copy.quiet_below == 0.05
    assert type(copy.copy()).__name__ == "ForgetfulPause"
    assert copy.state is not handler.state
    replies = simulate.drive_handler(copy, speech_48k)
    assert replies and replies[-1].at_s >= SPEECH_END_S


def test_handler_kwargs_reach_the_handler(in_env) -> None:
    from fastrtc.reply_on_pause import AlgoOptions

    reply, _ = simulate.recording_reply()
    options = AlgoOptions(audio_chunk_duration=1.2)
    handler = reply_on_pause(reply, vad="energy", algo_options=options, can_interrupt=False)
    assert handler.algo_options is options
    assert handler.can_interrupt is False


def _closed_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _raised(func: Any) -> BaseException:
    try:
        func()
    except BaseException as exc:
        return exc
    raise AssertionError(f"{func} did not raise")


def _hub_offline(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    from huggingface_hub import constants

    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", True)
    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(tmp_path))


def _network_failures(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> dict[str, Any]:
    """Real exceptions, each raised by its library failing to reach 127.0.0.1 or the hub."""
    import socket
    import urllib.request

    import httpx
    import requests
    from huggingface_hub import HfApi, hf_hub_download

    port = _closed_port()
    url = f"http://127.0.0.1:{port}/model.onnx"
    _hub_offline(monkeypatch, tmp_path)
    return {
        "httpx.ConnectError": lambda: httpx.get(url, timeout=2),
        "requests.ConnectionError": lambda: requests.get(url, timeout=2),
        "urllib URLError": lambda: urllib.request.urlopen(url, timeout=2),
        "socket ConnectionRefusedError": lambda: socket.create_connection(
            ("127.0.0.1", port), timeout=2
        ),
        "hub LocalEntryNotFoundError": lambda: hf_hub_download("a/b", "c.onnx"),
        "hub OfflineModeIsEnabled": lambda: HfApi().model_info("a/b"),
    }


@pytest.mark.parametrize(
    "which",
    [
        "httpx.ConnectError",
        "requests.ConnectionError",
        "urllib URLError",
        "socket ConnectionRefusedError",
        "hub LocalEntryNotFoundError",
        "hub OfflineModeIsEnabled",
    ],
)
def test_real_network_failures_are_network_errors(monkeypatch, tmp_path, which) -> None:
    from fastrtc_registry.network_errors import is_network_error

    exc = _raised(_network_failures(monkeypatch, tmp_path)[which])
    assert is_network_error(exc), f"{type(exc).__module__}.{type(exc).__qualname__}: {exc}"
    try:  # a plugin that wraps the failure in its own error is still offline
        raise RuntimeError("could not build the model") from exc
    except RuntimeError as wrapped:
        assert is_network_error(wrapped)


def test_gaierror_is_a_network_error() -> None:
    import socket

    from fastrtc_registry.network_errors import is_network_error

    # Resolving a name would query a DNS server; the class is what a failed lookup raises.
    assert is_network_error(socket.gaierror(socket.EAI_NONAME, "Name or service not known"))
    assert not issubclass(socket.gaierror, ConnectionError)


def test_answers_and_other_errors_are_not_network_errors(tmp_path) -> None:
    import urllib.error

    import httpx

    from fastrtc_registry.network_errors import is_network_error

    request = httpx.Request("GET", "http://127.0.0.1/x")
    not_network = [
        ValueError("bad value"),
        FileNotFoundError("weights.onnx"),
        urllib.error.HTTPError("http://127.0.0.1/x", 404, "Not Found", {}, None),  # type: ignore[arg-type]
        httpx.HTTPStatusError("404", request=request, response=httpx.Response(404)),
        RuntimeError("Install fastrtc[vad] to use ReplyOnPause"),
    ]
    assert [e for e in not_network if is_network_error(e)] == []


def test_qualified_name_from_a_package_that_is_not_installed(in_env) -> None:
    with pytest.raises(PluginNotFoundError) as info:
        load_vad("nosuchpkg:silero")
    message = str(info.value)
    assert "no installed package 'nosuchpkg' declares a VAD plugin 'silero'" in message
    assert "'fastrtc-registry:silero'" in message
    assert "not installed" not in message.replace("no installed", "")


def test_qualified_name_from_a_package_without_it(in_env) -> None:
    with pytest.raises(PluginNotFoundError) as info:
        load_vad("fastrtc-energy-vad:silero")
    message = str(info.value)
    assert "the package 'fastrtc-energy-vad' declares no VAD plugin 'silero'" in message
    assert "it declares 'energy'" in message


@pytest.mark.parametrize(
    ("loader", "name", "expected"),
    [
        (load_vad, "patient", "'patient' is a turn-taking plugin (from fastrtc-patient-pause)"),
        (load_vad, "stopwords", "load it with load_turn_taking('stopwords')"),
        (load_turn_taking, "energy", "'energy' is a VAD plugin (from fastrtc-energy-vad)"),
    ],
)
def test_name_of_the_other_kind_says_so(in_env, loader, name, expected) -> None:
    with pytest.raises(PluginNotFoundError) as info:
        loader(name)
    assert expected in str(info.value)


def test_long_names_are_cut_in_messages(in_env) -> None:
    with pytest.raises(PluginNotFoundError) as info:
        load_vad("x" * 5000)
    message = str(info.value)
    assert len(message) < 300
    assert "x" * 59 + "\u2026" in message


def test_loading_never_fetches_a_hosted_catalog(in_env, monkeypatch) -> None:
    import httpx

    def no_network(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("load_vad reached for the network")

    monkeypatch.setenv("FASTRTC_PLUGINS_REGISTRY_URL", f"http://127.0.0.1:{_closed_port()}/r.json")
    monkeypatch.delenv("FASTRTC_PLUGINS_OFFLINE")
    monkeypatch.setattr(httpx.Client, "send", no_network)
    assert type(load_vad("energy")).__name__ == "EnergyVAD"


def test_a_built_vad_and_a_class_are_taken_as_they_are(in_env, speech_48k) -> None:
    reply, _ = simulate.recording_reply()
    model = load_vad("energy")
    patient = load_turn_taking("patient")
    handler = reply_on_pause(reply, vad=model, turn_taking=patient, quiet_chunks=3)
    assert handler.model is model and type(handler).__name__ == "PatientPause"
    assert simulate.drive_handler(handler, speech_48k)


@pytest.mark.parametrize("bad", [None, 3, b"energy"], ids=["none", "int", "bytes"])
def test_what_is_not_a_name_is_a_clear_type_error(in_env, bad) -> None:
    with pytest.raises(PluginNameTypeError, match="asked for by name") as raised:
        load_vad(bad)
    assert isinstance(raised.value, (RegistryError, TypeError))
    with pytest.raises(PluginNameTypeError, match="vad= takes"):
        reply_on_pause(lambda audio: audio, vad=3)
    with pytest.raises(PluginNameTypeError):
        load_turn_taking(bad)


def test_a_missing_extra_of_the_handler_is_a_registry_error(in_env, monkeypatch) -> None:
    """stopwords without fastrtc[stt]: fastrtc's bare ImportError, wrapped with its install line."""
    if importlib.util.find_spec("moonshine_onnx") is not None:  # fastrtc[stt] is installed
        import fastrtc.reply_on_stopwords as stopwords_module

        def no_stt(*args: Any, **kwargs: Any) -> Any:
            raise ImportError("Install fastrtc[stt] for speech-to-text and stopword detection.")

        monkeypatch.setattr(stopwords_module, "get_stt_model", no_stt)
    with pytest.raises(PluginLoadError, match=r"'stopwords'.*not installed.*fastrtc\[stt\]"):
        reply_on_pause(lambda audio: audio, vad="energy", turn_taking="stopwords")
