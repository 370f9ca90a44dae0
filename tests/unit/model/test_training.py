"""The training loop's parts: trainable layers by regex, matterport's weight decay, optimizers, the one
training setup both step kinds share, NaN stops."""

from __future__ import annotations

import math

import pytest

tf = pytest.importorskip("tensorflow")
keras = pytest.importorskip("keras")

from maskkit.errors import ConfigError, TrainingDivergedError  # noqa: E402
from maskkit.config import LOSS_NAMES  # noqa: E402
from maskkit.model.batchnorm import BatchNorm  # noqa: E402
from maskkit.model.training import (check_finite, loss_scale, make_optimizer, trainable_layers,  # noqa: E402
                                    training_setup, weight_decay_penalty)
from tests.helpers import tiny_config  # noqa: E402


def small_model() -> keras.Model:
    inputs = keras.Input((3,))
    hidden = keras.layers.Dense(4, name="rpn_conv")(keras.layers.Dropout(0.1, name="mrcnn_drop")(inputs))
    return keras.Model(inputs, keras.layers.Dense(2, name="mrcnn_class")(hidden))


def test_trainable_layers_are_those_with_weights_whose_whole_name_matches():
    model = small_model()
    assert [layer.name for layer in trainable_layers(model, r"mrcnn\_.*")] == ["mrcnn_class"]
    assert [layer.name for layer in trainable_layers(model, ".*")] == ["rpn_conv", "mrcnn_class"]
    with pytest.raises(ConfigError, match="matches no layer with weights"):
        trainable_layers(model, "conv")
    with pytest.raises(ConfigError, match="argument layers: invalid layer regex"):
        trainable_layers(model, "(")


def test_weight_decay_is_the_decay_times_each_variables_mean_square():
    variables = [tf.Variable([[1.0, 3.0]]), tf.Variable([2.0])]
    assert float(weight_decay_penalty(variables, 0.1)) == pytest.approx(0.1 * 5.0 + 0.1 * 4.0)
    assert float(weight_decay_penalty(variables, 0.0)) == 0.0 and float(weight_decay_penalty([], 0.1)) == 0.0


def test_float16_training_scales_losses_and_other_precisions_do_not():
    plain = make_optimizer(tiny_config(), 0.01)
    assert isinstance(plain, keras.optimizers.SGD) and loss_scale(plain) == 1.0
    assert float(plain.learning_rate) == pytest.approx(0.01) and plain.momentum == tiny_config().LEARNING_MOMENTUM
    scaled = make_optimizer(tiny_config(PRECISION="mixed_float16"), 0.01)
    scaled.build([tf.Variable(1.0)])
    assert isinstance(scaled, keras.optimizers.LossScaleOptimizer) and float(loss_scale(scaled)) > 1.0


def test_auto_scales_losses_where_it_resolves_to_float16(monkeypatch):
    from maskkit.model import precision

    monkeypatch.setattr(precision, "cpu_flags", lambda: {"amx_bf16"})
    monkeypatch.setattr(precision, "gpu_capabilities", lambda: [(8, 0)])
    assert isinstance(make_optimizer(tiny_config(PRECISION="auto"), 0.01), keras.optimizers.LossScaleOptimizer)
    monkeypatch.setattr(precision, "gpu_capabilities", lambda: [])
    assert isinstance(make_optimizer(tiny_config(PRECISION="auto"), 0.01), keras.optimizers.SGD)


def test_the_training_setup_trains_the_chosen_layers_with_the_configs_weights_clip_and_decay():
    inputs = keras.Input((3,))
    normed = BatchNorm(name="mrcnn_bn")(keras.layers.Dense(4, name="rpn_conv")(inputs))
    model = keras.Model(inputs, keras.layers.Dense(2, name="mrcnn_class")(normed))
    config = tiny_config(LOSS_WEIGHTS={"mrcnn_mask_loss": 2.0}, GRADIENT_CLIP_NORM=3.0, WEIGHT_DECAY=0.5)
    setup = training_setup(model, config, r"mrcnn\_.*", 0.01)
    assert [v.path for v in setup.variables] == [v.path for name in ("mrcnn_bn", "mrcnn_class")
                                                 for v in model.get_layer(name).trainable_weights]
    assert [v.path for v in setup.decayed] == [v.path for v in model.get_layer("mrcnn_class").trainable_weights]
    assert setup.optimizer.built and float(setup.optimizer.learning_rate) == pytest.approx(0.01)
    assert (setup.clip, setup.decay, setup.clip_norm()) == (3.0, 0.5, 3.0)
    losses = {name: tf.constant(1.0) for name in LOSS_NAMES}
    assert float(setup.weighted_loss(losses)) == pytest.approx(len(LOSS_NAMES) + 1.0)


def test_a_non_finite_loss_stops_training_naming_it():
    check_finite({"loss": 1.5}, epoch=2, step=4)
    with pytest.raises(TrainingDivergedError, match=r"epoch 2, validation step 4: mrcnn_mask_loss=nan") as info:
        check_finite({"loss": 1.5, "mrcnn_mask_loss": math.nan}, epoch=2, step=4, phase="validation")
    assert info.value.losses.keys() == {"mrcnn_mask_loss"}


def test_an_error_mid_epoch_starts_on_its_own_line(capsys, tmp_path):
    """A data error raised while the progress bar is mid-line must not be glued to it."""
    from types import SimpleNamespace

    from maskkit.errors import DatasetError
    from maskkit.model.training import run_epochs

    def batches(epoch):
        yield {}
        raise DatasetError("CocoDataset image 7: loading failed")

    from maskkit.config import LOSS_NAMES

    losses = {name: tf.constant(1.0) for name in ("loss", *LOSS_NAMES)}
    steps = SimpleNamespace(train_step=lambda batch: losses, optimizer=SimpleNamespace(learning_rate=tf.Variable(0.1)))
    with pytest.raises(DatasetError):
        run_epochs(steps, tiny_config(STEPS_PER_EPOCH=3), batches, None, 0, 1, lambda epoch: tmp_path,
                   tmp_path, {}, verbose=1)
    assert capsys.readouterr().out.endswith("\n")
