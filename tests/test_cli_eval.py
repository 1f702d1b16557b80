"""charrnn-tui eval: a checkpoint's cross-entropy on a text, against the reference
transcription of the seed's maths, with the n-gram baselines; bad inputs."""

import json
import math

import numpy as np
import pytest
import reference
from cli_helpers import make_text, seed_only_checkpoint
from commands_helpers import bad_targets, call, one_error_line, train_small_run

from tui_charrnn.insight.baselines import ngram_losses


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    return train_small_run(tmp_path_factory.mktemp("eval"))


def reference_loss(params, ixs, warmup):
    """Mean -ln p of ixs[warmup:] from a zero state, by the per-timestep transcription."""
    H = params["Whh"].shape[0]
    h = np.zeros((H, 1))
    if warmup > 1:
        _, _, h = reference.loss_fun(params, ixs[: warmup - 1], ixs[1:warmup], h)
    loss, _, _ = reference.loss_fun(params, ixs[warmup - 1 : -1], ixs[warmup:], h)
    return loss / (len(ixs) - warmup)


@pytest.mark.parametrize("warmup", [1, 37])
def test_matches_the_reference_on_the_training_text(tmp_path, capsys, warmup):
    text = make_text(1500)
    ckpt, params, chars = seed_only_checkpoint(tmp_path, text)
    corpus = tmp_path / "text.txt"
    corpus.write_text(text, encoding="utf-8")
    code, out, err = call(capsys, ["eval", ckpt, corpus, "--warmup", warmup, "--json"])
    assert code == 0, err
    got = json.loads(out)
    ixs = [chars.index(c) for c in text]
    want = reference_loss(params, ixs, warmup)
    assert abs(got["nats_per_char"] - want) < 1e-6
    assert got["bits_per_char"] == pytest.approx(want / math.log(2), abs=1e-6)
    assert got["warmup"] == warmup and got["scored"] == len(text) - warmup
    # no run folder: the baselines are counted on the text itself, and say so
    assert got["baselines_counted_on"].startswith("this text itself (in-sample")
    base = ngram_losses(np.array(ixs), np.array(ixs[max(0, warmup - 2) :]), len(chars))
    for name, value in base.items():
        assert got["baselines"][name]["nats_per_char"] == pytest.approx(value, rel=1e-12)


def test_table_states_the_warmup_and_the_baselines(capsys, trained):
    folder, corpus = trained
    code, out, _ = call(capsys, ["eval", folder, corpus])
    assert code == 0
    flat = " ".join(out.split())
    for word in ("nats/char", "bits/char", "char-RNN", "uniform", "unigram", "bigram", "trigram"):
        assert word in flat
    assert "the first 100 read as warm-up from a zero state, 1,900 scored" in flat
    assert "counted on the training part of corpus" in flat


def test_json_baselines_come_from_the_runs_corpus(capsys, trained):
    folder, corpus = trained
    code, out, _ = call(capsys, ["eval", folder, corpus, "--json", "--warmup", 1])
    got = json.loads(out)
    assert code == 0
    assert got["baselines_counted_on"] == "the training part of corpus.txt (1,800 characters)"
    assert set(got["baselines"]) == {"uniform", "unigram", "bigram", "trigram"}
    assert got["baselines"]["uniform"]["nats_per_char"] == pytest.approx(
        math.log(got["vocab_size"])
    )


def test_short_text_gets_a_shorter_default_warmup(tmp_path, capsys, trained):
    folder, _ = trained
    short = tmp_path / "short.txt"
    short.write_text("the fox sat on a branch", encoding="utf-8")
    code, out, _ = call(capsys, ["eval", folder, short, "--json"])
    assert code == 0 and json.loads(out)["warmup"] == 2


def test_bad_inputs(tmp_path, capsys, trained):
    folder, corpus = trained
    for target, message in bad_targets(tmp_path):
        code, out, err = call(capsys, ["eval", target, corpus])
        assert code == 2 and out == "", target
        one_error_line(err, message)
    (tmp_path / "empty.txt").write_text("")
    (tmp_path / "alien.txt").write_text("the fox ΩZ", encoding="utf-8")
    (tmp_path / "one.txt").write_text("t")
    for text, flags, message in [
        (tmp_path / "empty.txt", [], "the file is empty"),
        (tmp_path / "nope.txt", [], "no file"),
        (tmp_path / "alien.txt", [], "not in the vocabulary"),
        (tmp_path / "one.txt", [], "nothing left to score"),
        (corpus, ["--warmup", 5000], "nothing left to score after a warm-up of 5,000"),
    ]:
        code, out, err = call(capsys, ["eval", folder, text, *flags])
        assert code == 2 and out == "", text
        one_error_line(err, message)
    code, out, err = call(capsys, ["eval", folder, tmp_path / "alien.txt", "--skip-unknown"])
    assert code == 0 and "dropped 2 characters" in err
    code, _, err = call(capsys, ["eval", folder, corpus, "--warmup", 0])
    assert code == 2 and "argument --warmup: must be between 1" in err
