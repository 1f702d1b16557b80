"""Hostile files are refused at once, with one line, and cheaply: a FIFO or /dev/zero as
corpus or checkpoint, a zip bomb, a checkpoint whose arrays declare huge shapes.

The loads that hung or ate memory before run in a child process with a deadline and a
memory cap (fault_helpers.probe): a regression fails, it does not hang the suite."""

import os
import struct
import threading
import tracemalloc
import zipfile
from pathlib import Path

import numpy as np
import pytest
from fault_helpers import add_member, npy_header, probe, python_m, rewrite, small_checkpoint

from tui_charrnn import safefile
from tui_charrnn.checkpoint import CheckpointError, load_checkpoint

MAX_S = 2.0  # refused within this
MAX_PEAK_MB = 150  # the child's peak RSS, imports included (numpy alone is ~35 MB)


@pytest.fixture
def fifo(tmp_path):
    path = tmp_path / "pipe.npz"
    os.mkfifo(path)
    return path


@pytest.fixture
def zero_link(tmp_path):
    path = tmp_path / "zero.npz"
    path.symlink_to("/dev/zero")
    return path


@pytest.mark.parametrize("kind", ["corpus", "checkpoint"])
@pytest.mark.parametrize("target", ["fifo", "zero_link", "/dev/zero"])
def test_not_a_regular_file_is_refused_at_once(request, kind, target):
    path = Path(target) if target.startswith("/") else request.getfixturevalue(target)
    report = probe(kind, path)
    error = report["error"]
    what = "a FIFO (named pipe)" if target == "fifo" else "a character device"
    link = " (through a link to /dev/zero)" if target == "zero_link" else ""
    assert error == f"{path}: is {what}{link}, not a regular file; only regular files are read"
    assert report["seconds"] < MAX_S
    assert report["peak_mb"] < MAX_PEAK_MB


def test_fifo_swapped_in_after_the_stat_cannot_block(tmp_path, monkeypatch):
    """The race: a regular file at stat time, a FIFO at open time. The open does not wait
    for a writer (O_NONBLOCK) and the opened file is checked again (fstat)."""
    path = tmp_path / "swapped.txt"
    os.mkfifo(path)
    monkeypatch.setattr(safefile, "check_regular", lambda path, what="file": None)
    outcome = []

    def attempt():
        try:
            safefile.open_regular(path, "text file").close()
            outcome.append("opened")
        except safefile.RefusedFile as e:
            outcome.append(str(e))

    worker = threading.Thread(target=attempt, daemon=True)
    worker.start()
    worker.join(5)
    if worker.is_alive():  # blocked in open(): give it a writer so the thread can end
        fd = os.open(path, os.O_WRONLY | os.O_NONBLOCK)
        worker.join(5)
        os.close(fd)
        pytest.fail("opening a FIFO blocked")
    refused = f"{path}: is a FIFO (named pipe), not a regular file; only regular files are read"
    assert outcome == [refused]


def test_cli_headless_on_a_fifo_exits_2_with_one_line(fifo):
    _code, _out, _err, startup = python_m(["--version"])
    for args in (["--headless", fifo, "--iters", 1], ["--headless", "--resume", fifo]):
        code, _out, err, seconds = python_m(args)
        assert code == 2, err
        assert err.count("\n") == 1 and "Traceback" not in err
        assert f"{fifo}: is a FIFO (named pipe), not a regular file" in err
        assert seconds < startup + MAX_S  # beyond starting Python, refused within 2 s


# --- zip bombs and declared sizes --------------------------------------------------------


@pytest.fixture(scope="module")
def bomb(tmp_path_factory):
    """A valid checkpoint plus a 200 MB member of zeros, deflated (~200 KB)."""
    path = small_checkpoint(tmp_path_factory.mktemp("bomb") / "bomb.npz")
    add_member(path, "extra.npy", npy_header(((200 << 20) // 8,)), 200 << 20)
    return path


def test_zip_bomb_is_refused_quickly_with_little_memory(bomb):
    assert bomb.stat().st_size < 2 << 20
    report = probe("checkpoint", bomb)
    assert report["error"] == (
        f"{bomb}: unknown member extra.npy: not part of a checkpoint; refused"
    )
    assert report["seconds"] < MAX_S
    assert report["peak_mb"] < MAX_PEAK_MB


def test_members_that_would_unpack_far_beyond_the_file_are_refused(tmp_path):
    """A known member as the bomb: its zip entry declares 200 MB unpacked (its header
    declares a small array, so only the declared unpacked size gives it away)."""
    good = small_checkpoint(tmp_path / "good.npz")
    path = rewrite(good, tmp_path / "b.npz", {"mWhh": None})
    add_member(path, "mWhh.npy", npy_header((16, 16)), 200 << 20)
    with pytest.raises(CheckpointError) as e:
        load_checkpoint(path)
    msg = str(e.value)
    assert msg.startswith(f"{path}: its members would unpack to ") and "zip bomb" in msg


def test_a_member_longer_than_its_header_says_is_refused(tmp_path):
    good = small_checkpoint(tmp_path / "good.npz")
    with zipfile.ZipFile(good) as z:
        whh = z.read("Whh.npy")
    path = rewrite(good, tmp_path / "long.npz", {"Whh": whh + bytes(4096)})
    with pytest.raises(CheckpointError, match=r"member Whh unpacks to [\d,]+ bytes, its header"):
        load_checkpoint(path)


@pytest.mark.parametrize(
    "member,shape,message",
    [
        ("Whh", (20_000, 20_000), r"Whh has shape \(20000, 20000\), expected \(16, 16\)"),
        ("mWhy", (1 << 40, 16), r"mWhy has shape \(1099511627776, 16\), expected \(28, 16\)"),
        ("hprev", (50_000_000, 16), r"hprev has shape \(50000000, 16\), expected \(batch, 16\)"),
        ("chars", (400_000_000,), "chars declares 1,600,000,000 bytes, far more than the 28"),
        ("Wxh", (4096, 28), "Wxh has 4,096 rows: the hidden size is at most 2048"),
        ("Wxh", (16, 1 << 24), "Wxh has 16,777,216 columns, more than there are characters"),
        ("hparams", (), "hparams declares 4,000,000 bytes; refused"),
    ],
)
def test_a_huge_declared_shape_is_refused_before_allocation(tmp_path, member, shape, message):
    """The member's header declares a huge array (its data is not there): refused from
    the header, before anything is allocated (tracemalloc sees numpy's allocations)."""
    good = small_checkpoint(tmp_path / "good.npz")
    dtype = {"chars": "<U1", "hparams": "<U1000000"}.get(member, "<f8")
    path = rewrite(good, tmp_path / "huge.npz", {member: npy_header(shape, dtype)})
    tracemalloc.start()
    try:
        with pytest.raises(CheckpointError, match=message) as e:
            load_checkpoint(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert str(e.value).startswith(f"{path}: ") and "\n" not in str(e.value)
    assert peak < 16 << 20


def test_huge_shape_in_a_child_stays_small(tmp_path):
    good = small_checkpoint(tmp_path / "good.npz")
    path = rewrite(good, tmp_path / "huge.npz", {"Whh": npy_header((20_000, 20_000))})
    report = probe("checkpoint", path)
    assert "Whh has shape (20000, 20000), expected (16, 16)" in report["error"]
    assert report["seconds"] < MAX_S and report["peak_mb"] < MAX_PEAK_MB


def test_unknown_member_is_named(tmp_path):
    good = small_checkpoint(tmp_path / "good.npz")
    with zipfile.ZipFile(good, "a") as z:
        z.writestr("notes.txt", "hello")
    with pytest.raises(CheckpointError) as e:
        load_checkpoint(good)
    assert str(e.value) == f"{good}: unknown member notes.txt: not part of a checkpoint; refused"


def test_too_many_members_refused_from_the_zip_directory(tmp_path):
    path = tmp_path / "many.npz"
    with zipfile.ZipFile(path, "w") as z:
        for i in range(72):
            z.writestr(f"a{i}.npy", b"")
    with pytest.raises(CheckpointError, match="its zip directory lists 72 members"):
        load_checkpoint(path)


def test_a_duplicated_member_is_refused(tmp_path):
    good = small_checkpoint(tmp_path / "good.npz")
    with zipfile.ZipFile(good) as z:
        whh = z.read("Whh.npy")
    with pytest.warns(UserWarning, match="Duplicate name"), zipfile.ZipFile(good, "a") as z:
        z.writestr("Whh.npy", whh)
    with pytest.raises(CheckpointError, match=r"member Whh\.npy appears twice"):
        load_checkpoint(good)


def test_original_script_files_and_compressed_files_still_load(tmp_path):
    """Only the five weights and chars (what the original script can save), deflated
    (savez_compressed) or not, Fortran-ordered arrays included."""
    rng = np.random.default_rng(0)
    H, chars = 8, list("abcde")
    V = len(chars)
    arrays = {
        "Wxh": np.asfortranarray(rng.standard_normal((H, V))),
        "Whh": rng.standard_normal((H, H)).astype(np.float32),
        "Why": rng.standard_normal((V, H)),
        "bh": np.zeros((H, 1)),
        "by": np.zeros((V, 1)),
        "chars": np.array(chars),
    }
    for save in (np.savez, np.savez_compressed):
        path = tmp_path / f"{save.__name__}.npz"
        save(path, **arrays)
        ck = load_checkpoint(path)
        assert ck.chars == chars and (ck.H, ck.V) == (H, V) and not ck.memories
        for k in ("Wxh", "Whh", "Why", "bh", "by"):
            np.testing.assert_array_equal(ck.arrays[k], arrays[k])
        assert ck.arrays["Whh"].dtype == np.float32


def test_a_full_checkpoint_round_trips_exactly(tmp_path):
    path = small_checkpoint(tmp_path / "c.npz", iters=5)
    ck = load_checkpoint(path)
    with np.load(path) as z:
        for k in ("Wxh", "Whh", "Why", "bh", "by"):
            np.testing.assert_array_equal(ck.arrays[k], z[k])
            np.testing.assert_array_equal(ck.memories["m"][k], z["m" + k])
        np.testing.assert_array_equal(ck.hprev, z["hprev"])
    assert ck.n == 5


def _zip64_end(raw: bytes, entries: int | None = None) -> bytes:
    """The same zip with a zip64 end of central directory (what zipfile writes for more
    than 65,535 members or past 4 GB), declaring `entries` members if given."""
    at = raw.rfind(b"PK\x05\x06")
    fields = struct.unpack("<4s4H2LH", raw[at : at + 22])
    n, size, offset = fields[4], fields[5], fields[6]
    n64 = n if entries is None else entries
    record = struct.pack("<4sQ2H2L4Q", b"PK\x06\x06", 44, 45, 45, 0, 0, n64, n64, size, offset)
    locator = struct.pack("<4sLQL", b"PK\x06\x07", 0, at, 1)
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, 0xFFFF, 0xFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0)
    return raw[:at] + record + locator + end


def test_zip64_end_record_is_read(tmp_path):
    raw = small_checkpoint(tmp_path / "good.npz").read_bytes()
    honest = tmp_path / "zip64.npz"
    honest.write_bytes(_zip64_end(raw))
    assert load_checkpoint(honest).H == 16
    lying = tmp_path / "many.npz"
    lying.write_bytes(_zip64_end(raw, entries=70_000))
    with pytest.raises(CheckpointError, match="its zip directory lists 70,000 members"):
        load_checkpoint(lying)


def test_huge_zip_directory_is_refused_before_it_is_read(tmp_path):
    """A sparse 1.5 GB file whose end record declares a 1.5 GB central directory: zipfile
    would read all of it into memory at once."""
    path = tmp_path / "sparse.npz"
    size = 3 << 29
    cd_size = size - 22
    with open(path, "wb") as f:
        f.truncate(size - 22)
        f.seek(size - 22)
        f.write(struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, 1, 1, cd_size, 0, 0))
    report = probe("checkpoint", path)
    assert report["error"] == (
        f"{path}: not a checkpoint: its zip directory lists 1 member in {cd_size:,} bytes; refused"
    )
    assert report["seconds"] < MAX_S and report["peak_mb"] < MAX_PEAK_MB
