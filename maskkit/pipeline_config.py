"""Fitting a config to a dataset so NUM_CLASSES can never silently disagree with the class list."""

from __future__ import annotations

from maskkit.config import Config
from maskkit.dataset import Dataset
from maskkit.errors import ConfigError


def fit_config_to_dataset(config: Config, dataset: Dataset, explicit: bool = False) -> Config:
    """Adopt the dataset's class count; if the user set NUM_CLASSES explicitly, it must agree."""
    if config.NUM_CLASSES == dataset.num_classes:
        return config
    if explicit:
        raise ConfigError("NUM_CLASSES", f"is {config.NUM_CLASSES} but dataset {dataset.name} has "
                          f"{dataset.num_classes} classes including BG: {', '.join(dataset.class_names)}")
    return config.replace(NUM_CLASSES=dataset.num_classes)
