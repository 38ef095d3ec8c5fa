"""Target resolution (validation/targets.py): what each spelling of TARGET means."""

from __future__ import annotations

from pathlib import Path

import pytest

from fastrtc_registry.errors import ValidationTargetError
from fastrtc_registry.validation.targets import resolve_target


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda tmp: tmp / "missing.whl", "no such wheel file"),
        (lambda tmp: _file(tmp / "plugin.tar.gz"), "is not a wheel"),
        (lambda tmp: _folder(tmp / "empty"), "directory without pyproject.toml"),
        (lambda tmp: "./no-such-folder", "no such file or directory"),
    ],
    ids=["missing-wheel", "not-a-wheel", "bare-folder", "missing-path"],
)
def test_bad_targets_say_what_they_are(tmp_path: Path, make, message: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationTargetError, match=message), resolve_target(str(make(tmp_path))):
        pass


def _file(path: Path) -> Path:
    path.write_text("not a wheel")
    return path


def _folder(path: Path) -> Path:
    path.mkdir()
    return path


def test_a_wheel_is_installed_into_a_throwaway_environment_that_is_removed(
    plugin_wheels: dict[str, Path],
) -> None:
    wheel = plugin_wheels["energy_vad"]
    with resolve_target(str(wheel)) as resolved:
        ((package, plugin),) = resolved.plugins
        assert package is not None and package.name == "fastrtc-energy-vad"
        assert (plugin.name, plugin.kind) == ("energy", "vad")
        assert resolved.label == str(wheel)
        python = Path(resolved.python or "")
        assert python.is_file()  # the throwaway environment's interpreter
        assert resolved.host is not None and resolved.host.name == "fastrtc"
    assert not python.exists()


def test_an_installed_name_is_read_where_it_is(plugin_wheels: dict[str, Path]) -> None:
    # A built-in: nothing is installed, the plugin runs on this interpreter.
    with resolve_target("webrtc") as resolved:
        assert resolved.python is None
        names = {plugin.name for _, plugin in resolved.plugins}
        assert "webrtc" in names
