"""Hook names come from the hook specifications: one per registry kind."""

from __future__ import annotations

from maskkit.hookspecs import hook_names


def test_hook_names_come_from_the_hook_specs():
    assert hook_names() == {"dataset": "maskkit_register_datasets", "augmenter": "maskkit_register_augmenters",
                            "backbone": "maskkit_register_backbones", "command": "maskkit_register_commands"}
