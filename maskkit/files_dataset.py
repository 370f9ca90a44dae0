"""A Dataset over plain image files, with the class list a checkpoint stored (for ``maskkit detect``)."""

from __future__ import annotations

import os
from typing import Any, Sequence

from maskkit.dataset import Dataset


class FilesDataset(Dataset):
    """Images from paths, no annotations; classes (and their source ids) from checkpoint metadata.

    Args:
        paths: the image files, in order (internal image ids 0..N-1).
        class_names: the class names, background first (its entry is skipped: class 0 is always BG).
        class_sources: ``[source, source id]`` per class, background first, as checkpoints store them;
            None for source ``"files"`` with ids 0..N-1.
    """

    def __init__(self, paths: Sequence[str | os.PathLike], class_names: Sequence[str],
                 class_sources: Sequence[Sequence[Any]] | None = None) -> None:
        super().__init__()
        sources = class_sources or [["files", i] for i in range(len(class_names))]
        for (source, source_id), name in list(zip(sources, class_names))[1:]:
            self.add_class(str(source) or "files", source_id, name)
        for index, path in enumerate(paths):
            self.add_image("files", image_id=index, path=os.fspath(path))
        self.prepare()

    def image_reference(self, image_id: int) -> str:
        """The file's path.

        Args:
            image_id: internal image id.
        """
        return str(self.image_info[image_id]["path"])
