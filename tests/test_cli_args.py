"""The charrnn-tui command's inputs: bad flags and corpora (one line, exit code 2, no
traceback), --help, --list-corpora, and launching the app without --headless."""

import sys

import pytest
from cli_helpers import python_m, run, write_corpus


@pytest.fixture
def corpus_file(tmp_path):
    return write_corpus(tmp_path)


BAD_FLAGS = [
    ("--learning-rate", "0", "must be > 0"),
    ("--learning-rate", "-1", "must be > 0"),
    ("--learning-rate", "nan", "must be a finite number"),
    ("--learning-rate", "inf", "must be a finite number"),
    ("--learning-rate", "fast", "must be a number"),
    ("--hidden-size", "0", "must be >= 1"),
    ("--hidden-size", "1e9", "must be <= 2048"),
    ("--seq-length", "2.5", "must be a whole number"),
    ("--batch-size", "-4", "must be >= 1"),
    ("--clip", "0", "must be > 0"),
    ("--seed", "-1", "must be >= 0"),
    ("--temperature", "-0.5", "must be >= 0"),
    ("--sample-length", "abc", "must be a whole number"),
    ("--sample-every", "0", "must be >= 1"),
    ("--dtype", "float16", "must be one of float64, float32"),
    ("--iters", "0", "must be between 1 and 1,000,000,000,000"),
]


@pytest.mark.parametrize("flag,value,message", BAD_FLAGS)
def test_bad_flags_exit_2_with_reason(tmp_path, capsys, flag, value, message):
    code = run(["--headless", "--runs-dir", tmp_path, f"{flag}={value}"])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("usage: charrnn-tui")
    assert f"charrnn-tui: error: argument {flag}: {message}" in err
    assert "Traceback" not in err
    assert not any(tmp_path.iterdir())


def _bad_corpora(tmp_path):
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "bin.dat").write_bytes(b"abc\x00def" * 10)
    (tmp_path / "latin1.txt").write_bytes("caf\xe9 au lait\n".encode("latin-1") * 10)
    (tmp_path / "short.txt").write_text("tiny text")
    (tmp_path / "folder").mkdir()
    return [
        ("nosuchcorpus", "no corpus named 'nosuchcorpus'"),
        (tmp_path / "empty.txt", "the file is empty"),
        (tmp_path / "bin.dat", "binary file (NUL byte at offset 3"),
        (tmp_path / "latin1.txt", "not valid UTF-8 (byte 0xe9 at offset 3, line 1)"),
        (tmp_path / "short.txt", "too short"),
        (tmp_path / "folder", "is a directory"),
    ]


def test_bad_corpus_one_line_exit_2(tmp_path, capsys):
    for corpus, message in _bad_corpora(tmp_path):
        code = run(["--headless", corpus, "--runs-dir", tmp_path / "runs", "--iters", 5])
        err = capsys.readouterr().err
        assert code == 2, corpus
        assert err.startswith("charrnn-tui: error: ") and message in err, err
        assert err.count("\n") == 1 and "Traceback" not in err
    assert not (tmp_path / "runs").exists()


def test_batch_too_big_for_corpus(tmp_path, corpus_file, capsys):
    code = run(["--headless", corpus_file, "--batch-size", 100, "--runs-dir", tmp_path / "r"])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("charrnn-tui: error: ") and "too short" in err
    assert "100 streams x 26" in err and err.count("\n") == 1


def test_list_corpora(capsys):
    assert run(["--list-corpora"]) == 0
    out = capsys.readouterr().out
    assert "fables (default)" in out and "stdlib" in out


def test_subprocess_errors_have_no_traceback(tmp_path):
    for args in (
        ["--headless", tmp_path / "missing.txt"],
        ["--headless", "--learning-rate", "nan"],
        ["--headless", "fables", "--resume", tmp_path / "missing.npz"],
    ):
        proc = python_m([*args, "--runs-dir", tmp_path / "runs"])
        _out, err = proc.communicate(timeout=60)
        assert proc.returncode == 2, (args, err)
        assert "charrnn-tui: error:" in err and "Traceback" not in err


def test_without_headless_launches_the_app(monkeypatch, tmp_path):
    import types

    seen = {}

    def run_app(opened, runs_dir, autosave_s, keep):
        seen.update(opened=opened, runs_dir=runs_dir, autosave_s=autosave_s, keep=keep)
        return 0

    fake = types.ModuleType("tui_charrnn.launch")
    fake.run_app = run_app
    monkeypatch.setitem(sys.modules, "tui_charrnn.launch", fake)
    assert run(["toy_code", "--learning-rate", "0.05", "--runs-dir", tmp_path]) == 0
    s = seen["opened"].session
    assert s.corpus.name == "toy_code" and s.corpus.path.name == "toy_code.txt"
    assert s.hp.learning_rate == 0.05 and s.hp.hidden_size == 100 and s.n == 0
    assert not seen["opened"].resumed
    assert seen["runs_dir"] == tmp_path and seen["autosave_s"] is None and seen["keep"] == 3


def test_help_lists_every_setting(capsys):
    assert run(["--help"]) == 0
    out = capsys.readouterr().out
    for flag in (
        "--hidden-size",
        "--seq-length",
        "--learning-rate",
        "--batch-size",
        "--clip",
        "--seed",
        "--temperature",
        "--sample-length",
        "--sample-every",
        "--dtype",
        "--iters",
        "--runs-dir",
        "--resume",
        "--list-corpora",
        "--headless",
    ):
        assert flag in out
