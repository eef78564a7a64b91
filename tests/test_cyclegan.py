"""CycleGAN and DiscoGAN on the shared spine: a step per option pair, the history pool,
unpaired data layouts, exact resume, two-way previews, scores, translate and export."""

import json
import logging
import signal

import keras
import numpy as np
import pytest
import tensorflow as tf
import tensorflow_datasets as tfds
from click.testing import CliRunner
from PIL import Image

from keras_gan.cli.app import cli
from keras_gan.config import ExportConfig
from keras_gan.data import DATASETS, DataError, DataRequest, load_data
from keras_gan.evaluation.two_way import luminance_correlation
from keras_gan.commands.export import export_run
from keras_gan.training.factory import build_model
from keras_gan.families.pool import ImagePool
from keras_gan.training.losses import LOSSES
from keras_gan.resolve import resolve
from keras_gan.runs import load_run
from keras_gan.training.run import resume_training, run_training
from tests.conftest import blobs, pairwise, small_unpaired, tiny_config, write_image
from tests.test_resume import assert_same_state, cli_run, weights_and_counters


def domains(n=4, size=16):
    a = (blobs(n, size, 1) / 127.5 - 1).astype("float32")
    return {"a": a, "b": -a[::-1]}


STEPS = pairwise(family=["cyclegan", "discogan"], loss=LOSSES.names(), identity=[0.0, 0.5],
                 pool=[0, 3], augment=["", "translation,cutout"], generator=["resnet", "unet"])


@pytest.mark.parametrize("combo", STEPS, ids=lambda c: "-".join(f"{k}={v}" for k, v in c.items()))
def test_one_train_step_of_every_pair_of_options(tmp_path, combo):
    family, loss, identity, pool, augment, generator = combo.values()
    options = {} if family == "discogan" else {"identity_weight": identity, "pool_size": pool,
                                              "generator": generator}
    config = tiny_config(tmp_path, family=family, loss=loss, augment=augment).replace(
        data={"channels": 3, "source_channels": 3}, model=options)
    model = build_model(config)
    model.run_eagerly = True
    before = {n: [w.copy() for w in net.get_weights()] for n, net in model.networks.items()}
    d_steps = model.d_steps
    logs = model.train_on_batch(domains(4), return_dict=True)
    assert all(np.isfinite(v) for v in logs.values()), logs
    assert set(model.LOGS) <= set(logs)
    for name, net in model.networks.items():
        assert any(not np.array_equal(a, b) for a, b in zip(before[name], net.get_weights())), name
    assert {n: int(o.iterations) for n, o in model.optimizers.items()} == {
        "g_optimizer": 1, "d_optimizer": d_steps}


def test_four_networks_two_optimizers_named_and_the_reference_parameter_counts(tmp_path):
    from keras_gan.networks import build_network

    trainable = lambda m: sum(int(np.prod(w.shape)) for w in m.trainable_weights)  # noqa: E731
    assert trainable(build_network("translator", "resnet", (256, 256, 3), 3, 64)) == 11_378_179
    assert trainable(build_network("discriminator", "patchgan", (256, 256, 3), 64, "instance")) == 2_764_737
    model = build_model(tiny_config(tmp_path, family="cyclegan")
                        .replace(data={"channels": 3, "source_channels": 3}))
    assert list(model.networks) == ["generator_ab", "generator_ba", "discriminator_a", "discriminator_b"]
    assert model.OPTIMIZERS == {"g_optimizer": ("generator_ab", "generator_ba"),
                                "d_optimizer": ("discriminator_a", "discriminator_b")}


def test_the_pool_passes_through_at_size_0_holds_at_most_size_and_survives_a_checkpoint(tmp_path):
    images = lambda k: tf.fill((1, 2, 2, 1), float(k))  # noqa: E731
    assert np.array_equal(ImagePool(0, (2, 2, 1), seed=0)(images(7)).numpy(), images(7).numpy())
    pool = ImagePool(3, (2, 2, 1), seed=0)
    returned = [float(pool(images(k)).numpy().ravel()[0]) for k in range(40)]
    assert returned[:3] == [0.0, 1.0, 2.0] and int(pool.count.numpy()) == 3  # filling: passed through
    older = [k for k, value in enumerate(returned) if value != k]
    assert 8 < len(older) < 32  # about half of the rest come back from the buffer
    assert all(returned[k] < k for k in older)  # ...and they are older images
    stored = sorted(pool.images.numpy()[:, 0, 0, 0].tolist())
    assert len(stored) == 3 and max(stored) <= 39
    holder = keras.Sequential([keras.Input((2, 2, 1)), pool])
    holder.save_weights(tmp_path / "pool.weights.h5")
    copy = ImagePool(3, (2, 2, 1), seed=99)
    other = keras.Sequential([keras.Input((2, 2, 1)), copy])
    other.load_weights(tmp_path / "pool.weights.h5")
    np.testing.assert_array_equal(copy.images.numpy(), pool.images.numpy())
    np.testing.assert_array_equal(copy.seed_generator.state.numpy(), pool.seed_generator.state.numpy())
    assert [float(copy(images(50)).numpy().ravel()[0]) for _ in range(5)] == \
        [float(pool(images(50)).numpy().ravel()[0]) for _ in range(5)]


def test_unpaired_layouts_reference_two_folders_and_tfds(tmp_path):
    root = small_unpaired()
    data = load_data(DataRequest(str(root), image_size=16), "unpaired")
    assert (len(data.fields["a"]), len(data.fields["b"])) == (24, 24)
    assert (len(data.heldout["a"]), len(data.heldout["b"])) == (4, 4)  # testA/ and testB/
    assert data.groups == [("a",), ("b",)]
    separate = load_data(DataRequest(str(root / "trainA"), image_size=16,
                                     name_b=str(root / "trainB")), "unpaired")
    assert len(separate.fields["a"]) + len(separate.heldout["a"]) == 24  # held out by hash
    (tmp_path / "trainA").mkdir()
    (tmp_path / "trainB").mkdir()
    Image.fromarray(blobs(1, 16)[0]).save(tmp_path / "trainA" / "x.png")
    with pytest.raises(DataError, match="expected images in .*trainB.*empty domain"):
        load_data(DataRequest(str(tmp_path), image_size=16), "unpaired")
    with tfds.testing.mock_data(num_examples=5):
        mocked = load_data(DataRequest("cycle_gan/horse2zebra", str(tmp_path), 8), "unpaired")
    assert mocked.fields["a"].shape == (5, 8, 8, 3) and len(mocked.heldout["b"]) == 5


def test_mnist_colours_domains_are_disjoint_and_know_their_true_translation():
    data = DATASETS.get("mnist_colours").load(DataRequest("mnist_colours", image_size=28))
    a, b = data.fields["a"], data.fields["b"]
    assert len(a) + len(data.heldout["a"]) == 1000 and len(b) + len(data.heldout["b"]) == 1000
    assert (a[..., 0] == a[..., 2]).all() and (b[..., 2] > b[..., 0]).mean() > 0.5  # grey; blue
    truth = data.heldout["a_truth"]
    assert truth.shape == data.heldout["a"].shape
    assert luminance_correlation(truth / 127.5 - 1, truth) > 0.99
    assert luminance_correlation((255 - truth) / 127.5 - 1, truth) < -0.9  # an inversion shows


def test_group_folders_shared_by_both_domains_become_labels(tmp_path):
    for domain, seed in (("A", 1), ("B", 2)):
        for cls, pictures in (("cat", blobs(6, 16, seed)), ("dog", blobs(6, 16, seed + 5))):
            for i, picture in enumerate(pictures):
                path = tmp_path / f"train{domain}" / cls / f"{i}.png"
                path.parent.mkdir(parents=True, exist_ok=True)
                Image.fromarray(picture).save(path)
    data = load_data(DataRequest(str(tmp_path), image_size=16), "unpaired")
    assert data.class_names == ("cat", "dog")
    counts = {d: np.bincount(np.concatenate([data.fields[f"{d}_label"], data.heldout[f"{d}_label"]]))
              for d in "ab"}
    assert all(list(c) == [6, 6] for c in counts.values())
    assert len(data.fields["a_label"]) == len(data.fields["a"]) and data.groups == [("a",), ("b",)]
    for path in (tmp_path / "trainB" / "dog").iterdir():  # B's classes now differ from A's
        path.rename(tmp_path / "trainB" / "cat" / f"dog{path.name}")
    other = load_data(DataRequest(str(tmp_path), image_size=16), "unpaired")
    assert "a_label" not in other.fields and other.class_names is None


class Oracle:
    """A stand-in two-way model for mnist_colours: each direction is a pixel function
    (uint8 -> uint8), so scores have known answers."""

    def __init__(self, ways):
        self.task, self.ways = self, ways

    def network(self, model, direction):
        return self.ways[direction]

    def translate(self, network, images):
        images = np.asarray(images)
        if images.dtype != np.uint8:
            images = np.clip(np.rint((images + 1) * 127.5), 0, 255).astype(np.uint8)
        return network(images).astype("float32") / 127.5 - 1


def test_the_domain_score_sees_whether_a_translation_keeps_the_digit():
    from keras_gan.data.unpaired import BLUE, ORANGE, as_grey_rgb, recolour
    from keras_gan.evaluation import domain_score
    from keras_gan.evaluation.two_way import TwoWayEvaluator

    data = DATASETS.get("mnist_colours").load(DataRequest("mnist_colours", image_size=28))
    grey = lambda b: as_grey_rgb(np.rint((b[..., :1] - BLUE[0]) / (ORANGE[0] - BLUE[0]) * 255)  # noqa: E731
                                 .clip(0, 255).astype(np.uint8))
    recolour_grey = lambda a: recolour(a[..., :1])  # noqa: E731
    scores = {d: domain_score(data, d, 500, seed=0) for d in "ab"}
    evaluator = TwoWayEvaluator(data.heldout, 100, domains=scores)
    right = evaluator.evaluate(Oracle({"AtoB": recolour_grey, "BtoA": grey}))
    assert right["label_accuracy"] > 0.75 and right["label_accuracy_ba"] > 0.75  # ~ its accuracy
    assert right["l1"] < 0.01 < right["baseline_l1"] and right["cycle_l1"] < 0.01
    # the right colours, but each output is another image's digit: only the labels see it
    # (held-out digits are in class order: reversed, nearly every one is another class)
    shuffled = evaluator.evaluate(Oracle({"AtoB": lambda a: recolour_grey(a[::-1]),
                                          "BtoA": lambda b: grey(b[::-1])}))
    assert shuffled["label_accuracy"] < 0.3 and shuffled["label_accuracy_ba"] < 0.3
    assert shuffled["domain_fd"] == pytest.approx(right["domain_fd"])  # the same set of images
    nothing = evaluator.evaluate(Oracle({"AtoB": lambda a: a, "BtoA": lambda b: b}))
    assert nothing["domain_fd"] > 10 * right["domain_fd"]  # grey digits are not domain B


def test_the_generator_loss_is_the_references(tmp_path):
    config = tiny_config(tmp_path, family="cyclegan", loss="lsgan").replace(
        data={"channels": 3, "source_channels": 3})
    model = build_model(config)
    for network in ("discriminator_a", "discriminator_b"):  # D(anything) = 1.5
        d = getattr(model, network)
        for weight in d.weights:
            weight.assign(np.zeros(weight.shape, weight.dtype))
        d.get_layer("logit").bias.assign([1.5])
    batch = domains()
    loss, (fake_a, fake_b, parts) = model.generator_objective(tf.constant(batch["a"]),
                                                              tf.constant(batch["b"]))
    assert float(parts["g_adversarial"]) == pytest.approx(2 * 0.25, rel=1e-5)  # MSE(1.5, 1), twice
    expected = 0.5 + 10 * (float(parts["cycle_a"]) + float(parts["cycle_b"])
                           + 0.5 * float(parts["identity"]))
    assert float(loss) == pytest.approx(expected, rel=1e-5)


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("cyclegan")
    return run_training(tiny_config(tmp, family="cyclegan", epochs=2, decay_epochs=1, seed=3,
                                    eval_every=1), verbose=0)


def test_a_run_previews_both_ways_scores_and_decays_its_rate(trained):
    run = trained.run_dir
    with Image.open(run / "samples" / "epoch_0002.png") as grid:
        width, height = grid.size  # 2 images a domain, six rows: A, G(A), F(G(A)), B, F(B), G(F(B))
    assert height / width == pytest.approx((6 * 18 + 2) / (2 * 18 + 2), rel=0.01)
    best = json.loads((run / "checkpoints" / "best.json").read_text())
    assert best["metric"] == "cycle_l1" and {"cycle_a", "cycle_b", "identity_l1"} <= set(best["result"])
    _, model, _ = load_run(run)
    assert float(model.g_optimizer.learning_rate.numpy()) == pytest.approx(2e-4 / 2)  # 2nd epoch
    assert int(model.pool_a.count.numpy()) == 48  # 2 epochs x 24 fakes, all stored (size 50)


@pytest.mark.slow
def test_sigkill_mid_epoch_then_resume_equals_the_uninterrupted_run(trained, tmp_path):
    run_dir = tmp_path / "killed"
    args = ["train", "--family", "cyclegan", "--data", str(small_unpaired()), "--image-size", "16",
            "--width", "2", "--generator", "unet", "--batch-size", "4", "--epochs", "2", "--decay-epochs", "1",
            "--seed", "3", "--loss", "bce", "--eval-every", "0", "--run-dir", str(run_dir)]
    assert cli_run(args, at=(2, 2), signal_name="KILL").returncode == -signal.SIGKILL
    resume_training(run_dir, verbose=0)
    # the pools' buffers and random states, the rate's place in the schedule: all came back
    assert_same_state(weights_and_counters(run_dir), weights_and_counters(trained.run_dir))


def test_translate_takes_a_direction_and_sample_is_refused(trained, tmp_path):
    picture = tmp_path / "in.png"
    Image.fromarray(blobs(1, 30)[0][:, :22]).save(picture)
    runner = CliRunner()
    for direction in ("AtoB", "BtoA"):
        done = runner.invoke(cli, ["translate", "--run", str(trained.run_dir), str(picture),
                                   "--out", str(tmp_path / direction), "--direction", direction])
        assert done.exit_code == 0, done.output
        with Image.open(tmp_path / direction / "in.png") as out:
            assert out.size == (22, 30)
    assert not np.array_equal(np.asarray(Image.open(tmp_path / "AtoB" / "in.png")),
                              np.asarray(Image.open(tmp_path / "BtoA" / "in.png")))
    sampled = runner.invoke(cli, ["sample", "--run", str(trained.run_dir)])
    assert sampled.exit_code == 1 and "translate" in sampled.output


@pytest.mark.slow
def test_export_writes_and_verifies_both_directions(trained, tmp_path):
    options = ExportConfig(out=str(tmp_path), name="blobs", formats=("saved_model", "tflite", "onnx"),
                           quantize=("float32",))
    result = export_run(trained.run_dir, options)
    paths = [result.path, *(other.path for other in result.others)]
    assert [p.parent.name for p in paths] == ["blobs-AtoB", "blobs-BtoA"]
    for one in (result, *result.others):
        assert all(check.passed for check in one.checks) and len(one.checks) == 9
    _, model, _ = load_run(trained.run_dir)
    image = blobs(2, 16, 5)
    for path, direction in zip(paths, ("AtoB", "BtoA")):
        served = tf.saved_model.load(str(path)).signatures["serving_default"](image=tf.constant(image))
        expected = model.task.translate(model.task.network(model, direction), image)
        assert np.abs(served["image_float"].numpy() - expected).max() < 1e-4
        assert "exported beside it" in (path / "MODEL_CARD.md").read_text()


def grey_and_colour(root):
    """trainA/ grey, trainB/ RGB: domains that differ in channels."""
    for domain, mode in (("A", "L"), ("B", "RGB")):
        for i in range(12):
            write_image(root / f"train{domain}" / f"{i:02d}.png", (16, 16), mode, seed=i)
    return root


def test_grey_to_colour_turns_identity_off_by_default_and_says_so(tmp_path, caplog):
    config = tiny_config(tmp_path, family="cyclegan", data=str(grey_and_colour(tmp_path / "d")))
    with caplog.at_level(logging.INFO, logger="keras_gan.families.cyclegan"):
        resolved, data = resolve(config)
    assert (data.source_channels, data.channels) == (1, 3)
    assert resolved.model.identity_weight == 0.0
    assert "Identity loss off: A has 1 channels and B 3" in caplog.text
    same = resolve(tiny_config(tmp_path, family="cyclegan"))[0]  # both RGB: the paper's weight
    assert same.model.identity_weight == 0.5


def test_an_explicit_identity_weight_with_grey_and_colour_names_the_way_out(tmp_path):
    root = grey_and_colour(tmp_path / "d")
    args = ["train", "--family", "cyclegan", "--data", str(root), "--identity-weight", "0.5",
            "--image-size", "16", "--batch-size", "4", "--dry-run"]
    refused = CliRunner().invoke(cli, args)
    assert refused.exit_code == 1
    assert "pass --identity-weight 0" in refused.output and "identity_weight=0.5" in refused.output
    args[args.index("0.5")] = "0"
    done = CliRunner().invoke(cli, args)
    assert done.exit_code == 0, done.output
    assert json.loads(done.output[done.output.index("{"):])["model"]["identity_weight"] == 0.0
