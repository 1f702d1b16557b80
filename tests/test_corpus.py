"""Corpus loading: refused inputs say why; valid UTF-8 round-trips; big files are fine."""

import hashlib
import time

import numpy as np
import pytest

from tui_charrnn import corpus as corpus_mod
from tui_charrnn.corpus import Corpus, CorpusError, load


def test_missing_path(tmp_path):
    with pytest.raises(CorpusError, match="no such file") as e:
        load(tmp_path / "nope.txt")
    assert str(tmp_path / "nope.txt") in str(e.value)


def test_directory(tmp_path):
    with pytest.raises(CorpusError, match="is a directory"):
        load(tmp_path)


def test_empty_file(tmp_path):
    (tmp_path / "e.txt").write_bytes(b"")
    with pytest.raises(CorpusError, match="the file is empty"):
        load(tmp_path / "e.txt")


def test_binary_file(tmp_path):
    (tmp_path / "b.bin").write_bytes(b"GIF89a" + bytes(range(256)))
    with pytest.raises(CorpusError, match=r"binary file \(NUL byte at offset 6\)"):
        load(tmp_path / "b.bin")


def test_invalid_utf8_says_where(tmp_path):
    (tmp_path / "l.txt").write_bytes(b"line one\nline two\ncaf\xe9\n")
    with pytest.raises(CorpusError) as e:
        load(tmp_path / "l.txt")
    msg = str(e.value)
    assert "not valid UTF-8" in msg and "byte 0xe9 at offset 21, line 3" in msg
    assert "iconv" in msg and "\n" not in msg


def test_invalid_utf8_across_chunks(tmp_path, monkeypatch):
    monkeypatch.setattr(corpus_mod, "CHUNK_BYTES", 5)
    (tmp_path / "l.txt").write_bytes("ééé\n".encode() * 3 + b"ab\xff")
    with pytest.raises(CorpusError, match=r"byte 0xff at offset 23, line 4"):
        load(tmp_path / "l.txt")


def test_too_short():
    c = Corpus.from_text("abcdefghij")
    c.require_length(9, 1)
    with pytest.raises(CorpusError, match="too short: 10 characters, need at least 11"):
        c.require_length(10, 1)
    with pytest.raises(CorpusError, match=r"need at least 22 \(2 streams x 11\)"):
        c.require_length(10, 2)


@pytest.mark.parametrize("chunk", [corpus_mod.CHUNK_BYTES, 3])
def test_utf8_with_emoji_round_trips(tmp_path, monkeypatch, chunk):
    monkeypatch.setattr(corpus_mod, "CHUNK_BYTES", chunk)
    text = "Grüße, 世界! 🎉🐍 naïve café\n" * 5
    (tmp_path / "u.txt").write_text(text, encoding="utf-8")
    c = load(tmp_path / "u.txt")
    assert c.N == len(text) and c.text() == text
    assert c.chars == sorted(set(text))
    assert c.decode(c.encode("🐍 café")) == "🐍 café"
    assert c.sha256 == hashlib.sha256((tmp_path / "u.txt").read_bytes()).hexdigest()


def test_vocabulary_sorted(tmp_path):
    (tmp_path / "s.txt").write_text("zebra Apple 42!")
    assert load(tmp_path / "s.txt").chars == sorted(set("zebra Apple 42!"))


def test_given_chars_order_kept(tmp_path):
    (tmp_path / "s.txt").write_text("hello world")
    order = list("wrd oelh")
    c = load(tmp_path / "s.txt", chars=order)
    assert c.chars == order and c.text() == "hello world"
    assert c.data[0] == order.index("h")
    with pytest.raises(CorpusError, match="outside the vocabulary: 'd'"):
        load(tmp_path / "s.txt", chars=list("wr oelh"))


def test_unknown_chars_in_encode():
    c = Corpus.from_text("abc")
    with pytest.raises(CorpusError, match="not in the vocabulary"):
        c.encode("abz")


def test_from_text_refusals():
    with pytest.raises(CorpusError, match="empty"):
        Corpus.from_text("")
    with pytest.raises(CorpusError, match="NUL"):
        Corpus.from_text("a\x00b")


def test_twenty_megabytes_load_quickly(tmp_path):
    line = b"The quick brown fox jumps over the lazy dog; 0123456789 ~ END\n"
    path = tmp_path / "big.txt"
    with path.open("wb") as f:
        f.write(line * (20_000_000 // len(line) + 1))
        f.write("tail ✓\n".encode())
    t0 = time.perf_counter()
    c = load(path)
    elapsed = time.perf_counter() - t0
    assert c.N > 20_000_000 and "✓" in c.chars
    assert c.data.dtype == np.uint8 and c.text(0, len(line)) == line.decode()
    assert c.text(c.N - 7) == "tail ✓\n"
    assert elapsed < 20
