"""Bad input gets one line, never a traceback: paths too long for the file system (shown
shortened), a file name that is not UTF-8 (shown escaped, never crashing a write), a
number with 5,000 digits ("too large")."""

import json
import os
from pathlib import Path

import pytest
from cli_helpers import make_text, only_run, run

from tui_charrnn import catalog, safefile
from tui_charrnn.checkpoint import CheckpointError, load_checkpoint
from tui_charrnn.corpus import CorpusError, load
from tui_charrnn.hparams import parse_int, validate

MAX_LINE = 240  # a message about a shortened path fits in this


def _long_name(tmp_path):  # one name of 300 characters: past NAME_MAX (255 bytes)
    return tmp_path / ("n" * 290 + "END.txt")


def _long_path(tmp_path):  # 20,000 characters: past PATH_MAX (4,096 bytes)
    return tmp_path / ("d/" * 9990 + "END.txt")


def _shortened(msg: str, path: Path) -> None:
    text = str(path)
    assert "\n" not in msg and len(msg) < MAX_LINE, msg
    assert msg.startswith(text[: safefile.SHOWN_HEAD] + "...")
    assert text[-safefile.SHOWN_TAIL :] + ":" in msg


@pytest.mark.parametrize(
    "make,reason",
    [
        (
            _long_name,
            r"a file or folder name in the path is too long \(297 bytes; the limit is 255\)",
        ),
        (_long_path, r"the path is too long \([\d,]+ characters; the limit is 4,095 bytes\)"),
    ],
)
def test_too_long_paths_are_one_short_line(tmp_path, make, reason):
    path = make(tmp_path)
    for load_it, error in ((load, CorpusError), (load_checkpoint, CheckpointError)):
        with pytest.raises(error, match=reason) as e:
            load_it(path)
        _shortened(str(e.value), path)
    with pytest.raises(catalog.CatalogError, match=reason) as e:
        catalog.resolve(str(path))
    _shortened(str(e.value), path)


@pytest.mark.parametrize("make", [_long_name, _long_path])
def test_cli_too_long_corpus_path(tmp_path, capsys, make):
    path = make(tmp_path)
    assert run(["--headless", path, "--iters", 1, "--runs-dir", tmp_path / "runs"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("charrnn-tui: error: ") and err.count("\n") == 1
    assert "too long" in err and len(err) < MAX_LINE + 30


def test_a_missing_long_path_is_shown_short(tmp_path):
    path = tmp_path / ("x/" * 200 + "missing.txt")  # not too long for the system: missing
    with pytest.raises(catalog.CatalogError) as e:
        catalog.resolve(str(path))
    msg = str(e.value)
    assert "no file" in msg and str(path) not in msg and len(msg) < 2 * MAX_LINE + 100


def test_shown_paths_are_printable_and_short():
    assert safefile.show_path("/tmp/ok.txt") == "/tmp/ok.txt"
    assert safefile.show_path(os.fsdecode(b"/tmp/caf\xe9.txt")) == "/tmp/caf\\xe9.txt"
    assert safefile.show_path("/tmp/a\nb\tc.txt") == "/tmp/a\\nb\\tc.txt"
    long = "/" + "a" * 100 + "/" + "b" * 100
    shown = safefile.show_path(long)
    assert shown == long[:40] + "..." + long[-60:]


@pytest.fixture
def latin1_named(tmp_path):
    """A corpus whose file name is not UTF-8 (the bytes c a f 0xe9)."""
    name = os.fsdecode(b"caf\xe9.txt")  # 'caf\udce9.txt': a surrogate escape
    path = tmp_path / name
    path.write_text(make_text(3000), encoding="utf-8")
    return path


def test_non_utf8_file_name_gets_a_printable_name(latin1_named):
    c = load(latin1_named)
    assert c.name == "caf\\xe9.txt" and c.name.encode("utf-8")
    assert c.path == latin1_named and c.path.is_file()  # the real path, to find it again
    name, path = catalog.resolve(str(latin1_named))
    assert name == "caf\\xe9.txt" and path == latin1_named


def test_cli_run_on_a_non_utf8_file_name_writes_its_files(tmp_path, latin1_named, capsys):
    runs = tmp_path / "runs"
    args = ["--headless", latin1_named, "--iters", 2, "--hidden-size", 8, "--runs-dir", runs]
    args += ["--seq-length", 8, "--sample-every", 1, "--sample-length", 5]
    assert run(args) == 0, capsys.readouterr().err
    folder = only_run(runs)
    settings = json.loads((folder / "settings.json").read_text("utf-8"))
    assert settings["corpus"] == "caf\\xe9.txt"
    assert Path(settings["corpus_path"]) == latin1_named  # the path round-trips
    samples = (folder / "samples.txt").read_text("utf-8")
    assert "corpus: caf\\xe9.txt\n" in samples
    out = capsys.readouterr().out
    assert "caf\\xe9.txt:" in out


def test_5000_digit_integer_is_too_large():
    digits = "9" * 5000
    with pytest.raises(ValueError, match=r"^too large: must be <= 1000$"):
        validate("seq_length", digits)
    with pytest.raises(ValueError, match=r"^too small: must be >= 1$"):
        validate("seq_length", "-" + digits)
    with pytest.raises(ValueError, match=r"^too large: must be <= 1e\+09$"):
        validate("learning_rate", digits)  # a float of 5,000 digits is infinite
    with pytest.raises(ValueError, match=r"^too large: must be <= 1000$"):
        validate("seq_length", "1e400")
    with pytest.raises(ValueError, match=r"^must be a finite number$"):
        validate("learning_rate", "inf")  # said as such: not "too large"
    with pytest.raises(ValueError, match=r"^too large$"):
        parse_int(digits)
    assert parse_int("1_000") == 1000 and validate("seq_length", "25") == 25


def test_cli_5000_digit_hyperparameter_is_one_line(tmp_path, capsys):
    code = run(["--headless", "fables", "--seq-length", "9" * 5000, "--runs-dir", tmp_path])
    assert code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1] == "charrnn-tui: error: argument --seq-length: too large: must be <= 1000"


def test_corpus_name_with_control_characters_stays_one_line(tmp_path):
    path = tmp_path / "two\nlines.txt"
    path.write_text("abc " * 50)
    c = load(path)
    assert c.name == "two\\nlines.txt"
    (tmp_path / "bad\nname.txt").write_bytes(b"\xff\xfe")
    with pytest.raises(CorpusError) as e:
        load(tmp_path / "bad\nname.txt")
    assert "\n" not in str(e.value) and "bad\\nname.txt" in str(e.value)
