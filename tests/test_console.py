"""A quiet console: TensorFlow's native start-up lines hidden, anything else kept."""

import io
import os
import re
import subprocess
import sys
from pathlib import Path

from keras_gan.console import native_noise_filtered

ROOT = Path(__file__).resolve().parents[1]
NATIVE = re.compile(r"^[IWEF]\d{4} [\d:.]+ +\d+ \w+\.cc:\d+\]|absl::InitializeLog")

# What `import tensorflow` 2.21 writes to file descriptor 2, twice over, on a CPU machine
START_UP = (
    "WARNING: All log messages before absl::InitializeLog() is called are written to STDERR\n"
    "I0000 00:00:1795980497.522095   20457 port.cc:153] oneDNN custom operations are on. You may "
    "see slightly different numerical results due to floating-point round-off errors.\n"
    "I0000 00:00:1795980497.523422   20457 cudart_stub.cc:31] Could not find cuda drivers on your "
    "machine, GPU will not be used.\n"
    "I0000 00:00:1795980497.616989   20457 cpu_feature_guard.cc:227] This TensorFlow binary is "
    "optimized to use available CPU instructions in performance-critical operations.\n"
    "To enable the following instructions: AVX2 AVX512F FMA, in other operations, rebuild "
    "TensorFlow with the appropriate compiler flags.\n")
# ...and what the TFLite converter and LiteRT print on every export
EXPORT = ("fully_quantize: 0, inference_type: 6, input_inference_type: FLOAT32, "
          "output_inference_type: FLOAT32\nINFO: Created TensorFlow Lite XNNPACK delegate for CPU.\n")


def test_start_up_lines_are_dropped_and_everything_else_is_written_back():
    out = io.StringIO()
    with native_noise_filtered(out):
        os.write(2, START_UP.encode())
        os.write(2, b"E0000 00:00:1795980497.7 20457 op_kernel.cc:1] a real error\n")
        os.write(2, START_UP.encode())
        os.write(2, EXPORT.encode())
        os.write(2, b"Traceback (most recent call last): something broke\n")
    assert out.getvalue().splitlines() == [
        "E0000 00:00:1795980497.7 20457 op_kernel.cc:1] a real error",
        "Traceback (most recent call last): something broke"]


def test_verbose_filters_nothing(monkeypatch, capfd):
    monkeypatch.setenv("KERAS_GAN_VERBOSE", "1")
    out = io.StringIO()
    with native_noise_filtered(out):
        os.write(2, EXPORT.encode())
    assert out.getvalue() == "" and capfd.readouterr().err == EXPORT


def test_the_file_descriptor_is_restored_even_when_the_body_raises():
    before = os.fstat(2)
    out = io.StringIO()
    try:
        with native_noise_filtered(out):
            os.write(2, b"kept\n")
            raise KeyboardInterrupt
    except KeyboardInterrupt:
        pass
    assert os.fstat(2).st_ino == before.st_ino and out.getvalue() == "kept\n"


def run_cli(*args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"}
    return subprocess.run([sys.executable, "cli.py", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)


def test_a_command_prints_no_native_lines_unless_verbose():
    quiet = run_cli("list")
    assert quiet.returncode == 0 and "Families (--family)" in quiet.stdout
    assert not [line for line in quiet.stderr.splitlines() if NATIVE.search(line)], quiet.stderr
    loud = run_cli("--verbose", "list")
    assert loud.returncode == 0 and "Families (--family)" in loud.stdout
    # with --verbose nothing is filtered: what TensorFlow prints at import reaches stderr
    direct = subprocess.run([sys.executable, "-c", "import tensorflow"], capture_output=True,
                            text=True, timeout=300, env={k: v for k, v in os.environ.items()
                                                         if k != "TF_CPP_MIN_LOG_LEVEL"})
    expected = [line for line in direct.stderr.splitlines() if NATIVE.search(line)]
    shown = [line for line in loud.stderr.splitlines() if NATIVE.search(line)]
    assert len(shown) == len(expected)
