from __future__ import annotations

from typing import Any, ClassVar

import pytest

from fastrtc_registry.validation.tags import (
    InvalidTagsError,
    Tags,
    class_tags,
    merge_tags,
    parse_tags,
    pyproject_tags,
)


def test_defaults_describe_a_pause_plugin() -> None:
    tags = parse_tags({})
    assert tags == Tags()
    assert tags.trigger == "pause"
    assert not tags.uses_stt
    assert not tags.declared
    assert tags.describe() == "a pause"


def test_class_attribute_is_merged_along_the_bases() -> None:
    class Base:
        __fastrtc_tags__: ClassVar[dict[str, Any]] = {
            "trigger": "keyword",
            "keywords": ["over"],
            "needs_network": True,
        }

    class Child(Base):
        __fastrtc_tags__: ClassVar[dict[str, Any]] = {"keywords": ["roger"]}

    class Plain(Child):
        pass

    tags = parse_tags(class_tags(Plain))
    assert tags.keywords == ("roger",)
    assert tags.needs_network is True
    assert tags.uses_stt
    assert tags.declared
    assert tags.describe() == "the keyword 'roger' at the end of the turn"


def test_keywords_alone_imply_the_keyword_trigger() -> None:
    tags = parse_tags({"keywords": "computer", "keyword-position": "start"})
    assert tags.trigger == "keyword"
    assert tags.keywords == ("computer",)
    assert tags.describe() == "the keyword 'computer' opening the turn"


# [tool.fastrtc-plugins] needs-network = true, [tool.fastrtc-plugins.walkie_talkie] ..., as read
PYPROJECT: dict[str, Any] = {
    "project": {"name": "fastrtc-two"},
    "tool": {
        "fastrtc-plugins": {
            "needs-network": True,
            "walkie_talkie": {"trigger": "keyword", "keywords": ["over"]},
        }
    },
}


def test_pyproject_shared_and_per_plugin_tables() -> None:
    data = PYPROJECT
    walkie = parse_tags(pyproject_tags(data, "walkie-talkie"), source="pyproject.toml")
    assert walkie.trigger == "keyword" and walkie.keywords == ("over",)
    assert walkie.needs_network is True
    other = parse_tags(pyproject_tags(data, "other"))
    assert other.trigger == "pause" and other.needs_network is True
    assert pyproject_tags({"project": {}}, "x") == {}


def test_class_attribute_wins_over_pyproject() -> None:
    data = PYPROJECT
    merged = merge_tags(pyproject_tags(data, "walkie-talkie"), {"keywords": ["roger"]})
    assert parse_tags(merged).keywords == ("roger",)


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        ({"triger": "pause"}, "unknown tag 'triger' (did you mean 'trigger'?)"),
        ({"trigger": "clap"}, "trigger must be one of 'pause', 'keyword', not 'clap'"),
        ({"trigger": "keyword"}, 'trigger = "keyword" needs keywords'),
        ({"keywords": []}, "keywords must be a non-empty list of words"),
        ({"keywords": [3]}, "keywords must be a non-empty list of words"),
        (
            {"trigger": "pause", "keywords": ["x"]},
            'keywords are only read with trigger = "keyword"',
        ),
        ({"needs_network": "yes"}, "needs_network must be true or false, not 'yes'"),
        ({"patience_s": 0}, "patience_s must be a number of seconds in (0, 30]"),
        ({"keyword_position": "middle"}, "keyword_position must be one of 'end', 'start'"),
    ],
)
def test_invalid_tags_say_what_is_wrong(raw, problem) -> None:
    with pytest.raises(InvalidTagsError) as info:
        parse_tags(raw, source="MyPlugin.__fastrtc_tags__")
    assert problem in str(info.value)
    assert str(info.value).startswith("MyPlugin.__fastrtc_tags__: ")


def test_every_problem_is_reported_at_once() -> None:
    with pytest.raises(InvalidTagsError) as info:
        parse_tags({"colour": "red", "stt": 1, "trigger": "clap"})
    assert len(info.value.problems) == 3


def test_a_tags_attribute_that_is_not_a_dict() -> None:
    class Odd:
        __fastrtc_tags__: ClassVar[list[str]] = ["keyword"]

    with pytest.raises(InvalidTagsError, match="__fastrtc_tags__ must be a dict, not list"):
        parse_tags(class_tags(Odd))


def test_the_worker_reads_pyproject_tags_from_its_environment(monkeypatch) -> None:
    from fastrtc_registry.validation.tags import TAGS_VARIABLE, environment_tags

    monkeypatch.setenv(TAGS_VARIABLE, '{"keywords": ["roger"]}')
    assert environment_tags() == {"keywords": ["roger"]}
    monkeypatch.setenv(TAGS_VARIABLE, "not json")
    assert environment_tags() == {}
    monkeypatch.delenv(TAGS_VARIABLE)
    assert environment_tags() == {}
