"""``maskkit detect``'s picture names follow the source file."""

from __future__ import annotations

from maskkit.cli.detect_cmd import _picture_stem


def test_detection_pictures_are_named_after_the_source_file():
    assert _picture_stem("/data/val/balloon_017.jpg", 3) == "balloon_017"
    assert _picture_stem(None, 3) == "image_00003"
