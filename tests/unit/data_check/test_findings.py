"""Findings: each code has one severity, which ``finding`` applies; docs/data-check.md lists every code."""

from __future__ import annotations

from pathlib import Path

import pytest

from maskkit.data_check.findings import CODES, ERROR, SEVERITIES, WARNING, Finding, JsonReport, finding

DOCS = Path(__file__).resolve().parents[3] / "docs" / "data-check.md"


def test_a_finding_takes_its_codes_severity_and_serialises():
    found = finding("mask-size-mismatch", "image 1: mask size 16x16", 1, "a.png")
    assert found == Finding(ERROR, "mask-size-mismatch", "image 1: mask size 16x16", 1, "a.png")
    assert found.to_dict() == {"severity": ERROR, "code": "mask-size-mismatch",
                               "message": "image 1: mask size 16x16", "image_id": 1, "file": "a.png"}
    assert finding("no-instances", "image 0").severity == WARNING
    with pytest.raises(KeyError):
        finding("no-such-code", "?")


def test_every_code_has_a_known_severity_and_is_documented():
    assert all(severity in SEVERITIES for severity, _ in CODES.values())
    text = DOCS.read_text()
    assert [code for code in CODES if f"`{code}`" not in text] == []


def test_a_json_report_is_its_dict_as_json():
    class Two(JsonReport):
        def to_dict(self):
            return {"a": [1, 2]}

    assert Two().to_json(indent=None) == '{"a": [1, 2]}'
    with pytest.raises(NotImplementedError, match="JsonReport must implement to_dict"):
        JsonReport().to_json()
