"""Files of a run folder get the mode the umask gives any new file: atomic_write's temp
file (mkstemp makes it 0600) is set to 0666 & ~umask, like the logs appended with open().
(checkpoints, settings.json and samples.txt are all written by atomic_write.)"""

import stat
import subprocess
import sys

import pytest
from fault_helpers import child_env

from tui_charrnn import files


@pytest.mark.parametrize("umask,mode", [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_atomic_write_gives_the_umask_mode(tmp_path, monkeypatch, umask, mode):
    monkeypatch.setattr(files, "UMASK", umask)
    path = tmp_path / "f.json"
    files.atomic_write(path, lambda f: f.write(b"{}"), "settings")
    assert stat.S_IMODE(path.stat().st_mode) == mode
    assert path.read_bytes() == b"{}"


# In a child with its own umask: the umask is read right, and a checkpoint and a file
# written by atomic_write (settings.json, samples.txt) get the mode of a log appended with
# open() (metrics.csv, samples.jsonl).
_CHILD = """
import os, stat, sys
from pathlib import Path
os.umask(0o027)
from tui_charrnn import checkpoint, files
from tui_charrnn.corpus import Corpus
from tui_charrnn.hparams import Hyperparams
from tui_charrnn.session import Session

assert files.UMASK == 0o027, oct(files.UMASK)
assert os.umask(0o027) == 0o027  # reading it left it as it was
s = Session(Corpus.from_text("abcdefgh " * 30, "t"), Hyperparams(hidden_size=8))
s.step()
folder = Path(sys.argv[1])
checkpoint.save_checkpoint(folder / "checkpoint-1.npz", s)
files.atomic_write(folder / "settings.json", lambda f: f.write(b"{}"), "settings")
with open(folder / "metrics.csv", "a") as f:
    f.write("iteration\\n")
for p in sorted(folder.iterdir()):
    print(p.name, oct(stat.S_IMODE(p.stat().st_mode)))
"""


def test_run_folder_files_share_the_umask_mode(tmp_path):
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=60,
        env=child_env(),
    )
    assert done.returncode == 0, done.stderr
    modes = dict(line.split() for line in done.stdout.splitlines())
    assert modes.keys() == {"checkpoint-1.npz", "settings.json", "metrics.csv"}
    assert set(modes.values()) == {"0o640"}, modes
