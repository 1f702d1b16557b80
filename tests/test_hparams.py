"""hparams.validate: every setting accepts good values and refuses nonsense with a reason."""

import pytest

from tui_charrnn.hparams import SPECS, Hyperparams, validate

GOOD = {
    "hidden_size": [("100", 100), (1, 1), ("2048", 2048), ("64.0", 64)],
    "seq_length": [("25", 25), (1, 1), ("1000", 1000)],
    "learning_rate": [("0.1", 0.1), ("1e-3", 0.001), (2, 2.0)],
    "batch_size": [("1", 1), ("32", 32), (1024, 1024)],
    "clip": [("5", 5.0), ("0.5", 0.5)],
    "seed": [("0", 0), ("42", 42), (str(2**32 - 1), 2**32 - 1)],
    "temperature": [("0", 0.0), ("1", 1.0), ("0.7", 0.7), ("100", 100.0)],
    "sample_length": [("200", 200), ("1", 1)],
    "sample_every": [("100", 100), ("1", 1)],
    "dtype": [("float64", "float64"), (" float32 ", "float32")],
    "val_fraction": [("0.1", 0.1), ("0", 0.0), ("0.499", 0.499), (0.25, 0.25)],
    "model": [("rnn", "rnn"), (" lstm", "lstm"), ("gru", "gru")],
    "layers": [("1", 1), (3, 3), ("2.0", 2)],
    "optimizer": [("adagrad", "adagrad"), ("rmsprop", "rmsprop"), ("adam ", "adam")],
    "dropout": [("0", 0.0), ("0.5", 0.5), ("0.99", 0.99)],
    "lr_decay": [("1", 1.0), ("0.97", 0.97), ("1e-3", 0.001)],
}

BAD = {
    "hidden_size": [
        ("0", ">= 1"),
        ("-5", ">= 1"),
        ("5000", "<= 2048"),
        ("1e9", "<= 2048"),
        ("2.5", "whole number"),
        ("nan", "whole number"),
        ("inf", "whole number"),
        ("ten", "whole number"),
        ("", "whole number"),
    ],
    "seq_length": [("0", ">= 1"), ("-1", ">= 1"), ("100000", "<= 1000"), ("x", "whole")],
    "learning_rate": [
        ("0", "> 0"),
        ("-0.1", "> 0"),
        ("nan", "finite"),
        ("inf", "finite"),
        ("-inf", "finite"),
        ("fast", "must be a number"),
        ("1e10", "<= 1e+09"),
    ],
    "batch_size": [("0", ">= 1"), ("-2", ">= 1"), ("100000", "<= 1024"), ("1.5", "whole")],
    "clip": [("0", "> 0"), ("-5", "> 0"), ("nan", "finite"), ("abc", "must be a number")],
    "seed": [("-1", ">= 0"), (str(2**32), "<= 4.29497e+09"), ("seed", "whole")],
    "temperature": [("-0.1", ">= 0"), ("101", "<= 100"), ("nan", "finite"), ("hot", "number")],
    "sample_length": [("0", ">= 1"), ("1000000", "<= 100000"), ("many", "whole")],
    "sample_every": [("0", ">= 1"), ("-100", ">= 1"), ("1e10", "<= 1e+09"), ("often", "whole")],
    "dtype": [("float16", "one of float64, float32"), ("", "one of"), ("double", "one of")],
    "val_fraction": [
        ("-0.1", ">= 0"),
        ("0.5", "< 0.5"),
        ("1", "< 0.5"),
        ("nan", "finite"),
        ("inf", "finite"),
        ("tenth", "must be a number"),
    ],
    "model": [("LSTM", "one of rnn, gru, lstm"), ("transformer", "one of"), ("", "one of")],
    "layers": [("0", ">= 1"), ("4", "<= 3"), ("1.5", "whole"), ("deep", "whole")],
    "optimizer": [("sgd", "one of adagrad, rmsprop, adam"), ("Adam", "one of")],
    "dropout": [("1", "< 1"), ("-0.1", ">= 0"), ("nan", "finite"), ("half", "must be a number")],
    "lr_decay": [("0", "> 0"), ("1.01", "<= 1"), ("-1", "> 0"), ("inf", "finite")],
}


def test_every_setting_is_covered():
    assert set(GOOD) == set(SPECS) == set(BAD)
    assert set(Hyperparams().to_dict()) == set(SPECS)


@pytest.mark.parametrize("name,text,value", [(n, t, v) for n, vs in GOOD.items() for t, v in vs])
def test_good_values(name, text, value):
    got = validate(name, text)
    assert got == value and type(got) is SPECS[name].kind


@pytest.mark.parametrize("name,text,reason", [(n, t, r) for n, vs in BAD.items() for t, r in vs])
def test_bad_values_say_why(name, text, reason):
    with pytest.raises(ValueError, match="must") as e:
        validate(name, text)
    assert reason in str(e.value)


def test_booleans_and_unknown_names_refused():
    with pytest.raises(ValueError, match="must be a number"):
        validate("learning_rate", True)
    with pytest.raises(ValueError, match="unknown setting"):
        validate("momentum", "0.9")


def test_defaults_are_the_seeds():
    hp = Hyperparams()
    assert (hp.hidden_size, hp.seq_length, hp.learning_rate) == (100, 25, 0.1)
    assert (hp.batch_size, hp.clip, hp.dtype) == (1, 5.0, "float64")
    assert hp.val_fraction == 0.1  # a fresh run holds out the tail (the seed held none)


def test_from_dict_and_with_validate():
    hp = Hyperparams.from_dict({"learning_rate": "0.05", "unknown_future_key": 1})
    assert hp.learning_rate == 0.05
    with pytest.raises(ValueError, match="> 0"):
        hp.with_(learning_rate=0)
    with pytest.raises(ValueError, match=">= 1"):
        Hyperparams.from_dict({"batch_size": 0})
    assert Hyperparams.from_dict(hp.to_dict()) == hp


def test_live_settings():
    live = {n for n, s in SPECS.items() if s.live}
    assert {"learning_rate", "temperature", "clip"} <= live
    assert {"hidden_size", "batch_size", "dtype", "seed", "val_fraction"}.isdisjoint(live)
