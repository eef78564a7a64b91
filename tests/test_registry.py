import pytest

from keras_gan.registry import Registry, UnknownNameError


def test_register_get_and_names_sorted():
    registry = Registry("widget")
    registry.register("b", 2)

    @registry.register("a")
    def build():
        return 1

    assert registry.get("a") is build
    assert registry.names() == ["a", "b"]
    assert "b" in registry and "c" not in registry


def test_unknown_name_lists_the_choices():
    registry = Registry("family")
    registry.register("gan", object())
    with pytest.raises(UnknownNameError) as err:
        registry.get("stylegan9")
    message = str(err.value)
    assert "Unknown family 'stylegan9'" in message and "gan" in message
    assert "Received: family='stylegan9'" in message


def test_duplicate_registration_is_refused():
    registry = Registry("loss")
    registry.register("bce", 1)
    with pytest.raises(ValueError, match="already registered"):
        registry.register("bce", 2)
