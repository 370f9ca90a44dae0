"""The report's run information names the checkpoint the current weights came from."""

from __future__ import annotations

from tests.helpers import two_images


def fake_pipeline(tmp_path, epoch: int, weights_path=None, metadata=None):
    from types import SimpleNamespace

    from maskkit import Config

    model = SimpleNamespace(epoch=epoch, log_dir=tmp_path / "run",
                            checkpoint_path=str(tmp_path / "run" / "mask_rcnn_x_{epoch:04d}.weights.h5"))
    return SimpleNamespace(model=model, weights_path=weights_path, checkpoint_metadata=metadata or {},
                           val_dataset=None, val_args={}, dataset_name=None, config=Config(),
                           class_names=["BG", "a"])


def test_run_info_names_the_checkpoint_of_the_current_weights(tmp_path):
    from maskkit.report.run_info import pipeline_run_info

    dataset = two_images()
    (tmp_path / "run").mkdir()
    (tmp_path / "run" / "mask_rcnn_x_0003.weights.h5").write_bytes(b"")
    (tmp_path / "run" / "events.out.tfevents.1.host").write_bytes(b"")
    init = tmp_path / "init.weights.h5"
    # trained to epoch 3 in this process from another file: the run's own checkpoint and history count
    run, run_dir = pipeline_run_info(fake_pipeline(tmp_path, 3, init, {"epoch": 9}), dataset)
    assert run["checkpoint"] == str(tmp_path / "run" / "mask_rcnn_x_0003.weights.h5") and run["epoch"] == 3
    assert run_dir == tmp_path / "run" and run["class_names"] == ["a"] and run["dataset"] == "ArrayDataset"
    # a foreign weights file loaded, nothing trained: that file, its stored epoch, no history beside it
    run, run_dir = pipeline_run_info(fake_pipeline(tmp_path, 0, init, {"epoch": 9}), dataset)
    assert run["checkpoint"] == str(init) and run["epoch"] == 9 and run_dir is None
