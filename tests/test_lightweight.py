"""The lightweight (FastGAN) family: its networks, one train step for every pair of options,
exact resume after SIGKILL, and the verified export with the seed signatures."""

import numpy as np
import pytest
import tensorflow as tf
from click.testing import CliRunner
from PIL import Image

from keras_gan.cli.app import cli
from keras_gan.families.lightweight import shrink
from keras_gan.networks import lightweight
from keras_gan.training.factory import build_model
from tests.conftest import blobs, pairwise, tiny_config
from tests.test_resume import assert_same_state, cli_run, weights_and_counters


def layer_types(model) -> list[str]:
    return [type(layer).__name__ for layer in model.layers]


@pytest.mark.parametrize("size, excitations", [(16, (0, 0)), (64, (1, 1)), (128, (2, 2))])
def test_networks_take_their_sizes_with_skip_layer_excitation_from_64_px(size, excitations):
    generator = lightweight.build_generator(8, (size, size, 3), 2)
    discriminator = lightweight.build_discriminator((size, size, 3), 2)
    assert generator.output_shape == (None, size, size, 3)
    # a 5x5 map of logits, and the 8x8 and 16x16 maps the decoders read
    assert [s[1:] for s in discriminator.output_shape] == [(25,), (8, 8, 16), (16, 16, 8)]
    # SLE in G: 4 -> 64 (and 8 -> 128); in D: 64 -> 8 (and 128 -> 16)
    assert (layer_types(generator).count("Multiply"), layer_types(discriminator).count("Multiply")) \
        == excitations


@pytest.mark.parametrize("size, sides", [(16, (16, 8)), (64, (64, 32)), (256, (128, 128))])
def test_the_decoders_rebuild_the_image_and_a_quadrant_at_most_128_px(size, sides):
    decoder = lightweight.build_decoder((size, size, 1), 2)
    assert [s[1:3] for s in decoder.output_shape] == [(sides[0],) * 2, (sides[1],) * 2]
    assert lightweight.reconstruction_sizes(size) == sides


def test_a_generator_with_skip_layer_excitation_saves_as_a_saved_model(tmp_path):
    generator = lightweight.build_generator(8, (64, 64, 3), 2)  # SLE 4 -> 64
    serve = tf.function(lambda z: generator(z, training=False),
                        input_signature=[tf.TensorSpec((None, 8), tf.float32)])
    module = tf.Module()
    module.generator = generator
    tf.saved_model.save(module, str(tmp_path / "sm"), signatures={"serving_default": serve})
    z = np.random.default_rng(0).normal(size=(2, 8)).astype("float32")
    loaded = tf.saved_model.load(str(tmp_path / "sm")).signatures["serving_default"]
    np.testing.assert_allclose(next(iter(loaded(tf.constant(z)).values())).numpy(),
                               generator(z, training=False).numpy(), atol=1e-6)


def test_quadrant_picks_each_samples_own_quarter_and_shrink_averages():
    maps = np.arange(4 * 4 * 4 * 2, dtype="float32").reshape(4, 4, 4, 2)
    picked = lightweight.quadrant(tf.constant(maps), tf.constant([0, 1, 2, 3])).numpy()
    expected = [maps[0, :2, :2], maps[1, :2, 2:], maps[2, 2:, :2], maps[3, 2:, 2:]]
    np.testing.assert_array_equal(picked, np.stack(expected))
    np.testing.assert_allclose(shrink(tf.constant(maps), 2).numpy()[0, 0, 0],
                               maps[0, :2, :2].mean(axis=(0, 1)))


OPTIONS = pairwise(noise=[False, True], reconstruction=[0.0, 1.0],
                   augment=["", "translation,color,cutout", "ada"], d_steps=[1, 2],
                   channels=[1, 3], loss=["hinge", "bce"])


@pytest.mark.parametrize("combo", OPTIONS, ids=lambda c: "-".join(f"{k}={v}" for k, v in c.items()))
def test_one_train_step_of_every_pair_of_options(tmp_path, combo):
    config = tiny_config(tmp_path, family="lightweight", loss=combo["loss"],
                         augment=combo["augment"], d_steps=combo["d_steps"]).replace(
        data={"channels": combo["channels"]},
        model={"noise": combo["noise"], "reconstruction": combo["reconstruction"]})
    gan = build_model(config)
    gan.run_eagerly = True  # many combinations: skipping the graph trace keeps this fast
    def trained(net):
        return [w.numpy().copy() for w in net.trainable_weights]

    before = {name: trained(net) for name, net in gan.networks.items()}
    images = np.random.default_rng(0).uniform(-1, 1, (3 * combo["d_steps"], 16, 16,
                                                      combo["channels"])).astype("float32")
    logs = gan.train_on_batch(images, return_dict=True)
    assert {"d_loss", "g_loss", "recon_loss", "real_score", "fake_score"} <= set(logs)
    assert all(np.isfinite(v) for v in logs.values())
    assert (logs["recon_loss"] > 0) == (combo["reconstruction"] > 0)
    changed = {name: any(not np.array_equal(a, b) for a, b in zip(before[name], trained(net)))
               for name, net in gan.networks.items()}
    # the decoders learn only from the reconstruction loss
    assert changed == {"generator": True, "discriminator": True,
                       "discriminator_decoder": combo["reconstruction"] > 0}
    noise = [l.weight.numpy() for l in gan.generator.layers if type(l).__name__ == "NoiseInjection"]
    assert len(noise) == (2 if combo["noise"] else 0)  # the 8 px block's two convolutions
    assert all(w != 0 for w in noise)  # learned from 0
    assert int(gan.d_optimizer.iterations) == combo["d_steps"]
    assert gan.generate(2).shape == (2, 16, 16, combo["channels"])


def test_noise_injection_leaves_sampling_a_function_of_the_seed(tmp_path):
    config = tiny_config(tmp_path, family="lightweight").replace(data={"channels": 3},
                                                                 model={"noise": True})
    gan = build_model(config)
    for layer in gan.generator.layers:
        if type(layer).__name__ == "NoiseInjection":
            layer.weight.assign(0.5)
    z = gan.latents(2, seed=4)
    np.testing.assert_array_equal(gan.generator(z).numpy(), gan.generator(z).numpy())
    assert not np.array_equal(gan.generator(z, training=True).numpy(),
                              gan.generator(z, training=True).numpy())


@pytest.fixture(scope="module")
def blob_folder(tmp_path_factory):
    """24 RGB pictures of soft blobs at 16 px."""
    folder = tmp_path_factory.mktemp("blobs")
    for i, picture in enumerate(blobs(24, 16)):
        Image.fromarray(picture).save(folder / f"{i:02d}.png")
    return folder


ARGS = ["--family", "lightweight", "--image-size", "16", "--width", "2", "--latent-dim", "8",
        "--batch-size", "8", "--seed", "5", "--eval-every", "0", "--snap", "1", "--ema", "0.9",
        "--noise", "--precision", "float32"]


def train_args(blob_folder, run_dir) -> list[str]:
    return ["train", "--data", str(blob_folder), "--epochs", "2", "--run-dir", str(run_dir), *ARGS]


@pytest.fixture(scope="module")
def uninterrupted(blob_folder, tmp_path_factory):
    """Two epochs in one go: the reference of the resume test, and the run exported."""
    run_dir = tmp_path_factory.mktemp("whole") / "run"
    done = CliRunner().invoke(cli, ["--quiet", *train_args(blob_folder, run_dir)])
    assert done.exit_code == 0, done.output
    return run_dir


@pytest.mark.slow
def test_sigkill_mid_epoch_then_resume_equals_an_uninterrupted_run(blob_folder, uninterrupted,
                                                                   tmp_path):
    killed = cli_run(train_args(blob_folder, tmp_path / "killed"), at=(2, 2), signal_name="KILL")
    assert killed.returncode == -9
    resumed = CliRunner().invoke(cli, ["--quiet", "train", "--resume", str(tmp_path / "killed")])
    assert resumed.exit_code == 0, resumed.output
    assert_same_state(weights_and_counters(tmp_path / "killed"), weights_and_counters(uninterrupted))


@pytest.mark.slow
def test_export_is_verified_and_one_seed_is_one_image_everywhere(uninterrupted, tmp_path):
    from ai_edge_litert.interpreter import Interpreter

    from keras_gan.commands.export import export_run
    from keras_gan.config import ExportConfig
    from keras_gan.io.images import to_uint8
    from keras_gan.latents import reference_latents
    from keras_gan.runs import load_run

    result = export_run(uninterrupted, ExportConfig(out=str(tmp_path / "out"), name="blobs",
                                                    formats=("saved_model", "tflite", "onnx", "keras"),
                                                    calibration_samples=8))
    assert result.checks and all(check.passed for check in result.checks)
    card = (result.path / "MODEL_CARD.md").read_text()
    assert "Liu et al. 2021" in card and "Few-shot Image Synthesis" in card
    seeds = [0, 9]
    served = tf.saved_model.load(str(result.path)).signatures["generate"](
        seed=tf.constant(seeds, tf.int64))["images"].numpy()
    _, gan, _ = load_run(uninterrupted)
    np.testing.assert_array_equal(to_uint8(gan.generate(1, seed=9)), served[1:])
    runner = Interpreter(model_path=str(result.path / "generator.tflite")).get_signature_runner()
    np.testing.assert_array_equal(runner(latent=reference_latents(seeds, 8))["images"], served)


def test_x_flips_are_on_for_colour_folders_and_off_for_grayscale_unless_set(blob_folder, tmp_path):
    from keras_gan.resolve import resolve
    from tests.conftest import small_digits

    def mirror(data, **model):
        config = tiny_config(tmp_path, family="lightweight", data=str(data))
        return resolve(config.replace(model=model))[0].model.mirror

    assert (mirror(blob_folder), mirror(small_digits())) == (True, False)
    assert mirror(blob_folder, mirror=False) is False
