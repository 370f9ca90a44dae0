"""A dataset plugin's recommendations (preset, arguments per split, epochs, default dataset), read from its registration."""

from __future__ import annotations

import pytest

from maskkit import ConfigError, PluginError, hookimpl, plugins
from maskkit.dataset_recommendation import DatasetRecommendation, default_dataset, recommendation


class Plugin:
    """Registers dataset ``petri`` with the given register keywords."""

    def __init__(self, **metadata) -> None:
        self.metadata = metadata

    @hookimpl
    def maskkit_register_datasets(self, register):
        register("petri", lambda **kwargs: None, **self.metadata)


@pytest.fixture
def petri():
    def register(**metadata) -> None:
        plugins.register_plugin(Plugin(**metadata), name="petri_plugin")

    yield register
    plugins.unregister_plugin("petri_plugin")


def test_the_built_in_example_dataset_recommends_what_train_does_without_arguments():
    assert recommendation("shapes") == DatasetRecommendation("shapes", {"count": 2000}, {"count": 50}, 8)
    assert default_dataset() == "shapes"


def test_unknown_and_silent_datasets_recommend_nothing(petri):
    petri()
    assert recommendation(None) == recommendation("nope") == recommendation("petri") == DatasetRecommendation()


def test_a_mistyped_recommendation_names_the_dataset_and_plugin(petri):
    petri(epochs="8")
    with pytest.raises(PluginError, match="dataset 'petri' from plugin 'petri_plugin': register's epochs= must be"):
        recommendation("petri")


def test_two_default_datasets_or_none_are_an_error_asking_for_one(petri, monkeypatch):
    petri(default_dataset=True)
    with pytest.raises(ConfigError, match="several datasets declare default_dataset=True: 'petri'.*'shapes'"):
        default_dataset()
    plugins.unregister_plugin("petri_plugin")
    monkeypatch.setenv("MASKKIT_DISABLE_PLUGINS", "shapes")
    plugins.reset()
    try:
        with pytest.raises(ConfigError, match="no registered dataset is the default; name one"):
            default_dataset()
    finally:
        monkeypatch.delenv("MASKKIT_DISABLE_PLUGINS")
        plugins.reset()
