"""Random numbers for one run: TensorFlow's, NumPy's and Python's, each seeded per run, none global.

`tf.random.set_seed(s)` in a program, or the seed on the page, seeds the run's own stream. TensorFlow's
eager random ops draw (global seed, op seed) with the op seed taken from a `random.Random(global seed)`,
then run a Philox kernel from counter 0; the stateless V2 kernels take that key and counter directly.
So the numbers here are exactly those of the same program run in TensorFlow after
`tf.random.set_seed(s)`, while the server's global random state is never touched (it is shared by
every browser session).
"""

from __future__ import annotations

import random

import numpy as np
import tensorflow as tf

_MAXINT32 = 2 ** 31 - 1
_PHILOX = 1            # tf.random.Algorithm.PHILOX
_RESERVE = 256         # the stateful kernels skip output_count × 256 128-bit blocks per call


class RandomStreams:
    def __init__(self, seed: int):
        self.python = random.Random(seed)
        self.numpy = np.random.RandomState(seed % 2 ** 32)
        self.set_tf_seed(seed)

    # ---- TensorFlow ---------------------------------------------------------------------------------

    def set_tf_seed(self, seed) -> None:
        try:
            seed = int(seed)
        except (TypeError, ValueError):
            raise TypeError(f"the seed must be a whole number, not {seed!r}") from None
        self.tf_seed = seed
        self._op_seeds = random.Random(seed)
        self._offsets: dict[tuple[int, int], int] = {}

    def _key_counter(self, op_seed, n: int) -> tuple[tf.Tensor, tf.Tensor]:
        if op_seed is None:
            op_seed = self._op_seeds.randint(0, _MAXINT32)
        elif not isinstance(op_seed, (int, np.integer)) or isinstance(op_seed, bool):
            raise TypeError(f"`seed` must be a whole number, not {op_seed!r}")
        seeds = (self.tf_seed % _MAXINT32, int(op_seed) % _MAXINT32)
        if seeds == (0, 0):
            seeds = (0, _MAXINT32)
        # an op seed given by the program reuses TensorFlow's cached kernel, which continues its stream
        offset = self._offsets.get(seeds, 0)
        self._offsets[seeds] = offset + max(n, 1) * _RESERVE
        return (tf.constant([seeds[0]], tf.uint64), tf.constant([offset, seeds[1]], tf.uint64))

    def normal(self, shape, mean=0.0, stddev=1.0, dtype=tf.float32, seed=None):
        return self._scaled(tf.raw_ops.StatelessRandomNormalV2, shape, mean, stddev, dtype, seed)

    def truncated_normal(self, shape, mean=0.0, stddev=1.0, dtype=tf.float32, seed=None):
        return self._scaled(tf.raw_ops.StatelessTruncatedNormalV2, shape, mean, stddev, dtype, seed)

    def _scaled(self, raw_op, shape, mean, stddev, dtype, seed):
        """mean + stddev * draws, as tf.random.normal and truncated_normal compute it."""
        dtype = tf.as_dtype(dtype)
        mean_t = tf.convert_to_tensor(mean, dtype=dtype)
        stddev_t = tf.convert_to_tensor(stddev, dtype=dtype)
        key, counter = self._key_counter(seed, int(np.prod(shape)))
        rnd = raw_op(shape=tf.constant(shape, tf.int32), key=key, counter=counter, alg=_PHILOX, dtype=dtype)
        return tf.add(rnd * stddev_t, mean_t)

    def uniform(self, shape, minval=0, maxval=None, dtype=tf.float32, seed=None):
        dtype = tf.as_dtype(dtype)
        if dtype not in (tf.float16, tf.bfloat16, tf.float32, tf.float64, tf.int32, tf.int64):
            raise ValueError(f"Argument `dtype` got invalid value {dtype}.")
        if maxval is None:
            if dtype.is_integer:
                raise ValueError(f"Must specify maxval for integer dtype {dtype!r}")
            maxval = 1
        shape_t = tf.constant(shape, tf.int32)
        minval_is_zero = isinstance(minval, int) and minval == 0
        maxval_is_one = isinstance(maxval, int) and maxval == 1
        if not minval_is_zero or not maxval_is_one or dtype.is_integer:
            minval = tf.convert_to_tensor(minval, dtype=dtype)
            maxval = tf.convert_to_tensor(maxval, dtype=dtype)
        key, counter = self._key_counter(seed, int(np.prod(shape)))
        if dtype.is_integer:
            return tf.raw_ops.StatelessRandomUniformIntV2(shape=shape_t, key=key, counter=counter, alg=_PHILOX,
                                                          minval=minval, maxval=maxval)
        result = tf.raw_ops.StatelessRandomUniformV2(shape=shape_t, key=key, counter=counter, alg=_PHILOX,
                                                     dtype=dtype)
        if minval_is_zero:
            return result if maxval_is_one else tf.multiply(result, maxval)
        return tf.add(result * (maxval - minval), minval)

    def shuffle(self, value, seed=None):
        value = tf.convert_to_tensor(value)
        key, counter = self._key_counter(seed, int(value.shape[0]) if value.shape.rank else 1)
        return tf.raw_ops.StatelessShuffle(value=value, key=key, counter=counter, alg=_PHILOX)

    def categorical(self, logits, num_samples, dtype=None, seed=None):
        """Deterministic per run; TensorFlow's stateful multinomial has no stateless twin with the same
        stream, so these samples are not the ones a notebook would draw."""
        key, counter = self._key_counter(seed, int(num_samples))
        seed_pair = tf.stack([tf.cast(key[0] % _MAXINT32, tf.int64), tf.cast(counter[1], tf.int64)])
        return tf.random.stateless_categorical(logits, num_samples, seed_pair, dtype=dtype)

    def draw(self, op: str, bound: dict):
        args = {k: v for k, v in bound.items() if k != "name"}
        return {"normal": self.normal, "uniform": self.uniform, "truncated_normal": self.truncated_normal,
                "shuffle": self.shuffle, "categorical": self.categorical}[op](**args)
