"""Loss curves: losses only, at absolute epochs, on a log axis when it helps, drawn after every epoch."""

from __future__ import annotations

import numpy as np
import pytest


def test_loss_curves_plot_losses_only_at_absolute_epochs_on_a_log_axis_when_it_helps(tmp_path):
    from maskkit.loss_curves import loss_table, wants_log_scale

    history = {"loss": {3: 8.0, 4: 2.0, 5: 0.5}, "val_loss": {3: 9.0, 5: 1.0}, "epoch_seconds": {3: 60.0}}
    epochs, table = loss_table(history)
    assert epochs == [3, 4, 5] and list(table) == ["loss", "val_loss"]
    assert np.isnan(table["val_loss"][1]) and table["val_loss"][2] == 1.0
    assert wants_log_scale(table)
    assert not wants_log_scale(loss_table({"loss": {1: 2.0, 2: 1.0}})[1])


class FakeSteps:
    """Stands in for StepFunctions: losses that fall each step, and an optimizer with a rate."""

    def __init__(self) -> None:
        import tensorflow as tf

        from maskkit.config import LOSS_NAMES

        self.names, self.calls = ("loss", *LOSS_NAMES), 0
        self.optimizer = type("Optimizer", (), {"learning_rate": tf.Variable(0.01)})()
        self.eval_step = self.train_step

    def train_step(self, batch) -> dict:
        self.calls += 1
        return {name: 4.0 / self.calls for name in self.names}


def test_an_interrupted_run_has_loss_curves_of_its_finished_epochs(tmp_path):
    pytest.importorskip("tensorflow")
    from maskkit.model.training import run_epochs
    from tests.helpers import tiny_config

    def batches(epoch: int):
        for step in range(3):
            if epoch == 2 and step == 1:
                raise KeyboardInterrupt
            yield {}

    config = tiny_config(STEPS_PER_EPOCH=3, VALIDATION_STEPS=1)
    saved = []
    with pytest.raises(KeyboardInterrupt):
        run_epochs(FakeSteps(), config, batches, batches, 0, 3, lambda epoch: saved.append(epoch) or tmp_path / "ck",
                   tmp_path, {}, verbose=0)
    assert saved == [1] and (tmp_path / "loss_curves.png").is_file()


def test_a_picture_that_cannot_be_written_warns_and_training_goes_on(tmp_path, monkeypatch, capsys):
    from maskkit import loss_curves

    def full_disk(run_dir):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(loss_curves, "write_loss_curves", full_disk)
    assert loss_curves.refresh_loss_curves(tmp_path) is None
    assert "loss_curves.png not updated: [Errno 28] No space left on device" in capsys.readouterr().err
