"""``maskkit env``: the versions and devices a run would use (imports TensorFlow, unlike --help)."""

from __future__ import annotations

import json
import platform
from typing import Any

import click


def environment() -> dict[str, Any]:
    """maskkit, Python, TensorFlow and Keras versions, TF's CUDA build, the devices TF sees, bfloat16 support."""
    import keras
    import tensorflow as tf

    import maskkit
    from maskkit.model.precision import bfloat16_supported, cpu_flags, suggested_settings

    build = tf.sysconfig.get_build_info()
    devices = [{"name": device.name, "type": device.device_type} for device in tf.config.list_physical_devices()]
    flags = cpu_flags()
    suggested = suggested_settings(any(device["type"] == "GPU" for device in devices), flags)
    return {
        "maskkit": maskkit.__version__,
        "python": platform.python_version(),
        "tensorflow": tf.__version__,
        "keras": keras.__version__,
        "cuda_build": build.get("cuda_version") or None,
        "cudnn_build": build.get("cudnn_version") or None,
        "devices": devices,
        "cpu_bfloat16": bfloat16_supported(flags),
        "suggested_precision": suggested["PRECISION"],
        "suggested_xla": suggested["XLA"],
    }


@click.command("env")
@click.option("--json", "as_json", is_flag=True, help="Print machine-readable JSON.")
def env(as_json: bool) -> None:
    """Show maskkit, TensorFlow and Keras versions and the CPUs/GPUs TensorFlow sees."""
    info = environment()
    if as_json:
        click.echo(json.dumps(info, indent=2))
        return
    for key in ("maskkit", "python", "tensorflow", "keras"):
        click.echo(f"{key:20} {info[key]}")
    cuda = f"CUDA {info['cuda_build']}, cuDNN {info['cudnn_build']}" if info["cuda_build"] else "none (CPU-only build)"
    click.echo(f"{'tensorflow GPU build':20} {cuda}")
    for device in info["devices"]:
        click.echo(f"{'device':20} {device['name']} ({device['type']})")
    if not any(device["type"] == "GPU" for device in info["devices"]):
        click.echo(f"{'':20} no GPU visible (see docs/install.md for the GPU install)")
    click.echo(f"{'cpu bfloat16':20} {'yes (AVX512_BF16/AMX)' if info['cpu_bfloat16'] else 'no'}")
    click.echo(f"{'suggested PRECISION':20} {info['suggested_precision']}"
               + (" with XLA=true" if info["suggested_xla"] else ""))
