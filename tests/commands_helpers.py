"""Shared by the tests of the subcommands that use a trained run (sample, eval, runs):
a small trained run folder, bad targets, and running a subcommand with its output."""

import numpy as np
from cli_helpers import only_run, run, write_corpus


def train_small_run(root, iters: int = 40, *flags):
    """Train a small model headless into root/runs; returns (run folder, corpus file)."""
    corpus = write_corpus(root)
    runs = root / "runs"
    code = run(["train", corpus, "--iters", iters, "--hidden-size", 16, "--runs-dir", runs, *flags])
    assert code == 0
    return only_run(runs), corpus


def bad_targets(tmp_path):
    """(target, message) pairs every subcommand reading a checkpoint must refuse."""
    corrupt = tmp_path / "corrupt.npz"
    corrupt.write_bytes(b"PK\x03\x04 this is not a zip file at all")
    empty_run = tmp_path / "empty-run"
    empty_run.mkdir()
    (empty_run / "settings.json").write_text('{"corpus": "fables"}')
    return [
        (tmp_path / "missing.npz", "no such file"),
        (corrupt, "corrupt"),
        (empty_run, "no checkpoint in this folder"),
    ]


def call(capsys, argv):
    """(exit code, stdout, stderr) of charrnn-tui argv."""
    capsys.readouterr()  # not what a fixture printed before
    code = run(argv)
    out, err = capsys.readouterr()
    return code, out, err


def one_error_line(err: str, *needles: str) -> None:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("charrnn-tui: error: "), err
    for needle in needles:
        assert needle in lines[0], (needle, err)
    assert "Traceback" not in err


def argmax_path(params: dict, chars: list[str], prime: str, n: int) -> str:
    """An independent greedy decoder: the seed's maths written out per step, no engine code."""
    Wxh, Whh, Why = params["Wxh"], params["Whh"], params["Why"]
    bh, by = params["bh"].reshape(-1), params["by"].reshape(-1)
    ix = {c: i for i, c in enumerate(chars)}
    h = np.zeros(Whh.shape[0])
    for c in prime:
        h = np.tanh(Wxh[:, ix[c]] + Whh @ h + bh)
    out = []
    for _ in range(n):
        k = int(np.argmax(Why @ h + by))
        out.append(chars[k])
        h = np.tanh(Wxh[:, k] + Whh @ h + bh)
    return prime + "".join(out)
