"""The report page's sections: escaped run details, the 12 COCO numbers, PR lines ending at the recall reached,
a one-epoch history as numbers, the gallery first with its toggles and lightbox."""

from __future__ import annotations

from maskkit.evaluation.coco_eval import STAT_NAMES
from maskkit.report.page import esc, metrics_section, pr_line, run_section


def test_run_details_are_escaped_and_key_config_fields_come_first():
    section = run_section({"checkpoint": "<run>/e1.h5", "class_names": ["BG", "a&b"],
                           "config": {"NAME": "x", "BACKBONE": "tiny", "OTHER": 1}})
    assert "&lt;run&gt;/e1.h5" in section and "BG, a&amp;b" in section and "<run>" not in section
    assert 'id="run-config">NAME=x, BACKBONE=tiny</td>' in section and "full config" in section
    assert "full config" not in run_section({}) and esc("<'>") == "&lt;&#x27;&gt;"


def test_metrics_show_every_number_per_iou_type_with_dashes_for_no_ground_truth():
    stats = {"bbox": {name: 0.5 for name in STAT_NAMES}, "segm": {**{name: 0.25 for name in STAT_NAMES}, "APl": -1}}
    section = metrics_section(stats)
    assert section.count('<td id="stat-bbox-') == len(STAT_NAMES) == section.count('<td id="stat-segm-')
    assert 'id="stat-segm-AP">0.250<' in section and 'id="stat-segm-APl">-<' in section


def test_a_pr_line_ends_at_the_highest_recall_reached():
    assert pr_line("IoU 0.5", [0.0, 0.5, 1.0], [1.0, 0.5, 0.0], dash=True) == {
        "name": "IoU 0.5", "x": [0.0, 0.5], "y": [1.0, 0.5], "dash": True}
    assert pr_line("none", [0.0, 0.5], [0.0, 0.0], dash=False)["x"] == [0.0]


def test_a_single_epoch_history_is_a_table_of_numbers_not_dots_on_charts():
    from maskkit.report.page import loss_section

    one = loss_section([("loss", {1: 2.5}, {1: 3.25}), ("map50", {}, {1: 0.4})])
    assert "<svg" not in one and 'id="history-loss">2.5<' in one and 'id="history-val_loss">3.25<' in one
    assert 'id="history-val_map50">0.4<' in one and "epoch 1, the only one" in one
    two = loss_section([("loss", {1: 2.5, 2: 2.0}, {1: 3.0, 2: 2.5})])
    assert two.count("<svg") == 1 and "history-loss" not in two


def test_the_gallery_comes_before_the_tables_with_label_and_box_toggles_and_a_lightbox():
    from maskkit.report.page import render_page

    stats = {"segm": {name: 0.5 for name in STAT_NAMES}}
    page = render_page(title="t", run={}, history_series=[], stats=stats, tables={"segm": []}, curves={"segm": {}},
                       category_names={}, rec_thrs=[0.0, 1.0],
                       confusion={"labels": [], "matrix": [], "iou_type": "segm", "iou_threshold": 0.5,
                                  "score_threshold": 0.5},
                       gallery={"classes": ["a"], "score": 0.5, "root": "/data/<x>", "images": []})
    main = page[page.index("<main>"):]
    assert main.index('id="gallery-section"') < main.index('id="run"') < main.index('id="metrics"')
    assert 'id="show-labels"' in page and 'id="show-boxes"' in page and '<div id="lightbox" hidden>' in page
    assert '<code id="gallery-root">/data/&lt;x&gt;</code>' in page
