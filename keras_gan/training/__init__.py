"""Training machinery: the run (run.py), callbacks, checkpoints, pacing, progress, history,
the schedule, optimizers, losses, augmentation, seeds, tf.distribute and the factory that
builds a compiled model from a resolved config."""
