"""Loss curves: losses only, at absolute epochs, on a log axis when it helps."""

from __future__ import annotations

import numpy as np


def test_loss_curves_plot_losses_only_at_absolute_epochs_on_a_log_axis_when_it_helps(tmp_path):
    from maskkit.loss_curves import loss_table, wants_log_scale

    history = {"loss": {3: 8.0, 4: 2.0, 5: 0.5}, "val_loss": {3: 9.0, 5: 1.0}, "epoch_seconds": {3: 60.0}}
    epochs, table = loss_table(history)
    assert epochs == [3, 4, 5] and list(table) == ["loss", "val_loss"]
    assert np.isnan(table["val_loss"][1]) and table["val_loss"][2] == 1.0
    assert wants_log_scale(table)
    assert not wants_log_scale(loss_table({"loss": {1: 2.0, 2: 1.0}})[1])
