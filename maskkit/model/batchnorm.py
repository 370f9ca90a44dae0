"""BatchNormalization that can be frozen in inference mode, as matterport's BatchNorm(training=False).

With small batches the batch statistics are noisy, so config.TRAIN_BN=False keeps the moving
statistics fixed even while the model trains; gamma and beta may still learn. When the
statistics do learn (training from scratch), a momentum of 0.9 rather than Keras' 0.99 lets
the moving averages catch up within a few dozen steps instead of hundreds.

Layers outside the set being trained (``layers="heads"``, ``"4+"``, ...) must not change at all,
moving statistics included, even with TRAIN_BN=True: the train step traces the model inside
``frozen_batchnorm(...)``, and a BatchNorm listed there runs in inference mode.
"""

from __future__ import annotations

import contextlib
import contextvars
from typing import Any, Iterable, Iterator

import keras

_FROZEN: contextvars.ContextVar[frozenset[int]] = contextvars.ContextVar("maskkit_frozen_batchnorm",
                                                                         default=frozenset())


@contextlib.contextmanager
def frozen_batchnorm(layers: Iterable[keras.layers.Layer]) -> Iterator[None]:
    """Within the block (i.e. while a step is traced), the given BatchNorm layers use and keep their
    moving statistics even when called with ``training=True``."""
    token = _FROZEN.set(frozenset(id(layer) for layer in layers))
    try:
        yield
    finally:
        _FROZEN.reset(token)


class BatchNorm(keras.layers.BatchNormalization):
    """BatchNormalization that uses batch statistics only when ``learn_statistics``, training, and
    not frozen by ``frozen_batchnorm``.

    Args:
        learn_statistics: whether training may update the moving statistics (config.TRAIN_BN).
        momentum: the moving averages' momentum (0.9, not Keras' 0.99).
        kwargs: passed to keras.layers.BatchNormalization.
    """

    def __init__(self, learn_statistics: bool = True, momentum: float = 0.9, **kwargs: Any) -> None:
        super().__init__(momentum=momentum, **kwargs)
        self.learn_statistics = bool(learn_statistics)

    def call(self, inputs: Any, training: Any = None, mask: Any = None) -> Any:
        """Normalise ``inputs``, with batch statistics only when they may be learned (see the class).

        Args:
            inputs: the tensor to normalise.
            training: Keras' training flag; batch statistics need it true.
            mask: passed to keras.layers.BatchNormalization.call.
        """
        learn = bool(training) and self.learn_statistics and id(self) not in _FROZEN.get()
        return super().call(inputs, training=learn, mask=mask)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "learn_statistics": self.learn_statistics}


def frozen_batchnorm_layers(model: keras.Model, trained: Iterable[keras.layers.Layer]) -> list[BatchNorm]:
    """The model's BatchNorm layers that are not among the ``trained`` layers."""
    chosen = {id(layer) for layer in trained}
    return [layer for layer in model.layers if isinstance(layer, BatchNorm) and id(layer) not in chosen]
