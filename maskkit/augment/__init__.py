"""Augmenters that move instance masks with their pixels: contract, combinators and spec builder."""

from maskkit.augment.base import TARGETS, Augmenter, augmenters, check_augmenter_contract
from maskkit.augment.from_spec import build_augmenters
from maskkit.augment.combinators import Compose, OneOf, Sequential, Sometimes

__all__ = ["TARGETS", "Augmenter", "Compose", "OneOf", "Sequential", "Sometimes", "augmenters", "build_augmenters",
           "check_augmenter_contract"]
