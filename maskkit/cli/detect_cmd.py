"""``maskkit detect``: annotated PNGs and a COCO results.json for image files or dataset images."""

from __future__ import annotations

from pathlib import Path

import click

from maskkit.cli.options import checkpoint_options, dataset_args


@click.command("detect")
@click.argument("images", nargs=-1, type=click.Path(dir_okay=False))
@checkpoint_options("Detect on this dataset's images instead of IMAGES.")
@click.option("--limit", type=click.IntRange(min=1), default=None, help="Only the first N dataset images.")
@click.option("--out", "out_dir", default="detections", show_default=True, type=click.Path(file_okay=False),
              help="Folder for the annotated PNGs and results.json.")
def detect(images: tuple[str, ...], weights: str, dataset_name: str | None, data_items: tuple[str, ...],
           limit: int | None, overrides: tuple[str, ...], out_dir: str) -> None:
    """Detect instances in IMAGES (or --dataset images) with the classes stored in the checkpoint."""
    from maskkit import visualize
    from maskkit.config_files import parse_overrides
    from maskkit.errors import MaskkitError
    from maskkit.evaluation import detections_to_coco_results, write_results_json
    from maskkit.files_dataset import FilesDataset
    from maskkit.output_paths import check_writable_dir
    from maskkit.pipeline import Pipeline

    if bool(images) == bool(dataset_name):
        raise click.UsageError("give either IMAGES or --dataset")
    check_writable_dir(out_dir, "--out folder")
    pipe = Pipeline.from_checkpoint(weights, dataset=dataset_name, dataset_args=dataset_args(data_items),
                                    overrides=parse_overrides(overrides), use_stored_dataset=False)
    if dataset_name:
        dataset = pipe.val_dataset
    else:
        dataset = FilesDataset(images, pipe.class_names, pipe.checkpoint_metadata.get("class_sources"))
    out = Path(out_dir)
    image_ids, results, failed = [], [], []
    names = picture_names([_picture_stem(dataset.image_info[i].get("path"), int(i)) for i in dataset.image_ids])
    wanted = [int(i) for i in dataset.image_ids[: limit or None]]
    for start in range(0, len(wanted), 8):
        loaded = {}
        for image_id in wanted[start:start + 8]:
            try:
                loaded[image_id] = dataset.load_image(image_id)
            except MaskkitError as exc:
                failed.append(image_id)
                click.echo(f"skipped: {exc}", err=True)
        if loaded:
            out.mkdir(parents=True, exist_ok=True)
        for image_id, result in zip(loaded, pipe.detect(list(loaded.values()))):
            image, rois, masks = visualize.enlarge(loaded[image_id], result["rois"], result["masks"])
            visualize.display_instances(image, rois, masks, result["class_ids"], pipe.class_names,
                                        result["scores"], title=dataset.image_reference(image_id),
                                        path=out / f"{names[image_id]}_detections.png")
            click.echo(f"{dataset.image_reference(image_id)} -> {names[image_id]}_detections.png: " + (", ".join(
                f"{pipe.class_names[c]} {s:.2f}" for c, s in zip(result["class_ids"], result["scores"]))
                or "nothing"))
            image_ids.append(image_id)
            results.append(result)
    if failed and not image_ids:
        raise click.ClickException(f"none of the {len(wanted)} images could be read; nothing written")
    coco_results = detections_to_coco_results(dataset, image_ids, results)
    if not dataset_name:
        for entry in coco_results:
            entry["file_name"] = images[int(entry["image_id"])]
    write_results_json(out / "results.json", coco_results)
    click.echo(f"wrote {len(image_ids)} pictures and {out / 'results.json'}")
    if failed:
        shown = ", ".join(dataset.image_reference(i) if dataset_name else images[i] for i in failed[:10])
        raise click.ClickException(f"{len(failed)} of {len(wanted)} images could not be read and were skipped: "
                                   f"{shown}{' ...' if len(failed) > 10 else ''}")


def picture_names(stems: list[str]) -> list[str]:
    """One distinct file name stem per image: a repeated stem gets ``_2``, ``_3``, ... (in input order),
    so ``a/x.jpg`` and ``b/x.png`` never overwrite each other's picture.

    Args:
        stems: the file name stem of each image, in input order; a suffix never collides with another stem.

    Returns:
        One name per stem, in the same order.
    """
    used: set[str] = set(stems)
    seen: set[str] = set()
    names = []
    for stem in stems:
        name, serial = stem, 1
        while name in seen or (serial > 1 and name in used):
            serial += 1
            name = f"{stem}_{serial}"
        seen.add(name)
        names.append(name)
    return names


def _picture_stem(path: object, image_id: int) -> str:
    """Pictures are named after the source image file; images without a file (generated ones) by id."""
    if isinstance(path, (str, Path)) and Path(path).suffix:
        return Path(path).stem
    return f"image_{image_id:05d}"
