"""What the machine that trains computes fast: bfloat16 units, for the precision default.

bfloat16 only pays where the hardware has it: NVIDIA GPUs from Ampere (compute
capability 8.0) on, CPUs with AVX-512 BF16 or AMX (Intel Cooper Lake / Sapphire Rapids
on, AMD Zen 4 on) or Arm's BF16 extension (oneDNN uses them). Elsewhere TensorFlow
emulates it, slower than float32. On a machine with a GPU the GPU decides: it trains.
"""

from __future__ import annotations

import functools
from pathlib import Path

import tensorflow as tf

CPU_FLAGS = ("avx512_bf16", "amx_bf16", "bf16")  # x86 `flags`, Arm `Features` in /proc/cpuinfo
AMPERE = (8, 0)


def cpu_bfloat16(cpuinfo: str | Path = "/proc/cpuinfo") -> str | None:
    """The first bfloat16 flag the CPU reports, or None (also where there is no
    /proc/cpuinfo: not Linux)."""
    try:
        text = Path(cpuinfo).read_text(errors="replace")
    except OSError:
        return None
    for line in text.splitlines():
        key, _, value = line.partition(":")
        if key.strip() in ("flags", "Features"):
            found = [flag for flag in CPU_FLAGS if flag in value.split()]
            return found[0] if found else None
    return None


def gpu_bfloat16(gpus: list | None = None) -> str | None:
    """'GPU compute capability X.Y' when every GPU is Ampere or newer; None when there
    is no GPU, an older one, or one that does not say (ROCm)."""
    gpus = tf.config.list_physical_devices("GPU") if gpus is None else gpus
    capabilities = [tf.config.experimental.get_device_details(gpu).get("compute_capability")
                    for gpu in gpus]
    if not capabilities or not all(c and tuple(c) >= AMPERE for c in capabilities):
        return None
    return "GPU compute capability {}.{}".format(*min(capabilities))


@functools.cache
def bfloat16_units() -> str | None:
    """What computes bfloat16 natively here (for the log), or None."""
    if tf.config.list_physical_devices("GPU"):
        return gpu_bfloat16()
    flag = cpu_bfloat16()
    return f"CPU with {flag}" if flag else None
