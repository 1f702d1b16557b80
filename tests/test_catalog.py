"""Tests for the corpus catalogue and the bundled / generated corpora."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tui_charrnn import catalog
from tui_charrnn.catalog import CatalogError

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture()
def cache(tmp_path, monkeypatch):
    d = tmp_path / "cache"
    monkeypatch.setenv("CHARRNN_CACHE", str(d))
    return d


def test_entries_shape():
    es = catalog.entries()
    names = [e.name for e in es]
    assert names[0] == catalog.DEFAULT_CORPUS
    assert es[-1].kind == "stdlib" and es[-1].name == "stdlib"
    assert all(e.kind == "bundled" for e in es[:-1])
    assert len(set(names)) == len(names)
    assert {"fables", "toy_code", "arithmetic"} <= set(names)
    for e in es:
        assert e.title and e.description and "\n" not in e.description


def test_every_entry_is_a_usable_text_file(cache):
    for e in catalog.entries():
        path = catalog.corpus_path(e.name)
        data = path.read_bytes()
        assert data, e.name
        assert b"\0" not in data, e.name
        data.decode("utf-8")
        if e.kind == "bundled":
            assert len(data) > 50_000, e.name
            assert data.isascii(), e.name


def test_resolve_default_and_names(cache):
    name, path = catalog.resolve(None)
    assert name == catalog.DEFAULT_CORPUS and path.is_file()
    name, path = catalog.resolve("fables")
    assert name == "fables" and path.name == "fables.txt"


def test_resolve_existing_path(tmp_path):
    f = tmp_path / "mine.txt"
    f.write_text("hello world\n")
    name, path = catalog.resolve(str(f))
    assert path == f and name == "mine.txt"


def test_resolve_expands_user(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    (tmp_path / "c.txt").write_text("abc\n")
    _, path = catalog.resolve("~/c.txt")
    assert path == tmp_path / "c.txt"


def test_resolve_unknown_lists_choices():
    with pytest.raises(CatalogError) as info:
        catalog.resolve("no_such_corpus_xyz")
    msg = str(info.value)
    assert "no_such_corpus_xyz" in msg and "\n" not in msg
    for e in catalog.entries():
        assert e.name in msg


def test_corpus_path_unknown_name():
    with pytest.raises(CatalogError):
        catalog.corpus_path("nope")


def test_cache_dir_env(tmp_path, monkeypatch):
    monkeypatch.setenv("CHARRNN_CACHE", str(tmp_path / "a"))
    assert catalog.cache_dir() == tmp_path / "a" and (tmp_path / "a").is_dir()
    monkeypatch.delenv("CHARRNN_CACHE")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "x"))
    assert catalog.cache_dir() == tmp_path / "x" / "charrnn-tui"


def test_build_stdlib_corpus(tmp_path):
    a = catalog.build_stdlib_corpus(tmp_path / "a.txt", max_bytes=300_000)
    b = catalog.build_stdlib_corpus(tmp_path / "b.txt", max_bytes=300_000)
    data = a.read_bytes()
    assert 250_000 < len(data) <= 300_000
    assert data == b.read_bytes()
    text = data.decode("utf-8")
    assert text.startswith("# file: ") and "\ndef " in text and "\0" not in text
    for skipped in ("site-packages/", "test/", "tests/", "idlelib/", "lib2to3/"):
        assert f"# file: {skipped}" not in text
    assert [p.name for p in tmp_path.iterdir()] != []
    assert not list(tmp_path.glob("*.tmp"))  # atomic write leaves no temp files


def test_stdlib_corpus_is_cached(tmp_path):
    p1 = catalog.corpus_path("stdlib", cache_dir=tmp_path)
    assert p1.parent == tmp_path and p1.stat().st_size > 1_000_000
    old = p1.stat().st_mtime_ns - 10**9
    os.utime(p1, ns=(old, old))
    p2 = catalog.corpus_path("stdlib", cache_dir=tmp_path)
    assert p2 == p1 and p2.stat().st_mtime_ns == old  # not rebuilt
    name, p3 = catalog.resolve("stdlib", cache_dir=tmp_path)
    assert name == "stdlib" and p3 == p1


def test_generator_is_deterministic(tmp_path):
    subprocess.run(
        [sys.executable, str(ROOT / "tools" / "make_corpora.py"), "--out", str(tmp_path)],
        check=True,
        capture_output=True,
    )
    made = sorted(p.name for p in tmp_path.glob("*.txt"))
    assert {"toy_code.txt", "arithmetic.txt"} <= set(made)
    for name in made:
        assert (tmp_path / name).read_bytes() == (ROOT / "corpora" / name).read_bytes(), name


def test_arithmetic_lines_are_correct():
    text = (ROOT / "corpora" / "arithmetic.txt").read_text()
    for line in text.splitlines()[:500]:
        expr, value = line.split("=")
        assert expr.count("(") == expr.count(")")
        assert eval(expr) == int(value)  # digits, brackets and + - * only


def test_fables_have_structure():
    text = (ROOT / "corpora" / "fables.txt").read_text()
    assert text.count("Moral:") >= 20
    assert len(set(text)) < 80
