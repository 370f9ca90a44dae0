"""What a data check can find: one Finding per problem, each with a severity and a stable code."""

from __future__ import annotations

import json
from typing import Any

import attrs

ERROR, WARNING, INFO = "error", "warning", "info"
SEVERITIES = (ERROR, WARNING, INFO)

#: code -> (severity, what it means); docs/data-check.md lists the same table.
CODES: dict[str, tuple[str, str]] = {
    "no-images": (ERROR, "the dataset has no images"),
    "no-classes": (ERROR, "the dataset declares no classes besides BG"),
    "unreadable-image": (ERROR, "the image file is missing or cannot be decoded, or load_image failed"),
    "bad-image": (ERROR, "load_image returned something other than uint8 HxWx3"),
    "unreadable-mask": (ERROR, "load_mask failed or returned something other than (masks, class_ids) arrays"),
    "bad-mask-dtype": (ERROR, "masks are neither bool nor 0/1 integers"),
    "mask-count-mismatch": (ERROR, "the number of masks differs from the number of class ids"),
    "mask-size-mismatch": (ERROR, "the mask size differs from the image size"),
    "annotated-size-mismatch": (WARNING, "the width/height the annotations give differ from the decoded image "
                                         "(an EXIF-rotated photo labelled as stored swaps them)"),
    "class-id-out-of-range": (ERROR, "a class id is 0 (BG) or beyond the declared classes"),
    "duplicate-image-id": (ERROR, "two images share a source and source id"),
    "duplicate-image-path": (WARNING, "two images point at the same file"),
    "leaked-image": (WARNING, "an image of one split is identical to an image of another (validation figures lie)"),
    "near-duplicate-image": (WARNING, "an image of one split is nearly identical to an image of another"),
    "no-instances": (WARNING, "the image has no instances (it only teaches background)"),
    "empty-mask": (WARNING, "an instance mask has no pixels"),
    "tiny-mask": (WARNING, "an instance mask has fewer pixels than the tiny-mask limit"),
    "duplicate-instances": (WARNING, "two instances of an image overlap with mask IoU above the limit (0.5)"),
    "too-many-instances": (WARNING, "the image has more instances than MAX_GT_INSTANCES; training drops some"),
    "large-image": (WARNING, "the image has more pixels than the large-image limit"),
    "unused-class": (WARNING, "a declared class has no instance in the checked images"),
    "unknown-class": (WARNING, "the loader dropped annotations whose class is not declared"),
    "unknown-image": (WARNING, "the loader dropped annotations whose image id is not among the images"),
    "skipped-annotation": (WARNING, "the loader dropped annotations (for example with empty masks)"),
    "bad-annotation": (WARNING, "an annotation has a negative area or box (COCO evaluation misplaces it)"),
    "annotation-problem": (WARNING, "another flaw the loader reports in its annotations"),
    "grayscale-image": (INFO, "the file is grayscale; it is converted to RGB on load"),
    "alpha-image": (INFO, "the file has an alpha channel; it is dropped on load"),
    "exif-orientation": (INFO, "the file carries an EXIF orientation; it is applied on load, as photo viewers do"),
}


@attrs.frozen
class Finding:
    """One problem: severity, code, readable message, and the image (internal id and file) if any."""

    severity: str
    code: str
    message: str
    image_id: int | None = None
    file: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly form."""
        return attrs.asdict(self)


def finding(code: str, message: str, image_id: int | None = None, file: str | None = None) -> Finding:
    """A Finding with the severity registered for ``code``.

    Args:
        code: a key of CODES.
        message: the readable description of this occurrence.
        image_id: the image's internal id, or None for a dataset-wide finding.
        file: the image's file, or None if unknown or not about one image.
    """
    return Finding(CODES[code][0], code, message, image_id, file)


class JsonReport:
    """A report whose JSON form is its ``to_dict()``: the data check's per-split and all-splits reports."""

    def to_dict(self) -> dict[str, Any]:
        """The whole report as JSON-friendly data."""
        raise NotImplementedError(f"{type(self).__name__} must implement to_dict()")

    def to_json(self, indent: int | None = 2) -> str:
        """The report as a JSON string.

        Args:
            indent: json.dumps indentation; None for one line.
        """
        return json.dumps(self.to_dict(), indent=indent)
