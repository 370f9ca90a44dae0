"""The Mask R-CNN model on TensorFlow 2 / Keras 3: graph layers, heads, losses, training, detection.

Importing this package is light; TensorFlow loads with its submodules (``maskkit.model.maskrcnn``).
"""
