"""maskkit.utils.heap: the heap pad asked of glibc, its opt-outs, and what a refusal gives."""

from __future__ import annotations

import platform

import pytest

from maskkit.errors import ConfigError
from maskkit.utils import heap


class FakeLibc:
    """Records mallopt calls; answers ``answer`` (glibc: 1 taken, 0 refused)."""

    def __init__(self, answer: int = 1) -> None:
        self.answer, self.calls = answer, []

    def mallopt(self, option: int, value: int) -> int:
        self.calls.append((option, value))
        return self.answer


def test_the_pad_defaults_to_64_mib_and_follows_the_environment_variable():
    assert heap.heap_pad_bytes({}) == 64 << 20
    assert heap.heap_pad_bytes({"MASKKIT_HEAP_PAD_MB": "16"}) == 16 << 20
    assert heap.heap_pad_bytes({"MASKKIT_HEAP_PAD_MB": " 0 "}) == 0


@pytest.mark.parametrize("environ", [{"GLIBC_TUNABLES": "glibc.malloc.top_pad=1048576"}, {"MALLOC_TOP_PAD_": "1"},
                                     {"MALLOC_MMAP_THRESHOLD_": "131072", "MASKKIT_HEAP_PAD_MB": "64"}])
def test_a_malloc_setting_of_the_users_own_is_left_in_place(environ):
    assert heap.heap_pad_bytes(environ) == 0


def test_glibc_tunables_that_do_not_touch_malloc_do_not_turn_the_pad_off():
    assert heap.heap_pad_bytes({"GLIBC_TUNABLES": "glibc.cpu.hwcaps=-AVX512F"}) == 64 << 20


@pytest.mark.parametrize("text", ["lots", "-1", "1.5"])
def test_a_bad_value_is_a_config_error_naming_the_variable(text):
    with pytest.raises(ConfigError, match=f"environment variable MASKKIT_HEAP_PAD_MB: '{text}'"):
        heap.heap_pad_bytes({"MASKKIT_HEAP_PAD_MB": text})


def test_set_heap_pad_asks_mallopt_for_m_top_pad_and_reports_a_refusal_as_zero():
    libc = FakeLibc()
    assert heap.set_heap_pad(libc, 8 << 20) == 8 << 20
    assert libc.calls == [(-2, 8 << 20)]  # M_TOP_PAD in glibc's malloc.h
    assert heap.set_heap_pad(FakeLibc(answer=0), 8 << 20) == 0
    assert heap.set_heap_pad(None, 8 << 20) == 0
    untouched = FakeLibc()
    assert heap.set_heap_pad(untouched, 0) == 0 and untouched.calls == []


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="glibc only")
def test_this_process_gets_the_pad_from_the_real_glibc_once(monkeypatch):
    monkeypatch.delenv("MASKKIT_HEAP_PAD_MB", raising=False)
    for name in ("GLIBC_TUNABLES", *heap._USER_TUNED):
        monkeypatch.delenv(name, raising=False)
    heap.keep_heap_padding.cache_clear()
    assert heap.keep_heap_padding() == 64 << 20
    monkeypatch.setenv("MASKKIT_HEAP_PAD_MB", "0")
    assert heap.keep_heap_padding() == 64 << 20  # once per process: a later change is not applied
