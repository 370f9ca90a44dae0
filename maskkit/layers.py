"""Keras layers maskkit offers to backbone plugins (importing this module imports TensorFlow)."""

from maskkit.model.batchnorm import BatchNorm

__all__ = ["BatchNorm"]
