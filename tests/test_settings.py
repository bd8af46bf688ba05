"""Settings as data (explorer.settings): every page's table encodes its values into a link and decodes
them back, refuses what it cannot use with a plain reason, and knows what a teacher may hide."""

from __future__ import annotations

import pytest

from explorer.page_settings import GRAPH, WALKTHROUGH
from explorer.settings import Setting, Settings

TABLE = Settings("test", "t_", (
    Setting("program", "program", "x = 1.0", "Program"),
    Setting("dtype", "choice", "float32", "Float dtype", ("float32", "float64")),
    Setting("lr", "float", 0.01, "Learning rate", low=0.0, high=10.0),
    Setting("steps", "int", 50, "Steps", low=1, high=1000),
    Setting("quiz", "bool", False, "Quiz"),
    Setting("opts", "list", ["sgd"], "Optimizers", ("sgd", "adam", "rmsprop")),
    Setting("target", "text", "", "Target"),
    Setting("step", "int", 1, "Step", low=1, high=99, client=True),
), controls=("example",))


def test_a_link_holds_only_what_differs_and_comes_back_exactly():
    values = {"program": "w = tf.Variable(2.0)\ny = w * w  # ünïcode", "dtype": "float64", "lr": 0.001,
              "steps": 50, "quiz": True, "opts": ["adam", "sgd"], "target": "y", "step": 3}
    params = TABLE.encode(values, hidden={"dtype", "example"}, present=True)
    assert "steps" not in params                       # the default is not written
    assert params["lr"] == "0.001" and params["quiz"] == "1" and params["opts"] == "adam,sgd"
    assert params["hide"] == "dtype,example" and params["present"] == "1"
    decoded, hidden, present, errors = TABLE.decode(params)
    assert errors == [] and present is True and hidden == {"dtype", "example"}
    assert decoded == {k: v for k, v in values.items() if k != "steps"}


@pytest.mark.parametrize("params, says", [
    ({"dtype": "float16"}, "dtype='float16' is not one of float32, float64"),
    ({"lr": "nan"}, "lr='nan' is not a finite number"),
    ({"lr": "11"}, "lr=11 is outside 0 … 10"),
    ({"steps": "1.5"}, "steps='1.5' is not an integer"),
    ({"quiz": "maybe"}, "quiz='maybe' is not on/off"),
    ({"opts": "sgd,lbfgs"}, "opts: lbfgs is not one of sgd, adam, rmsprop"),
    ({"program": "not-a-program!!"}, "could not be read"),
    ({"target": "y" * 201}, "longer than 200 characters"),
    ({"hide": "editor"}, "this page has no control named 'editor'"),
])
def test_a_bad_value_is_refused_with_its_reason_and_the_rest_applies(params, says):
    rest = {"quiz": "1"} if "quiz" not in params else {"steps": "7"}
    decoded, _, _, errors = TABLE.decode({**params, **rest})
    assert decoded.get("quiz") is True or decoded.get("steps") == 7       # the good value still applies
    assert len(errors) == 1 and says in errors[0]


def test_a_setting_that_cannot_be_hidden_says_so():
    table = Settings("t", "t_", (Setting("seed", "int", 0, "Seed", low=0, high=9, hideable=False),))
    _, hidden, _, errors = table.decode({"hide": "seed"})
    assert not hidden and "cannot be hidden" in errors[0]


def test_tables_are_well_formed():
    for table in (GRAPH, WALKTHROUGH):
        assert table.defaults()["program"]                       # each opens with an example
        assert table.key("dtype") == table.prefix + "dtype"
        assert "| `program` |" in table.markdown()
    with pytest.raises(ValueError):
        Settings("t", "t_", (Setting("a", "int", 0, "A"), Setting("a", "int", 0, "A")))
    with pytest.raises(ValueError):
        Setting("hide", "int", 0, "Hide")
    with pytest.raises(ValueError):
        Setting("x", "colour", 0, "X")
