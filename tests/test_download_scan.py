"""PKG007's static scan follows calls from construction to the download."""

from __future__ import annotations

import textwrap
from pathlib import Path

from fastrtc_registry.validation.download_scan import scan_downloads

PLUGINS = Path(__file__).parent / "plugins"


def _sources(files: dict[str, str]) -> dict[str, str]:
    return {name: textwrap.dedent(text) for name, text in files.items()}


# Shaped like humaware-vad: the constructor reaches hf_hub_download through a helper method.
HUMAWARE = _sources(
    {
        "hum/__init__.py": """
    from huggingface_hub import hf_hub_download
    import onnxruntime

    class Base:
        def _path(self, name):
            return hf_hub_download("someone/weights", name)

    class HumAware(Base):
        def __init__(self, model=None):
            self.session = self._load(model)

        def _load(self, model):
            return onnxruntime.InferenceSession(model or self._path("vad.onnx"))

        def reload(self):
            from .extra import fetch_more
            return fetch_more()

    def make():
        return HumAware()
    """,
        "hum/extra.py": """
    import urllib.request

    def fetch_more():
        return urllib.request.urlopen("http://127.0.0.1/x")
    """,
    }
)


def test_a_download_reached_through_helper_methods_is_found() -> None:
    found = scan_downloads(HUMAWARE, "hum:HumAware")
    (download,) = found.at_build
    assert download.describe() == (
        "hum/__init__.py:7 hf_hub_download() "
        "(via HumAware.__init__ -> HumAware._load -> Base._path)"
    )
    assert found.scanned == ("hum/__init__.py",)


def test_a_factory_function_is_followed_into_the_class() -> None:
    found = scan_downloads(HUMAWARE, "hum:make")
    assert [d.line for d in found.at_build] == [7]
    assert found.at_build[0].via[0] == "HumAware.__init__"


def test_helpers_imported_from_the_package_are_followed() -> None:
    sources = _sources(
        {
            "pkg/__init__.py": """
        from .weights import download

        class Model:
            def __init__(self):
                self.blob = download()
        """,
            "pkg/weights.py": """
        import requests

        def download():
            return requests.get("http://127.0.0.1/w").content
        """,
        }
    )
    found = scan_downloads(sources, "pkg:Model")
    assert [d.describe() for d in found.at_build] == [
        "pkg/weights.py:5 requests.get() (via Model.__init__ -> download)"
    ]


def test_a_download_only_on_first_use_is_a_later_hint() -> None:
    sources = _sources(
        {
            "lazy/__init__.py": """
        from huggingface_hub import hf_hub_download

        class Lazy:
            def __init__(self):
                self.session = None

            def vad(self, audio, options):
                if self.session is None:
                    self.session = hf_hub_download("someone/w", "m.onnx")
        """,
        }
    )
    found = scan_downloads(sources, "lazy:Lazy")
    assert found.at_build == ()
    assert [d.describe() for d in found.later] == ["lazy/__init__.py:10 hf_hub_download()"]


def test_module_level_and_nested_definitions() -> None:
    sources = _sources(
        {
            "eager.py": """
        import urllib.request
        DATA = urllib.request.urlretrieve("http://127.0.0.1/d")

        class Model:
            def __init__(self):
                def later():
                    return urllib.request.urlopen("http://127.0.0.1/x")
                self.later = later
        """,
        }
    )
    found = scan_downloads(sources, "eager:Model")
    assert [d.describe() for d in found.at_build] == ["eager.py:3 urllib.request.urlretrieve()"]
    assert [d.line for d in found.later] == [8]


def test_recursion_and_unparsable_sources_end() -> None:
    sources = _sources(
        {
            "loop.py": """
        class Model:
            def __init__(self):
                self.a()
            def a(self):
                self.b()
            def b(self):
                self.a()
        """,
        }
    )
    sources["broken.py"] = "def (:"
    assert scan_downloads(sources, "loop:Model").at_build == ()
    assert scan_downloads(sources, "broken:Model").scanned == ()


def test_the_net_fixture_is_caught_by_the_static_check() -> None:
    from fastrtc_registry.suite import judge_package
    from fastrtc_registry.validation.distribution import DeclaredPlugin, PackageInfo

    root = PLUGINS / "net_helper_download"
    files = {
        p.relative_to(root).as_posix(): p.read_text()
        for p in (root / "fastrtc_net_helper_download").rglob("*.py")
    }
    found = scan_downloads(files, "fastrtc_net_helper_download:HelperDownloadVAD")
    assert [d.call for d in found.at_build] == ["urllib.request.urlopen"]
    assert found.at_build[0].via == (
        "HelperDownloadVAD.__init__",
        "HelperDownloadVAD._weights",
        "HelperDownloadVAD._fetch",
    )
    assert callable(judge_package) and DeclaredPlugin and PackageInfo
