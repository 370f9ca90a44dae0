"""The Dataset base class, with matterport's semantics: classes and images from any number of sources.

Subclass it and implement ``load_mask`` (and ``load_image`` when images are not files) and
``image_reference``; call ``prepare()`` before use. Class 0 is always "BG".
"""

from __future__ import annotations

from typing import Any

import attrs
import numpy as np

from maskkit.errors import DatasetError, PluginError
from maskkit.registry import Registry


@attrs.frozen
class AnnotationProblem:
    """A flaw a loader found in its annotations, reported by ``maskkit data check``.

    ``code`` is the data check's code for it (docs/data-check.md: ``unknown-class``,
    ``unknown-image``, ``skipped-annotation``, ``bad-annotation``; any other is reported as
    ``annotation-problem``), ``message`` names the annotation ids and the file, and ``image_id`` is
    the internal image id when the flaw belongs to one image.
    """

    code: str
    message: str
    image_id: int | None = None


class Dataset:
    """A collection of images, their instance masks and the class list they draw from."""

    def __init__(self) -> None:
        self._image_ids: np.ndarray = np.zeros(0, dtype=np.int64)
        self.image_info: list[dict[str, Any]] = []
        self.class_info: list[dict[str, Any]] = [{"source": "", "id": 0, "name": "BG"}]
        self.source_class_ids: dict[str, list[int]] = {}
        self.is_prepared = False

    @property
    def name(self) -> str:
        """How error messages name this dataset."""
        return type(self).__name__

    # ----- building ---------------------------------------------------------------------
    def add_class(self, source: str, class_id: int, class_name: str) -> None:
        """Declare class ``class_id`` of ``source``; adding the same pair twice is a no-op.

        Args:
            source: the source's name, e.g. ``"coco"``; must not contain a dot.
            class_id: the class's id within ``source``.
            class_name: the class's display name.
        """
        if "." in source:
            raise DatasetError(f"{self.name}: source name {source!r} must not contain a dot")
        for info in self.class_info:
            if info["source"] == source and info["id"] == class_id:
                return
        self.class_info.append({"source": source, "id": class_id, "name": class_name})
        self.is_prepared = False

    def add_image(self, source: str, image_id: Any, path: Any, **kwargs: Any) -> None:
        """Declare an image; extra keyword arguments are kept in its info dict.

        Args:
            source: the source's name, as in :meth:`add_class`.
            image_id: the image's id within ``source``.
            path: the image file's path or URL; None when ``load_image`` is overridden.
            kwargs: further fields of the image's info dict (e.g. ``width``, ``annotations``).
        """
        info = {"id": image_id, "source": source, "path": path}
        info.update(kwargs)
        self.image_info.append(info)
        self.is_prepared = False

    def prepare(self, class_map: dict | None = None) -> None:
        """Build the internal tables (class names, ids, source maps); call after adding.

        Args:
            class_map: accepted for matterport compatibility and not used.
        """

        def clean_name(name: str) -> str:
            return ",".join(name.split(",")[:1])

        self.num_classes = len(self.class_info)
        self.class_ids = np.arange(self.num_classes)
        self.class_names = [clean_name(c["name"]) for c in self.class_info]
        self.num_images = len(self.image_info)
        self._image_ids = np.arange(self.num_images)
        self.class_from_source_map = {
            f"{info['source']}.{info['id']}": cid for info, cid in zip(self.class_info, self.class_ids)
        }
        self.image_from_source_map = {
            f"{info['source']}.{info['id']}": iid for info, iid in zip(self.image_info, self.image_ids)
        }
        self.sources = sorted({info["source"] for info in self.class_info})
        self.source_class_ids = {}
        for source in self.sources:
            self.source_class_ids[source] = [
                i for i, info in enumerate(self.class_info) if i == 0 or source == info["source"]
            ]
        self.is_prepared = True

    # ----- lookups ----------------------------------------------------------------------
    @property
    def image_ids(self) -> np.ndarray:
        """Internal ids 0..N-1 of all images."""
        return self._image_ids

    def map_source_class_id(self, source_class_id: str) -> int:
        """``"coco.12"`` -> the internal class id.

        Args:
            source_class_id: ``"<source>.<id>"``; an unknown one is a DatasetError.
        """
        self._require_prepared()
        try:
            return int(self.class_from_source_map[source_class_id])
        except KeyError:
            known = ", ".join(sorted(self.class_from_source_map)) or "none"
            raise DatasetError(f"{self.name}: unknown source class {source_class_id!r}; known: {known}") from None

    def get_source_class_id(self, class_id: int, source: str) -> Any:
        """The source's own id of internal class ``class_id``."""
        info = self.class_info[class_id]
        if info["source"] != source:
            raise DatasetError(f"{self.name}: class {class_id} belongs to source {info['source']!r}, not {source!r}")
        return info["id"]

    def source_image_link(self, image_id: int) -> Any:
        """The path or URL of an image, for display.

        Args:
            image_id: internal image id.
        """
        return self.image_info[image_id]["path"]

    def image_reference(self, image_id: int) -> str:
        """A human-readable reference to the image (path, URL or description).

        Args:
            image_id: internal image id.
        """
        info = self.image_info[image_id]
        return str(info["path"]) if info.get("path") is not None else f"{info['source']}:{info['id']}"

    def describe_image(self, image_id: int) -> str:
        """How error messages name an image: internal id, source id and reference.

        Args:
            image_id: internal image id (out of range still gives a description).
        """
        try:
            ref = self.image_reference(image_id)
        except Exception:  # the reference is only decoration for an error message
            ref = "?"
        info = self.image_info[image_id] if 0 <= image_id < len(self.image_info) else {}
        return f"{self.name} image {image_id} (source id {info.get('id')!r}, {ref})"

    # ----- data -------------------------------------------------------------------------
    def load_image(self, image_id: int) -> np.ndarray:
        """Read the image at ``path`` as RGB uint8 HxWx3, upright by its EXIF orientation (grayscale and RGBA
        converted), as photo viewers and labelling tools show it.

        Args:
            image_id: internal image id; an image without ``path`` is a DatasetError.
        """
        from maskkit.imageio import read_image_rgb

        path = self.image_info[image_id].get("path")
        if path is None:
            raise DatasetError(f"{self.describe_image(image_id)} has no path; override load_image")
        return read_image_rgb(path, who=self.describe_image(image_id))

    def load_mask(self, image_id: int) -> tuple[np.ndarray, np.ndarray]:
        """Instance masks (bool HxWxN) and class ids (int32 N); the base class has none.

        Args:
            image_id: internal image id.

        Returns:
            (masks bool [H, W, N], class ids int32 [N]; negative ids mark crowd regions).
        """
        return np.empty((0, 0, 0), dtype=bool), np.empty(0, dtype=np.int32)

    def annotation_boxes(self, image_id: int) -> tuple[np.ndarray, np.ndarray]:
        """The instances' boxes and class ids without decoding the image, for statistics and planning.

        Override it where the annotations store boxes (COCO's ``bbox``) to skip decoding masks; the
        default derives them from ``load_mask``. Instances whose mask is empty are left out, as
        training drops them; crowd regions keep their negative class ids.

        Args:
            image_id: internal image id.

        Returns:
            (boxes float32 [N, (y1, x1, y2, x2)] in image pixels, y2/x2 exclusive; class ids int32 [N]).
        """
        from maskkit.utils.box_math import extract_bboxes

        self._require_prepared()
        mask, class_ids = self.load_mask(image_id)
        image_hw = mask.shape[:2] if isinstance(mask, np.ndarray) and mask.ndim == 3 else (0, 0)
        mask, class_ids = check_mask(mask, class_ids, image_hw, self.num_classes, self.describe_image(image_id))
        boxes = extract_bboxes(mask)
        present = boxes[:, 2] > boxes[:, 0]
        return boxes[present].astype(np.float32), class_ids[present]

    def annotation_problems(self) -> list[AnnotationProblem]:
        """Annotations the loader left out or kept despite a flaw, for ``maskkit data check`` to report.

        A loader that drops annotations silently hides a problem from the user; override this to say
        what it dropped and why. The base class records none.

        Returns:
            One AnnotationProblem per kind of flaw, its message naming the annotations concerned.
        """
        return []

    def load_checked(self, image_id: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``load_image`` + ``load_mask``, checked against the contract; errors name the image.

        Args:
            image_id: internal image id.

        Returns:
            (image uint8 [H, W, 3], masks bool [H, W, N], class ids int32 [N]).
        """
        self._require_prepared()
        who = self.describe_image(image_id)
        image = self.load_image(image_id)
        check_image(image, who)
        mask, class_ids = self.load_mask(image_id)
        mask, class_ids = check_mask(mask, class_ids, image.shape[:2], self.num_classes, who)
        return image, mask, class_ids

    def _require_prepared(self) -> None:
        if not self.is_prepared:
            raise DatasetError(f"{self.name}: call prepare() before using the dataset")

    def __len__(self) -> int:
        return len(self.image_info)


def check_image(image: Any, who: str) -> None:
    """Raise DatasetError unless ``image`` is a non-empty uint8 HxWx3 array.

    Args:
        image: what ``load_image`` returned.
        who: how the error message names the image (e.g. :meth:`Dataset.describe_image`).
    """
    if not isinstance(image, np.ndarray) or image.ndim != 3 or image.shape[2] != 3 or image.dtype != np.uint8:
        shape = getattr(image, "shape", None)
        dtype = getattr(image, "dtype", type(image).__name__)
        raise DatasetError(f"{who}: load_image must return uint8 HxWx3, got shape {shape} dtype {dtype}")
    if image.shape[0] == 0 or image.shape[1] == 0:
        raise DatasetError(f"{who}: load_image returned an empty image {image.shape}")


def check_mask(mask: Any, class_ids: Any, image_hw: tuple[int, int], num_classes: int,
               who: str) -> tuple[np.ndarray, np.ndarray]:
    """Validate ``load_mask`` output and normalise dtypes; raise DatasetError naming ``who``.

    Args:
        mask: the instance masks ``load_mask`` returned, HxWxN bool or 0/1 integers.
        class_ids: the class ids ``load_mask`` returned, 1-D integers, one per mask; negative for crowds.
        image_hw: (height, width) the masks must have; also the shape of the empty mask returned for none.
        num_classes: the dataset's class count, background included; ids must be within 1..num_classes-1.
        who: how the error message names the image.

    Returns:
        (masks bool [H, W, N], class ids int32 [N]).
    """
    if not isinstance(mask, np.ndarray) or not isinstance(class_ids, np.ndarray):
        raise DatasetError(f"{who}: load_mask must return two numpy arrays (mask, class_ids), "
                           f"got {type(mask).__name__} and {type(class_ids).__name__}")
    if class_ids.ndim != 1:
        raise DatasetError(f"{who}: class_ids must be 1-D, got shape {class_ids.shape}")
    if mask.size == 0 and class_ids.size == 0:
        return np.zeros((*image_hw, 0), dtype=bool), np.zeros(0, dtype=np.int32)
    if mask.ndim != 3:
        raise DatasetError(f"{who}: mask must be HxWxN, got shape {mask.shape}")
    if mask.dtype != bool and not (np.issubdtype(mask.dtype, np.integer) and mask.size and mask.max() <= 1
                                   and mask.min() >= 0):
        raise DatasetError(f"{who}: mask must be bool (or 0/1 integers), got dtype {mask.dtype}")
    if not np.issubdtype(class_ids.dtype, np.integer):
        raise DatasetError(f"{who}: class_ids must be integers, got dtype {class_ids.dtype}")
    if mask.shape[2] != class_ids.shape[0]:
        raise DatasetError(f"{who}: {mask.shape[2]} masks but {class_ids.shape[0]} class ids")
    if tuple(mask.shape[:2]) != tuple(image_hw):
        raise DatasetError(f"{who}: mask size {mask.shape[:2]} differs from image size {tuple(image_hw)}")
    bad = class_ids[(class_ids == 0) | (np.abs(class_ids) >= num_classes)]
    if bad.size:
        raise DatasetError(f"{who}: class id {int(bad[0])} is outside the dataset's classes 1..{num_classes - 1} "
                           f"(negative ids mark crowds)")
    return mask.astype(bool, copy=False), class_ids.astype(np.int32, copy=False)


def _check_dataset(name: str, obj: Any) -> None:
    """A dataset factory must return a maskkit.Dataset; it is prepared here if the factory did not."""
    if not isinstance(obj, Dataset):
        raise PluginError(f"dataset {name!r}: factory returned {type(obj).__name__}, not a maskkit.Dataset")
    if not obj.is_prepared:
        obj.prepare()


#: Dataset factories registered through ``maskkit_register_datasets``.
datasets = Registry("dataset", _check_dataset)
