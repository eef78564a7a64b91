"""Serving specs: what an exported network takes and returns, per task.

A spec tells the exporters (keras_gan.exporters) everything task-specific:
- `outputs`: the output name prefix ("images" for latents, "image" for translation);
  every artifact returns <prefix> uint8 and <prefix>_float float32 in [-1, 1];
- `input_specs()` and `pixel_function(network)`: the single-signature function the
  TFLite and ONNX files are converted from;
- `module(network, options)`: the tf.Module whose signatures the SavedModel serves;
- `fixed(batch)`, `calibration(count)`, `expected(network, feed)`: verification and
  int8 calibration inputs, and the Keras outputs every artifact must reproduce;
- `saved_model_checks(...)`: checks of the SavedModel's extra signatures.
"""
