"""The evaluation report of a tiny trained model, rendered in headless Chromium: the gallery is on the first
screen, the numbers on the page are the evaluator's, the gallery is sorted worst first, the score slider and
class filter re-filter the drawn detections, labels and boxes hide on request, and a click opens an image
large (Escape closes it). Writes a screenshot for a person to look at."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import cv2
import numpy as np
import pytest

from maskkit.cli.main import cli
from maskkit.evaluation.coco_eval import STAT_NAMES
from maskkit.evaluation.metrics_output import format_value
from tests.headless_chromium import Chromium, find_chromium

pytestmark = pytest.mark.slow

CHROMIUM = find_chromium()
TINY = ["--set", "backbone=tiny", "--set", "image_min_dim=64", "--set", "image_max_dim=64",
        "--set", "images_per_gpu=2", "--set", "top_down_pyramid_size=32", "--set", "fpn_classif_fc_layers_size=64",
        "--set", "steps_per_epoch=3", "--set", "validation_steps=1", "--set", "post_nms_rois_inference=100",
        "--set", "detection_min_confidence=0.0", "--set", "detection_max_instances=8"]
DATA = ["--data", "count=6", "--data", "height=64", "--data", "width=64", "--val-data", "count=5",
        "--val-data", "height=64", "--val-data", "width=64"]


def invoke(*args: str):
    from click.testing import CliRunner

    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code == 0, result.output
    return result


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> dict:
    """Train 2 tiny epochs, then ``evaluate --report`` the run folder (metrics and results JSON beside it)."""
    root = tmp_path_factory.mktemp("report")
    invoke("train", "--preset", "shapes", *DATA, *TINY, "--epochs", "2", "--log-dir", str(root / "runs"))
    result = invoke("evaluate", "--weights", str(root / "runs"), "--out", str(root / "out"),
                    "--report", str(root / "report"))
    assert f"report: {root / 'report' / 'index.html'}" in result.output
    return {"page": root / "report" / "index.html",
            "metrics": json.loads((root / "out" / "metrics.json").read_text()),
            "results": json.loads((root / "out" / "results.json").read_text())}


@pytest.fixture(scope="module")
def browser(report):
    if CHROMIUM is None:
        pytest.skip("chromium is not installed (Debian: apt-get install chromium; .ci/run installs it)")
    with Chromium(CHROMIUM, width=1280, height=900) as chromium:
        chromium.open(report["page"].as_uri())
        yield chromium


def test_page_is_self_contained(report):
    page = report["page"].read_text()
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page), "the page must not load from the network"
    thumbs = re.findall(r'"thumb":"([^"]+)"', page)
    assert len(thumbs) == 5 and all((report["page"].parent / t).is_file() for t in thumbs)


def test_numbers_on_the_page_are_the_evaluators(report, browser):
    metrics = report["metrics"]
    for iou_type in ("bbox", "segm"):
        for name in STAT_NAMES:
            shown = browser.evaluate(f"document.getElementById('stat-{iou_type}-{name}').textContent")
            assert shown == format_value(metrics[iou_type]["stats"][name]), (iou_type, name)
        for k, row in enumerate(metrics[iou_type]["per_category"]):
            for m in ("AP", "AP50", "AP75"):
                assert browser.evaluate(f"document.getElementById('class-{iou_type}-{m}-{k}').textContent") \
                    == format_value(row[m])
    assert browser.evaluate("document.getElementById('run-classes').textContent") == "square, circle, triangle"
    assert browser.evaluate("document.getElementById('run-epoch').textContent") == "2"
    assert browser.evaluate("document.querySelectorAll('#pr svg.chart').length") == 2 * 3
    loss_titles = browser.evaluate("[...document.querySelectorAll('#losses .chart-title')].map(e => e.textContent)")
    assert loss_titles[0] == "loss" and "mrcnn_mask_loss" in loss_titles
    # train and val line per loss; the logged learning rate has a training line only
    assert "learning_rate" in loss_titles
    assert browser.evaluate("document.querySelectorAll('#losses polyline').length") == 2 * len(loss_titles) - 1


def test_confusion_rows_count_every_ground_truth_instance_once(report, browser):
    import maskkit

    dataset = maskkit.datasets.create("shapes", count=5, height=64, width=64, subset="val")
    truth = np.zeros(3, dtype=int)
    for image_id in dataset.image_ids:
        np.add.at(truth, dataset.load_mask(image_id)[1] - 1, 1)
    matrix = browser.evaluate("[...document.querySelectorAll('#confusion tr')].slice(1).map("
                              "r => [...r.querySelectorAll('td')].map(td => parseInt(td.textContent)))")
    assert np.asarray(matrix)[:3].sum(axis=1).tolist() == truth.tolist()
    above = sum(r["score"] >= 0.5 for r in report["results"])
    assert np.asarray(matrix)[:, :3].sum() == above  # every detection above the cut lands in one column


def shown_detections(browser) -> tuple[int, int]:
    """(count in the status line, instances drawn in the prediction panels)."""
    return (int(browser.evaluate("document.getElementById('gallery-status').dataset.detections")),
            browser.evaluate("document.querySelectorAll('.dt-panel g.inst').length"))


def test_gallery_worst_first_with_thumbnails(report, browser):
    cards = browser.evaluate("[...document.querySelectorAll('#gallery .card')].map(c => c.dataset.ap)")
    assert len(cards) == 5
    aps = [float(a) for a in cards if a != ""]
    assert aps == sorted(aps) and cards[len(aps):] == [""] * (len(cards) - len(aps))
    browser.evaluate("document.getElementById('gallery').scrollIntoView()")
    browser.evaluate("Promise.all([...document.querySelectorAll('#gallery img')].map(i => i.decode()))")
    sizes = browser.evaluate("[...document.querySelectorAll('#gallery img')].map(i => i.naturalWidth)")
    assert len(sizes) == 10 and all(s == 64 for s in sizes)


def test_score_slider_and_class_filter_refilter_detections(report, browser):
    scores = [round(r["score"], 4) for r in report["results"]]
    for threshold in (0.0, 0.35, 0.8):
        browser.evaluate(f"(s => {{ s.value = '{threshold}'; s.dispatchEvent(new Event('input')); }})"
                         f"(document.getElementById('score-slider'))")
        expected = sum(s >= threshold for s in scores)
        assert shown_detections(browser) == (expected, expected), threshold
        assert browser.evaluate("document.getElementById('score-value').textContent") == f"{threshold:.2f}"
    browser.evaluate("document.getElementById('score-slider').focus()")
    browser.press("End", "End", 35)  # a real key press moves the slider to 1.00
    assert browser.evaluate("document.getElementById('score-slider').value") == "1"
    assert shown_detections(browser) == (sum(s >= 1.0 for s in scores),) * 2
    browser.press("Home", "Home", 36)
    assert shown_detections(browser) == (len(scores),) * 2
    browser.evaluate("(s => { s.value = '1'; s.dispatchEvent(new Event('change')); })"
                     "(document.getElementById('class-filter'))")
    classes = browser.evaluate("[...document.querySelectorAll('#gallery g.inst')].map(g => g.dataset.class)")
    assert classes and set(classes) == {"1"}
    circles = sum(r["category_id"] == 2 for r in report["results"])
    assert shown_detections(browser) == (circles, circles)


def test_view_opens_from_the_address(report, browser):
    squares = sum(r["category_id"] == 1 and round(r["score"], 4) >= 0.9 for r in report["results"])
    for fresh in (False, True):  # a hash change on the open page, then a fresh load of that address
        if fresh:
            browser.open("about:blank")
        browser.open(report["page"].as_uri() + "#score=0.90&class=0&page=0")
        browser.wait_for("document.getElementById('score-slider').value === '0.9'")
        assert browser.evaluate("document.getElementById('class-filter').value") == "0"
        assert shown_detections(browser) == (squares, squares)
    assert browser.evaluate("[...document.querySelectorAll('#gallery img')].every(i => i.loading === 'lazy')")


def test_screenshot_for_a_person(report, browser, tmp_path):
    """Written to $MASKKIT_SCREENSHOT_DIR when set (pytest's tmp folders rotate), else to tmp_path."""
    browser.evaluate("(s => { s.value = '-1'; s.dispatchEvent(new Event('change')); })"
                     "(document.getElementById('class-filter'))")
    browser.evaluate("(s => { s.value = '0.5'; s.dispatchEvent(new Event('input')); })"
                     "(document.getElementById('score-slider'))")
    browser.evaluate("document.getElementById('gallery-section').scrollIntoView()")
    browser.evaluate("Promise.all([...document.querySelectorAll('#gallery img')]"
                     ".filter(i => i.getBoundingClientRect().top < innerHeight).map(i => i.decode()))")
    folder = Path(os.environ.get("MASKKIT_SCREENSHOT_DIR") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    path = browser.screenshot(folder / "report.png")
    print(f"report screenshot: {path}")
    image = cv2.imread(str(path))
    assert image.shape[:2] == (900, 1280) and image.std() > 20


def test_the_gallery_is_on_the_first_screen(report, browser, tmp_path):
    """In a 1280x800 window, scrolled to the top, the first picture starts above the fold."""
    browser.call("Emulation.setDeviceMetricsOverride", session=True, width=1280, height=800, deviceScaleFactor=1,
                 mobile=False)
    try:
        browser.open("about:blank")
        browser.open(report["page"].as_uri())
        browser.evaluate("window.scrollTo(0, 0)")
        top = browser.evaluate("document.querySelector('#gallery .card img').getBoundingClientRect().top")
        assert 0 < top < browser.evaluate("window.innerHeight") == 800
        image = cv2.imread(str(browser.screenshot(tmp_path / "first_screen.png")))
        assert image.shape[:2] == (800, 1280)
    finally:
        browser.call("Emulation.setDeviceMetricsOverride", session=True, width=1280, height=900,
                     deviceScaleFactor=1, mobile=False)


def click_at_centre(browser, selector: str) -> None:
    """A real mouse click (press and release) at the centre of the first element ``selector`` finds."""
    browser.evaluate(f"document.querySelector({selector!r}).scrollIntoView({{block: 'center'}})")
    x, y = browser.evaluate(f"(r => [r.left + r.width / 2, r.top + r.height / 2])"
                            f"(document.querySelector({selector!r}).getBoundingClientRect())")
    for kind in ("mousePressed", "mouseReleased"):
        browser.call("Input.dispatchMouseEvent", session=True, type=kind, x=x, y=y, button="left", clickCount=1)


def test_a_click_opens_the_image_large_and_escape_closes_it(report, browser):
    browser.open(report["page"].as_uri() + "#score=0.00&class=-1&page=0")
    assert browser.evaluate("document.getElementById('lightbox').hidden")
    card_height = browser.evaluate("document.querySelector('#gallery .frame').getBoundingClientRect().height")
    click_at_centre(browser, "#gallery .dt-panel .frame")
    assert not browser.evaluate("document.getElementById('lightbox').hidden")
    first_id = browser.evaluate("document.querySelector('#gallery .card').dataset.imageId")
    assert browser.evaluate("document.querySelector('#lightbox .card').dataset.imageId") == first_id
    large = browser.evaluate("document.querySelector('#lightbox .frame').getBoundingClientRect().height")
    assert large > 1.1 * card_height and large > 0.8 * browser.evaluate("innerHeight")
    assert browser.evaluate("document.querySelectorAll('#lightbox .dt-panel g.inst').length") == \
        browser.evaluate("document.querySelectorAll('#gallery .card')[0].querySelectorAll('.dt-panel g.inst').length")
    browser.press("Escape", "Escape", 27)
    assert browser.evaluate("document.getElementById('lightbox').hidden")
    assert browser.evaluate("document.getElementById('lightbox-body').children.length") == 0


def test_labels_and_boxes_can_be_hidden_leaving_the_masks(report, browser):
    browser.open(report["page"].as_uri() + "#score=0.00&class=-1&page=0")

    def shown(selector: str) -> int:
        return browser.evaluate(f"[...document.querySelectorAll('#gallery {selector}')]"
                                f".filter(e => getComputedStyle(e).display !== 'none').length")

    labels, boxes, masks = shown("text.label"), shown("rect.box"), shown("path.mask")
    assert labels > 0 and boxes == labels and masks > 0
    for checkbox in ("show-labels", "show-boxes"):
        browser.evaluate(f"(c => {{ c.click(); }})(document.getElementById('{checkbox}'))")
    assert (shown("text.label"), shown("rect.box"), shown("path.mask")) == (0, 0, masks)
    assert "labels=0&boxes=0" in browser.evaluate("location.hash")
    for checkbox in ("show-labels", "show-boxes"):
        browser.evaluate(f"document.getElementById('{checkbox}').click()")
    assert shown("text.label") == labels
