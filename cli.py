"""`python cli.py ...` keeps working from a checkout: the same command as `keras-gan ...`
(keras_gan.cli). Installed, use `keras-gan` or `python -m keras_gan`."""

from keras_gan.cli import main

if __name__ == "__main__":
    main()
