"""BatchNormalization that can be frozen in inference mode, as matterport's BatchNorm(training=False).

With small batches the batch statistics are noisy, so config.TRAIN_BN=False keeps the moving
statistics fixed even while the model trains; gamma and beta may still learn. When the
statistics do learn (training from scratch), a momentum of 0.9 rather than Keras' 0.99 lets
the moving averages catch up within a few dozen steps instead of hundreds.
"""

from __future__ import annotations

from typing import Any

import keras


class BatchNorm(keras.layers.BatchNormalization):
    """BatchNormalization that uses batch statistics only when ``learn_statistics`` and training."""

    def __init__(self, learn_statistics: bool = True, momentum: float = 0.9, **kwargs: Any) -> None:
        super().__init__(momentum=momentum, **kwargs)
        self.learn_statistics = bool(learn_statistics)

    def call(self, inputs: Any, training: Any = None, mask: Any = None) -> Any:
        return super().call(inputs, training=bool(training) and self.learn_statistics, mask=mask)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "learn_statistics": self.learn_statistics}
