"""``maskkit env``: the versions and devices a run would use (imports TensorFlow, unlike --help)."""

from __future__ import annotations

import json
import platform
from typing import Any

import click


def environment() -> dict[str, Any]:
    """maskkit, Python, TensorFlow and Keras versions, TF's CUDA build, the devices TF sees, bfloat16
    support, and what ``PRECISION="auto"`` picks here and why."""
    import keras
    import tensorflow as tf

    import maskkit
    from maskkit.model.precision import bfloat16_supported, choose_precision, cpu_flags, gpu_capabilities

    build = tf.sysconfig.get_build_info()
    devices = [{"name": device.name, "type": device.device_type} for device in tf.config.list_physical_devices()]
    flags = cpu_flags()
    choice = choose_precision(gpu_capabilities(), flags)
    return {
        "maskkit": maskkit.__version__,
        "python": platform.python_version(),
        "tensorflow": tf.__version__,
        "keras": keras.__version__,
        "cuda_build": build.get("cuda_version") or None,
        "cudnn_build": build.get("cudnn_version") or None,
        "devices": devices,
        "cpu_amx": "amx_bf16" in flags,
        "cpu_bfloat16": bfloat16_supported(flags),
        "auto_precision": choice.precision,
        "auto_precision_reason": choice.reason,
    }


@click.command("env")
@click.option("--json", "as_json", is_flag=True, help="Print machine-readable JSON.")
def env(as_json: bool) -> None:
    """Show maskkit, TensorFlow and Keras versions, the CPUs/GPUs TensorFlow sees, and what PRECISION=auto picks."""
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
    bfloat16 = ("yes (AMX)" if info["cpu_amx"] else "yes (AVX512_BF16, no AMX)") if info["cpu_bfloat16"] else "no"
    click.echo(f"{'cpu bfloat16':20} {bfloat16}")
    click.echo(f"{'PRECISION auto':20} {info['auto_precision']} ({info['auto_precision_reason']})")
    bfloat16_auto = info["auto_precision"] == "mixed_bfloat16"
    slower = " (XLA made bfloat16 detection about 2x slower on AMX)" if bfloat16_auto else ""
    click.echo(f"{'XLA':20} leave off{slower}")
