"""Mixed precision: low-precision compute, float32 variables and losses, loss scaling for
float16, and float32 rebuilds for sampling and export."""

import keras
import numpy as np
import pytest

from keras_gan.config import ConfigError, ExportConfig
from keras_gan.export import export_run
from keras_gan.factory import build_model
from keras_gan.runs import load_run
from keras_gan.train import resume_training, run_training
from tests.conftest import tiny_config


@pytest.mark.parametrize("precision, compute", [("mixed_bfloat16", "bfloat16"),
                                                ("mixed_float16", "float16")])
@pytest.mark.parametrize("arch", ["gan", "dcgan"])
def test_mixed_precision_steps_compute_low_and_keep_float32_state(tmp_path, arch, precision, compute):
    config = tiny_config(tmp_path, arch=arch, precision=precision).replace(data={"channels": 1})
    gan = build_model(config)
    assert keras.config.dtype_policy().name == "float32"  # the global policy is restored
    assert {layer.compute_dtype for layer in gan.generator.layers[1:]} == {compute}
    assert {w.dtype for w in gan.generator.weights + gan.discriminator.weights} == {"float32"}
    scaled = isinstance(gan.d_optimizer, keras.optimizers.LossScaleOptimizer)
    assert scaled == (precision == "mixed_float16")
    batch = np.random.default_rng(0).uniform(-1, 1, (6, 8, 8, 1)).astype("float32")
    logs = gan.train_on_batch(batch, return_dict=True)
    assert all(np.isfinite(v) for v in logs.values())
    assert int(gan.g_optimizer.iterations) == 1
    assert gan.generate(2).dtype == np.float32


def test_a_mixed_float16_run_resumes_samples_and_exports_in_float32(tmp_path):
    config = tiny_config(tmp_path, arch="dcgan", precision="mixed_float16", epochs=1,
                         batch_size=64).replace(data={"image_size": 16})
    run_dir = run_training(config, verbose=0).run_dir
    resume_training(run_dir, epochs=2, verbose=0)
    _, gan, checkpoint = load_run(run_dir)
    assert checkpoint.name == "epoch_0002.weights.h5"
    assert {layer.compute_dtype for layer in gan.generator.layers[1:]} == {"float32"}
    result = export_run(run_dir, ExportConfig(out=str(tmp_path / "export"),
                                              formats=("saved_model",)))
    assert all(check.passed for check in result.checks)  # float32 rebuild: exact to 1e-4


def test_unknown_precision_is_refused(tmp_path):
    with pytest.raises(ConfigError, match="Invalid precision: expected one of float32, "
                                          "mixed_bfloat16, mixed_float16"):
        tiny_config(tmp_path, precision="float8").validate()
