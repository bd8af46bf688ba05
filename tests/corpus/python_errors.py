# Exceptions: raised, caught by class, re-raised, finally, assert with a message, a custom class.
class TrainingError(Exception):
    pass

def check(x):
    if x < 0:
        raise ValueError(f"negative: {x}")
    return x

log = []
for v in [1, -2, 3]:
    try:
        check(v)
        log.append("ok")
    except ValueError as e:
        log.append(str(e))
    finally:
        log.append("done")
try:
    raise TrainingError("diverged")
except TrainingError as e:
    kind = type(e).__name__
try:
    [1, 2][5]
except IndexError:
    kind2 = "index"
try:
    {"a": 1}["b"]
except KeyError as e:
    kind3 = "key"
try:
    1 / 0
except ZeroDivisionError as e:
    message = str(e)
try:
    assert 1 > 2, "one is not more than two"
except AssertionError as e:
    assertion = str(e)
try:
    tf.reshape(tf.range(6), (4, -1))
except tf.errors.InvalidArgumentError as e:
    tf_kind = type(e).__name__
print(log, kind, kind2, kind3, message, assertion, tf_kind)
