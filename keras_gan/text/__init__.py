"""The text side of text-to-image: caption tokenizer, encoders, image-text matching.

vocabulary.py  TextVectorization adapted on the training captions; its vocabulary file
               (what a phone app tokenizes with: TFLite models take token ids)
encoders.py    text_encoder (embedding + bidirectional GRU) and a small image_encoder
matching.py    contrastive_loss (CLIP / DAMSM sentence loss; the text2image family's
               encoder stage trains on it), r_precision (AttnGAN's metric)
"""

from keras_gan.text.encoders import image_encoder, text_encoder
from keras_gan.text.matching import contrastive_loss, r_precision
from keras_gan.text.vocabulary import build_vocabulary, load_vocabulary, save_vocabulary

__all__ = ["build_vocabulary", "contrastive_loss", "image_encoder", "load_vocabulary",
           "r_precision", "save_vocabulary", "text_encoder"]
