"""kill -9 while saving: the checkpoint on disk always loads and is consistent."""

import importlib.util
import sys
from pathlib import Path

import pytest

_spec = importlib.util.spec_from_file_location(
    "kill_checkpoints", Path(__file__).parent / "bench" / "kill_checkpoints.py"
)
kill_checkpoints = importlib.util.module_from_spec(_spec)
sys.modules.setdefault("kill_checkpoints", kill_checkpoints)
_spec.loader.exec_module(kill_checkpoints)


@pytest.mark.parametrize("mode", ["file", "run"])
def test_sigkill_while_saving_never_leaves_a_bad_checkpoint(tmp_path, mode):
    path = tmp_path / "checkpoint.npz" if mode == "file" else tmp_path
    s = kill_checkpoints.run_kills(20, path, mode, seed=1)
    assert s.kills == 20 and s.went_back == 0
    assert s.saves >= 20  # every child saved at least once before its kill
    if mode == "run":
        assert s.temp_files_left <= 1  # at most the one the last killed writer left
        assert len(list(tmp_path.glob("checkpoint-*.npz"))) <= 4
