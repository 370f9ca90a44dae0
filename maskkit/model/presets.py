"""The presets' former home; ``maskkit.presets`` holds them now (this path keeps working)."""

from maskkit.presets import (  # noqa: F401
    CPU_DEFAULTS,
    PRESETS,
    SHAPES_DEFAULTS,
    assemble_config,
    cpu_config,
    preset_config,
    recommended_preset,
    shapes_config,
)
