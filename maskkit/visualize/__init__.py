"""Headless pictures: detections, masks, anchors and charts as RGB uint8 arrays (OpenCV, no TensorFlow).

Every public function returns an HxWx3 uint8 RGB image and, given ``path=``, also writes it as a
PNG atomically. ``draw`` holds the primitives, ``instances`` the instance pictures, ``plots`` the
charts and ``area_histogram`` the mask-area histogram. This package only draws: it imports nothing
of the data path, whose walk-through (``maskkit inspect``) is maskkit.data.walkthrough.
"""

from maskkit.visualize.draw import apply_mask, random_colors
from maskkit.visualize.instances import (
    display_detections,
    display_images,
    display_instances,
    display_top_masks,
    draw_boxes,
    enlarge,
)
from maskkit.visualize.area_histogram import draw_area_histogram
from maskkit.visualize.plots import plot_loss_curves, plot_overlaps, plot_precision_recall

__all__ = [
    "random_colors",
    "apply_mask",
    "display_instances",
    "display_detections",
    "display_top_masks",
    "display_images",
    "draw_boxes",
    "enlarge",
    "plot_precision_recall",
    "plot_overlaps",
    "plot_loss_curves",
    "draw_area_histogram",
]
