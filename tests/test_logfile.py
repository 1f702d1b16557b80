"""Line logs of a run folder survive a line cut short by a crash: the torn line stays on
its own and only it is lost (samples.jsonl, changes.jsonl and metrics.csv alike)."""

from __future__ import annotations

from tui_charrnn.changes import SettingChange, append_changes, read_changes
from tui_charrnn.logfile import append_lines
from tui_charrnn.metrics import append_rows, read_rows


def test_append_lines_starts_on_a_fresh_line(tmp_path):
    path = tmp_path / "log.txt"
    append_lines(path, "one\n")
    with path.open("ab") as f:
        f.write(b"tw")  # a crash in the middle of a line
    append_lines(path, "three\n")
    append_lines(path, "four\n")
    assert path.read_text().splitlines() == ["one", "tw", "three", "four"]


def test_metrics_row_after_a_torn_row_is_kept(tmp_path):
    path = tmp_path / "metrics.csv"
    append_rows(path, [(0, 100.0, 101.0, 0.1, 1.0, 900.0, 4.0)])
    with path.open("ab") as f:
        f.write(b"10,99.5,9")  # cut short
    append_rows(path, [(20, 99.0, 98.0, 0.1, 3.0, 950.0, None)])
    rows = read_rows(path)
    assert [r.iteration for r in rows] == [0, 20]
    assert rows[0].val_loss == 4.0 and rows[1].val_loss is None


def test_changes_after_a_torn_line_are_kept(tmp_path):
    append_changes(tmp_path, [SettingChange(5, "learning_rate", 0.1, 0.05)])
    with (tmp_path / "changes.jsonl").open("ab") as f:
        f.write(b'{"iteration": 9, "na')
    append_changes(tmp_path, [SettingChange(12, "clip", 5.0, 1.0)])
    assert [(c.iteration, c.name) for c in read_changes(tmp_path)] == [
        (5, "learning_rate"),
        (12, "clip"),
    ]


def test_an_append_cut_short_by_a_file_size_limit_leaves_the_file_as_it_was(tmp_path):
    """In a process whose files may not grow past 10,000 bytes, a 5,000-byte append fails
    part way: OSError, and the file is its old 9,000 bytes again (nothing torn)."""
    import subprocess
    import sys

    path = tmp_path / "samples.jsonl"
    old = ("x" * 99 + "\n") * 90  # 9,000 bytes
    path.write_text(old)
    code = (
        "import resource, signal, sys\n"
        "from tui_charrnn.logfile import append_lines\n"
        "signal.signal(signal.SIGXFSZ, signal.SIG_IGN)\n"
        "resource.setrlimit(resource.RLIMIT_FSIZE, (10_000, 10_000))\n"
        "try:\n"
        f"    append_lines({str(path)!r}, ('y' * 99 + '\\n') * 50)\n"
        "except OSError as e:\n"
        "    print('refused', e.errno)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.stdout.startswith("refused"), out.stderr
    assert path.read_text() == old
