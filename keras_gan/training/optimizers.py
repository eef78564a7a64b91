"""Adam whose per-variable update is one TensorFlow kernel.

keras.optimizers.Adam updates each variable with about a dozen small ops (two moment updates,
a square, a square root, a division, ...). On CPUs, where a GAN step of small matmuls is
bound by how many ops TensorFlow dispatches, that is a real share of `gan`'s step
(benchmarks/RESULTS.md#fused-adam). FusedAdam keeps
Keras' Adam (its variables, names, learning rate, schedules, loss scaling, tf.distribute
handling and checkpoints are Keras') and only replaces the arithmetic of `update_step` with
`tf.raw_ops.ResourceApplyAdam`, the kernel behind TF1's AdamOptimizer, which computes the
same formula in one pass:

    m += (g - m)(1 - beta_1);  v += (g² - v)(1 - beta_2)
    var -= lr·sqrt(1 - beta_2^t) / (1 - beta_1^t) · m / (sqrt(v) + epsilon)

Results agree with Keras' Adam to float rounding (the kernel computes 1 - beta_2 in float32
where Keras rounds it from Python's float64). Sparse gradients (embeddings), amsgrad, and
variables of other backends take Keras' own update.
"""

from __future__ import annotations

import keras
import tensorflow as tf


@keras.saving.register_keras_serializable(package="keras_gan")
class FusedAdam(keras.optimizers.Adam):

    def update_step(self, gradient, variable, learning_rate):
        if self.amsgrad or not isinstance(gradient, tf.Tensor) \
                or not isinstance(variable, tf.Variable):
            return super().update_step(gradient, variable, learning_rate)
        dtype = variable.dtype
        index = self._get_variable_index(variable)
        step = tf.cast(self.iterations + 1, dtype)
        tf.raw_ops.ResourceApplyAdam(
            var=variable.handle,
            m=self._momentums[index].value.handle,
            v=self._velocities[index].value.handle,
            beta1_power=tf.pow(tf.cast(self.beta_1, dtype), step),
            beta2_power=tf.pow(tf.cast(self.beta_2, dtype), step),
            lr=tf.cast(learning_rate, dtype),
            beta1=tf.cast(self.beta_1, dtype),
            beta2=tf.cast(self.beta_2, dtype),
            epsilon=tf.cast(self.epsilon, dtype),
            grad=tf.cast(gradient, dtype))
