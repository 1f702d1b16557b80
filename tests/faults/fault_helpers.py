"""Shared by the hostile-input tests: a loader run in a child process with a deadline and
a memory cap (a regression fails instead of hanging the suite or eating the machine), and
checkpoints built to be hostile."""

import io
import json
import os
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import numpy as np

from tui_charrnn.checkpoint import save_checkpoint
from tui_charrnn.corpus import Corpus
from tui_charrnn.hparams import Hyperparams
from tui_charrnn.session import Session

TEXT = "the quick brown fox jumps over the lazy dog. " * 40
DEADLINE_S = 20  # a child still running then is killed: the test fails, the suite goes on
MEMORY_CAP = 1 << 30  # RLIMIT_AS of the child: a regression gets MemoryError, not the box

# Runs one load in the child, prints one JSON line: the error (one line) or None, the
# seconds the load took, the peak RSS before and after it (MB).
_PROBE = """
import json, resource, sys, time
resource.setrlimit(resource.RLIMIT_AS, ({cap}, {cap}))
from tui_charrnn.checkpoint import CheckpointError, load_checkpoint
from tui_charrnn.corpus import CorpusError, load

def peak_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

kind, path = sys.argv[1], sys.argv[2]
before = peak_mb()
t0 = time.monotonic()
try:
    (load if kind == "corpus" else load_checkpoint)(path)
    error = None
except (CorpusError, CheckpointError) as e:
    error = str(e)
seconds = time.monotonic() - t0
print(json.dumps(dict(error=error, seconds=seconds, before_mb=before, peak_mb=peak_mb())))
"""


def child_env() -> dict:
    env = dict(os.environ)
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        env[var] = "1"
    return env


def probe(kind: str, path: Path) -> dict:
    """Load `path` as a corpus or a checkpoint in a child process; its report."""
    code = _PROBE.format(cap=MEMORY_CAP)
    t0 = time.monotonic()
    try:
        done = subprocess.run(
            [sys.executable, "-c", code, kind, str(path)],
            capture_output=True,
            text=True,
            timeout=DEADLINE_S,
            env=child_env(),
        )
    except subprocess.TimeoutExpired:
        raise AssertionError(f"loading {path} as a {kind} hung (killed after {DEADLINE_S} s)")
    wall = time.monotonic() - t0
    assert done.returncode == 0, f"the child failed: {done.stderr[-2000:]}"
    report = json.loads(done.stdout.strip().splitlines()[-1])
    report["wall"] = wall
    print(f"{kind} {path.name}: {report}")  # shown with -s: the figures of the report
    return report


def python_m(args, timeout=DEADLINE_S):
    """Run `python -m tui_charrnn ARGS`: (exit code, stdout, stderr, seconds)."""
    t0 = time.monotonic()
    try:
        done = subprocess.run(
            [sys.executable, "-m", "tui_charrnn", *map(str, args)],
            capture_output=True,
            text=True,
            timeout=timeout,
            env=child_env(),
            stdin=subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired:
        raise AssertionError(f"charrnn-tui {args} hung (killed after {timeout} s)")
    return done.returncode, done.stdout, done.stderr, time.monotonic() - t0


def small_checkpoint(path: Path, iters: int = 3) -> Path:
    s = Session(Corpus.from_text(TEXT, "t"), Hyperparams(hidden_size=16))
    for _ in range(iters):
        s.step()
    save_checkpoint(path, s)
    return path


def npy_header(shape, dtype="<f8") -> bytes:
    """The bytes of a .npy file (version 1.0) before its data, declaring `shape`."""
    buf = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        buf, {"descr": dtype, "fortran_order": False, "shape": tuple(shape)}
    )
    return buf.getvalue()


def add_member(path: Path, name: str, head: bytes, zero_bytes: int, deflate: bool = True):
    """Append a member to the zip: `head`, then `zero_bytes` zeros (streamed, so the test
    itself never holds them), deflated by default (a few hundred KB for 200 MB)."""
    method = zipfile.ZIP_DEFLATED if deflate else zipfile.ZIP_STORED
    with zipfile.ZipFile(path, "a", compression=method) as z:
        with z.open(name, "w", force_zip64=True) as w:
            w.write(head)
            block = bytes(1 << 20)
            left = zero_bytes
            while left > 0:
                w.write(block[: min(left, len(block))])
                left -= len(block)


def rewrite(src: Path, dst: Path, replace: dict[str, bytes | None]) -> Path:
    """Copy a checkpoint's members to dst, replacing some members' raw bytes (None: left
    out). Each replacement is stored as given, so it may declare anything."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for info in zin.infolist():
            key = info.filename[: -len(".npy")]
            if key in replace:
                if replace[key] is not None:
                    zout.writestr(info.filename, replace[key])
            else:
                zout.writestr(info.filename, zin.read(info))
    return dst
