"""`python -m keras_gan ...`: the keras-gan command."""

from keras_gan.cli import main

if __name__ == "__main__":
    main()
