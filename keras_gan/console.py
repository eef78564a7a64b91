"""A quiet console: TensorFlow's native log lines hidden, keras-gan's own messages kept.

Where the noise comes from (TensorFlow 2.21 on Linux): importing TensorFlow runs the static
initializers of its C++ libraries, which log through abseil (`port.cc`: oneDNN is on,
`cudart_stub.cc`: no CUDA driver, `cpu_feature_guard.cc`: instructions it was not built
for). Abseil writes every message logged before `absl::InitializeLog()` to stderr whatever
the threshold (abseil-cpp PR #1957, still open), so `TF_CPP_MIN_LOG_LEVEL` cannot hide these
lines. They come twice because two shared objects carry their own copy of that code:
`libtensorflow_framework` (loaded first) and the profiler plugin
(`tensorflow/python/profiler/internal/_pywrap_profiler_plugin.so`), both loaded by
`import tensorflow` itself, not by anything keras-gan imports twice.

So the import runs with file descriptor 2 captured; afterwards every captured line that is
not one of those start-up messages is written back (a real error during the import still
shows). Later native lines (grappler's harmless "remapper failed" errors during training)
follow `TF_CPP_MIN_LOG_LEVEL`, which `quiet_start` sets to 3 unless the user already chose a
level. The TFLite converter and LiteRT print to the same descriptor while exporting
(`fully_quantize: 0, ...`, `INFO: Created TensorFlow Lite XNNPACK delegate for CPU.`);
the exporters run those calls inside `native_noise_filtered` too.

`keras-gan --verbose` (or KERAS_GAN_VERBOSE=1 in the environment) turns every filter here off.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import sys
import tempfile
import warnings

VERBOSE = "KERAS_GAN_VERBOSE"  # set (to anything but "" or "0"): nothing is filtered
# TensorFlow's start-up messages (the cpu_feature_guard one continues on a second line), and
# what the TFLite converter and LiteRT print on every export.
NOISE = re.compile(
    r"All log messages before absl::InitializeLog\(\) is called"
    r"|^[IWE]\d{4} [\d:.]+ +\d+ (port|cudart_stub|cpu_feature_guard|cuda_\w+)\.cc:\d+\]"
    r"|^To enable the following instructions: .*rebuild TensorFlow"
    r"|^fully_quantize: \d+, inference_type: "
    r"|^INFO: Created TensorFlow Lite XNNPACK delegate for CPU\.$"
)


def is_verbose() -> bool:
    return os.environ.get(VERBOSE, "") not in ("", "0")


@contextlib.contextmanager
def native_noise_filtered(stream=None):
    """Capture file descriptor 2 (C++ writes there directly, past sys.stderr) and, on exit,
    write back to `stream` (default sys.stderr) every line that is not NOISE. Verbose: no-op."""
    if is_verbose() or (stream is None and sys.stderr is None):  # verbose, or no stderr at all
        yield
        return
    stream = stream or sys.stderr
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        with tempfile.TemporaryFile() as capture:
            os.dup2(capture.fileno(), 2)
            try:
                yield
            finally:
                sys.stderr.flush()
                os.dup2(saved, 2)
                capture.seek(0)
                text = capture.read().decode("utf-8", errors="replace")
                kept = [line for line in text.splitlines(keepends=True) if not NOISE.search(line)]
                if kept:
                    stream.write("".join(kept))
                    stream.flush()
    finally:
        os.close(saved)


def quiet_start(verbose: bool = False) -> None:
    """Import TensorFlow (and Keras) with its start-up lines hidden, and set the native log
    level, TensorFlow's Python loggers (WARNING) and its warnings for what follows. Must run
    before anything imports TensorFlow; a no-op after, and with verbose."""
    if verbose:
        os.environ[VERBOSE] = "1"
    if "tensorflow" in sys.modules or is_verbose():
        return
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    with native_noise_filtered():
        import keras  # noqa: F401  (imports TensorFlow, its backend)
        import tensorflow  # noqa: F401
    # TensorFlow's Python-side INFO lines ("Assets written to", renamed SavedModel inputs)
    for name in ("tensorflow", "absl"):
        logging.getLogger(name).setLevel(logging.WARNING)
    # a text2image SavedModel's tokenizer table: TF 2.x warns (three lines) that the TF1
    # collection cannot hold its initializer; TF Serving's loader restores it all the same
    # (tests/test_text2image_use.py loads one with the TF1 `serve` loader)
    logging.getLogger("tensorflow").addFilter(
        lambda record: not str(record.msg).startswith("Issue encountered when serializing"))
    # raised inside the TFLite converter's own int8 calibration; keras-gan verifies with LiteRT
    warnings.filterwarnings("ignore", message=r"\s*Warning: tf.lite.Interpreter is deprecated",
                            category=UserWarning)


def command_name() -> str:
    """The command as the user ran it, for messages that name one to run next:
    `python cli.py` (the checkout's script), `python -m keras_gan`, else `keras-gan` (the
    console script, and the Python API or a test runner)."""
    from pathlib import Path

    script = Path(sys.argv[0]) if sys.argv and sys.argv[0] else None
    if script is None:
        return "keras-gan"
    if script.name == "cli.py":
        return "python cli.py"
    if script.name == "__main__.py" and script.parent.name == "keras_gan":
        return "python -m keras_gan"
    return "keras-gan"
