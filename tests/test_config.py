"""The one options object: defaults, range checks, files, and --only/--skip."""
from __future__ import annotations

import json
from dataclasses import fields

import pytest

from dedupe.config import CATEGORIES, Config
from dedupe.errors import ConfigError


def test_every_setting_has_help_and_a_checked_default():
    config = Config()
    helps = Config.help()
    for f in fields(Config):
        assert f.metadata["help"], f.name
        assert helps[f.name].startswith(f.metadata["help"]) and "default" in helps[f.name]
        if f.metadata["lo"] is not None:
            assert f.metadata["lo"] <= getattr(config, f.name) <= f.metadata["hi"], f.name


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"near_threshold": 0.05}, "near_threshold must be between 0.1 and 1.0, not 0.05"),
        ({"near_threshold": float("inf")}, "near_threshold must be between 0.1 and 1.0, not inf"),
        ({"shingle_size": 11}, "shingle_size must be between 1 and 10, not 11"),
        ({"shingle_size": 2.5}, "shingle_size must be a whole number, not 2.5"),
        ({"shingle_size": True}, "shingle_size must be a number, not True"),
        ({"min_repeat_words": "4"}, "min_repeat_words must be a number, not '4'"),
        ({"keep": "last"}, "keep must be one of first, longest, none, not 'last'"),
        ({"keep": 1}, "keep must be a string, not 1"),
        ({"only": 3}, "only must be a list of categories, not 3"),
        ({"skip": ["repeat", 2]}, "skip must be a list of categories, not ['repeat', 2]"),
        ({"encoding": "nope-8"}, "encoding: unknown codec 'nope-8' (try utf-8 or latin-1)"),
    ],
)
def test_bad_values_are_rejected_with_their_range(changes, message):
    with pytest.raises(ConfigError) as e:
        Config(**changes)
    assert str(e.value) == message


def test_a_whole_float_becomes_an_int():
    config = Config(shingle_size=4.0, num_perm=64.0)
    assert config.shingle_size == 4 and type(config.shingle_size) is int and type(config.num_perm) is int


def test_unknown_category_gets_a_suggestion():
    with pytest.raises(ConfigError) as e:
        Config(skip=("near_repeat",))
    assert str(e.value).startswith("skip: unknown category 'near_repeat' (did you mean 'near-repeat'?); known: chrome, ")


def test_only_and_skip_choose_categories():
    config = Config(only="chrome, repeat", skip=["chrome:credits"])
    assert config.only == ("chrome", "repeat")
    assert config.wants("repeat") and config.wants("chrome:paywall")
    assert not config.wants("chrome:credits") and not config.wants("near-repeat")
    assert all(Config().wants(c) for c in CATEGORIES)


def test_unknown_key_is_rejected_by_name_with_did_you_mean(tmp_path):
    path = tmp_path / "c.json"
    path.write_text(json.dumps({"containment_treshold": 0.9}))
    with pytest.raises(ConfigError) as e:
        Config.from_file(path)
    assert str(e.value).startswith(
        f"{path}: unknown setting 'containment_treshold' (did you mean 'containment_threshold'?); known settings: "
    )


def test_toml_and_json_files_give_the_same_config(tmp_path):
    (tmp_path / "c.toml").write_text('min-near-words = 10\nonly = ["repeat", "chrome"]\nseed = 7\n')
    (tmp_path / "c.json").write_text('{"min_near_words": 10, "only": ["repeat", "chrome"], "seed": 7}')
    a, b = Config.from_file(tmp_path / "c.toml"), Config.from_file(tmp_path / "c.json")
    assert a == b == Config(min_near_words=10, only=("repeat", "chrome"), seed=7)


def test_to_json_reads_back():
    config = Config(near_threshold=0.9, skip=("chrome:credits",), keep="longest")
    assert Config.from_mapping(json.loads(json.dumps(config.to_json()))) == config


def test_replace_checks_again():
    with pytest.raises(ConfigError, match="min_near_words must be between 2 and 1000, not 1"):
        Config().replace(min_near_words=1)


def test_a_changed_copy_chooses_by_its_own_only_and_skip():
    """Which categories a config wants is worked out once, when it is made: a copy made by replace works it out again."""
    base = Config(skip=("repeat",))
    assert not base.wants("repeat") and base.wants("chrome:legal")
    changed = base.replace(skip=("chrome",))
    assert changed.wants("repeat") and not changed.wants("chrome:legal") and changed.wants("corpus-repeat")
    assert not Config(only=("chrome:legal",)).wants("chrome:paywall")
