"""Mixed precision: low-precision compute, float32 variables and losses, loss scaling for
float16, and float32 rebuilds for sampling and export."""

import keras
import numpy as np
import pytest

from keras_gan.config import ConfigError, ExportConfig
from keras_gan.commands.export import export_run
from keras_gan.training.factory import build_model
from keras_gan.runs import load_run
from keras_gan.training.run import resume_training, run_training
from tests.conftest import tiny_config


@pytest.mark.parametrize("precision, compute", [("mixed_bfloat16", "bfloat16"),
                                                ("mixed_float16", "float16")])
@pytest.mark.parametrize("family", ["gan", "dcgan"])
def test_mixed_precision_steps_compute_low_and_keep_float32_state(tmp_path, family, precision, compute):
    config = tiny_config(tmp_path, family=family, precision=precision).replace(data={"channels": 1})
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
    config = tiny_config(tmp_path, family="dcgan", precision="mixed_float16", epochs=1,
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


def test_dcgan_on_a_small_rgb_set_trains_in_bfloat16_where_the_hardware_has_it(tmp_path, monkeypatch):
    from keras_gan.resolve import resolve
    from tests.conftest import small_digits, write_image

    folder = tmp_path / "sprites"
    for i in range(20):
        write_image(folder / f"{i}.png", size=(8, 8), seed=i)

    def resolved(family="dcgan", data=folder, **train):
        return resolve(tiny_config(tmp_path, family=family, data=data, **train))[0]

    assert resolved().train.precision == "float32"  # conftest: no bfloat16 units
    monkeypatch.setattr("keras_gan.families.gan.bfloat16_units", lambda: "CPU with avx512_bf16")
    small = resolved()
    assert small.train.precision == "mixed_bfloat16"
    assert resolve(small)[0] == small  # resolving a resolved config changes nothing
    assert resolved(precision="float32").train.precision == "float32"  # typed wins
    assert resolved(augment="none").train.precision == "mixed_bfloat16"  # each on its own
    # measured only there: digits, the MLP gan and the other families stay float32
    for config in (resolved(data=small_digits()), resolved(family="gan"), resolved(family="pix2pix", data=None)):
        assert config.train.precision == "float32"
    # the run saves it and resumes in it; sampling rebuilds in float32
    run_dir = run_training(small, verbose=0).run_dir
    monkeypatch.setattr("keras_gan.families.gan.bfloat16_units", lambda: None)  # another machine
    resume_training(run_dir, epochs=2, verbose=0)
    config, gan, checkpoint = load_run(run_dir)
    assert config.train.precision == "mixed_bfloat16" and checkpoint.name == "epoch_0002.weights.h5"
    assert {layer.compute_dtype for layer in gan.generator.layers[1:]} == {"float32"}


def test_bfloat16_units_are_read_from_the_cpu_flags_and_the_gpus(tmp_path, monkeypatch):
    import tensorflow as tf

    from keras_gan.training import hardware

    def cpu(text):
        (tmp_path / "cpuinfo").write_text(text)
        return hardware.cpu_bfloat16(tmp_path / "cpuinfo")

    assert cpu("processor\t: 0\nflags\t\t: fpu avx2 avx512f avx512_bf16 avx512_vnni\n") == "avx512_bf16"
    assert cpu("flags\t\t: fpu avx2 amx_tile amx_bf16\n") == "amx_bf16"
    assert cpu("flags\t\t: fpu avx2 avx512f avx512_vnni\n") is None  # AVX-512 without BF16
    assert cpu("Features\t: fp asimd sve bf16 i8mm\n") == "bf16"  # Arm (Graviton 3)
    assert cpu("Features\t: fp asimd\n") is None
    assert hardware.cpu_bfloat16(tmp_path / "missing") is None  # not Linux
    details = {"a100": {"compute_capability": (8, 0)}, "h100": {"compute_capability": (9, 0)},
               "v100": {"compute_capability": (7, 0)}, "rocm": {}}
    monkeypatch.setattr(tf.config.experimental, "get_device_details", details.__getitem__)
    assert hardware.gpu_bfloat16(["h100", "a100"]) == "GPU compute capability 8.0"
    assert hardware.gpu_bfloat16(["a100", "v100"]) is None  # every replica must have them
    assert hardware.gpu_bfloat16(["rocm"]) is None and hardware.gpu_bfloat16([]) is None
