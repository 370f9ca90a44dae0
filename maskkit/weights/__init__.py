"""Weights import/export by layer name: native checkpoints, matterport/Keras 2 files, ImageNet backbones.

Only h5py and numpy are imported here; Keras is imported when a model is passed in.
"""

from maskkit.weights.classes import CLASS_HEAD_LAYERS, check_class_names, dataset_class_metadata
from maskkit.weights.imagenet import load_imagenet_backbone, matterport_resnet_name
from maskkit.weights.contents import format_inspection, inspect_weights
from maskkit.weights.loading import LoadReport, load_weights
from maskkit.weights.native import convert_weights, read_metadata, save_weights

__all__ = [
    "CLASS_HEAD_LAYERS", "LoadReport", "check_class_names", "convert_weights", "dataset_class_metadata",
    "format_inspection", "inspect_weights", "load_imagenet_backbone", "load_weights", "matterport_resnet_name",
    "read_metadata", "save_weights",
]
