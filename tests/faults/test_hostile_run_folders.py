"""Hostile input met by the command line and the run folder rather than the loaders: a
path too long for the file system, a number too long for Python, and FIFOs planted in a
run folder (settings.json, samples.jsonl, metrics.csv, changes.jsonl) that is resumed."""

import os

import pytest
from cli_helpers import make_text, only_run, run
from fault_helpers import python_m

LONG = "r" * 300  # one name past NAME_MAX: stat() raises ENAMETOOLONG


def _one_line_error(capsys) -> str:
    err = capsys.readouterr().err
    assert err.startswith("charrnn-tui: error: ") and err.count("\n") == 1, err
    return err


def test_resume_with_a_too_long_path_and_a_corpus(tmp_path, capsys):
    code = run(["--headless", "fables", "--resume", tmp_path / LONG, "--runs-dir", tmp_path])
    assert code == 2
    assert "too long" in _one_line_error(capsys)


def test_resume_with_a_too_long_path_alone(tmp_path, capsys):
    assert run(["--headless", "--resume", tmp_path / LONG, "--runs-dir", tmp_path]) == 2
    assert "too long" in _one_line_error(capsys)


def test_iters_of_5000_digits_is_too_large(tmp_path, capsys):
    assert run(["--headless", "fables", "--iters", "9" * 5000, "--runs-dir", tmp_path]) == 2
    last = capsys.readouterr().err.strip().splitlines()[-1]  # after argparse's usage
    assert last.startswith("charrnn-tui: error: argument --iters: too large")


@pytest.fixture
def trained_run(tmp_path):
    corpus = tmp_path / "c.txt"
    corpus.write_text(make_text(2000), encoding="utf-8")
    runs = tmp_path / "runs"
    args = ["--headless", corpus, "--iters", 2, "--hidden-size", 8, "--sample-every", 1]
    assert run([*args, "--sample-length", 5, "--runs-dir", runs]) == 0
    return only_run(runs)


@pytest.mark.parametrize(
    "name,codes",
    [
        ("settings.json", (0, 2)),  # the corpus is then named by nobody: the default, or 2
        ("samples.jsonl", (0,)),
        ("metrics.csv", (0,)),
        ("changes.jsonl", (0,)),
    ],
)
def test_resume_a_run_with_a_fifo_in_its_folder(trained_run, tmp_path, name, codes):
    path = trained_run / name
    path.unlink(missing_ok=True)
    os.mkfifo(path)
    args = ["--headless", "--resume", trained_run, "--iters", 1, "--runs-dir", tmp_path / "b"]
    code, _out, err, _s = python_m(args, timeout=5)
    assert code in codes and "Traceback" not in err
