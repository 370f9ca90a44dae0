"""Charts: the PR curve's input check, empty losses, loss curves with dashed validation lines and the
legend beside the plot."""

from __future__ import annotations

import numpy as np
import pytest

from maskkit.visualize.plots import plot_loss_curves, plot_precision_recall
from tests.helpers import assert_rgb


def test_precision_recall_needs_matching_lengths_and_empty_losses_say_so():
    with pytest.raises(ValueError, match="differ in length"):
        plot_precision_recall(0.5, np.array([1.0, 0.5]), np.array([0.5]))
    assert_rgb(plot_loss_curves({}))
    assert not np.array_equal(plot_loss_curves({}), plot_loss_curves({"loss": [2.0, 1.0]}))


def colour_mask(image: np.ndarray, color: tuple[int, int, int]) -> np.ndarray:
    return np.all(np.abs(image.astype(int) - color) <= 40, axis=-1)


def test_validation_lines_are_dashed_and_training_lines_solid():
    from maskkit.visualize.chart_layout import PALETTE

    def covered_share(name: str) -> float:
        image = plot_loss_curves({name: [1.0] * 10}, epochs=list(range(1, 11)))
        mask = colour_mask(image[:, 100:600], PALETTE[0])
        return mask[int(np.argmax(mask.sum(axis=1)))].mean()

    assert covered_share("loss") == 1.0
    assert 0.4 < covered_share("val_loss") < 0.75


def test_the_legend_sits_beside_the_plot_and_hides_no_epoch():
    from maskkit.visualize.chart_layout import PALETTE

    losses = ["loss", "rpn_class_loss", "rpn_bbox_loss", "mrcnn_class_loss", "mrcnn_bbox_loss", "mrcnn_mask_loss"]
    history = {name: [0.1 + 0.01 * k] * 20 for k, name in enumerate(losses)}
    history.update({f"val_{name}": [0.12 + 0.01 * k] * 20 for k, name in enumerate(losses)})
    history["loss"] = [0.1] * 19 + [2.0]  # the last epoch reaches the plot's top right corner
    image = plot_loss_curves(history, epochs=list(range(1, 21)))
    title = image.shape[0] - 420
    panel = image[title:, 632:]
    assert all(colour_mask(panel, PALETTE[k]).any() for k in range(6))
    assert colour_mask(image[title:title + 180, 600:619], PALETTE[0]).any()  # the last point shows
