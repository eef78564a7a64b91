"""Network registry, by name and role: one file per network family, one line each.

`build_network(role, name, ...)` builds one; `names(role)` lists what a family's
--generator / --discriminator options may choose from.
"""

from __future__ import annotations

import keras

from keras_gan.errors import ConfigError
from keras_gan.networks import dcgan, dfgan, discogan, mlp, patchgan, resnet, srresnet, unet
from keras_gan.networks.base import ROLES, Network
from keras_gan.registry import Registry

NETWORKS: Registry[Network] = Registry("network")


def register(name: str, network: Network) -> None:
    NETWORKS.register(f"{network.role}:{name}", network)


register("mlp", mlp.GENERATOR)
register("mlp", mlp.DISCRIMINATOR)
register("dcgan", dcgan.GENERATOR)
register("dcgan", dcgan.DISCRIMINATOR)
register("unet", unet.TRANSLATOR)
register("resnet", resnet.TRANSLATOR)
register("discogan", discogan.TRANSLATOR)
register("patchgan", patchgan.DISCRIMINATOR)
register("discogan", discogan.DISCRIMINATOR)
register("srresnet", srresnet.UPSCALER)
register("srgan", srresnet.DISCRIMINATOR)
register("dfgan", dfgan.GENERATOR)
register("dfgan", dfgan.DISCRIMINATOR)


def names(role: str) -> list[str]:
    return [key.split(":", 1)[1] for key in NETWORKS.names() if key.startswith(f"{role}:")]


def get_network(role: str, name: str) -> Network:
    if role not in ROLES or name not in names(role):
        raise ConfigError(f"Unknown {role} network {name!r}. Expected one of: "
                          f"{', '.join(names(role))}. Received: {role}={name!r}.")
    return NETWORKS.get(f"{role}:{name}")


def build_network(role: str, name: str, *args, **kwargs) -> keras.Model:
    return get_network(role, name).build(*args, **kwargs)


__all__ = ["NETWORKS", "Network", "build_network", "get_network", "names"]
