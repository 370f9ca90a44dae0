"""Combinators that build one augmenter from several: Compose, Sometimes and OneOf."""

from __future__ import annotations

from typing import Sequence

import numpy as np

from maskkit.augment.base import Augmenter, check_augmenter_contract, check_output


def _targets_of(children: Sequence[Augmenter]) -> str:
    return "both" if any(child.targets == "both" for child in children) else "image"


def _checked(children: Sequence[Augmenter], who: str) -> list[Augmenter]:
    children = list(children)
    for i, child in enumerate(children):
        check_augmenter_contract(child, where=f"{who} item {i}")
    return children


class Compose(Augmenter):
    """Apply every child in order to the image and masks; moves masks if any child is geometric.

    Args:
        augmenters: the children, each checked against the Augmenter contract.
    """

    def __init__(self, augmenters: Sequence[Augmenter]) -> None:
        self.augmenters = _checked(augmenters, "Compose")
        self.targets = _targets_of(self.augmenters)

    def __call__(self, image: np.ndarray, masks: np.ndarray,
                 rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        for aug in self.augmenters:
            image, masks = check_output(aug, image, masks, aug(image, masks, rng))
        return image, masks

    def __len__(self) -> int:
        return len(self.augmenters)


Sequential = Compose


class Sometimes(Augmenter):
    """Apply ``augmenter`` with probability ``p`` (one rng draw decides), else pass both through."""

    def __init__(self, p: float, augmenter: Augmenter) -> None:
        if not 0.0 <= float(p) <= 1.0:
            raise ValueError(f"Sometimes: p must be within [0, 1], got {p}")
        self.p = float(p)
        self.augmenter = _checked([augmenter], "Sometimes")[0]
        self.targets = augmenter.targets

    def __call__(self, image: np.ndarray, masks: np.ndarray,
                 rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        if rng.random() < self.p:
            return check_output(self.augmenter, image, masks, self.augmenter(image, masks, rng))
        return image, masks


class OneOf(Augmenter):
    """Apply exactly one child, picked uniformly by the rng, to the image and masks.

    Args:
        augmenters: the children (at least one), each checked against the Augmenter contract.
    """

    def __init__(self, augmenters: Sequence[Augmenter]) -> None:
        self.augmenters = _checked(augmenters, "OneOf")
        if not self.augmenters:
            raise ValueError("OneOf needs at least one augmenter")
        self.targets = _targets_of(self.augmenters)

    def __call__(self, image: np.ndarray, masks: np.ndarray,
                 rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        aug = self.augmenters[int(rng.integers(len(self.augmenters)))]
        return check_output(aug, image, masks, aug(image, masks, rng))
