"""What each command does, one module each (train is keras_gan.training.run); the click
layer that parses arguments and prints results is keras_gan.cli."""
