"""Characters trained and the held-out curve of a run folder (lossplot.py), by hand."""

from __future__ import annotations

import json

from tui_charrnn.changes import SettingChange, append_changes
from tui_charrnn.lossplot import SeqLengths, along, held_out
from tui_charrnn.metrics import MetricRow
from tui_charrnn.run_folder import RunFolder


def test_chars_trained_follow_live_seq_length_changes():
    # 25 characters for iterations 0..99, 50 from 100 (the change took effect with 100
    # trained), 10 from 300; the learning rate change is no seq_length change
    seq = SeqLengths(
        25,
        [
            SettingChange(300, "seq_length", 50, 10),
            SettingChange(100, "seq_length", 25, 50),
            SettingChange(200, "learning_rate", 0.1, 0.05),
        ],
    )
    assert [seq.at(i) for i in (0, 99, 100, 299, 300)] == [25, 25, 50, 50, 10]
    assert seq.chars(0, 4) == 0
    assert seq.chars(100, 1) == 2_500
    assert seq.chars(150, 1) == 2_500 + 50 * 50
    assert seq.chars(400, 32) == 32 * (2_500 + 200 * 50 + 100 * 10)  # 433,600
    assert along([(150, 2.0)], "chars", seq, 2) == [(10_000, 2.0)]
    assert along([(150, 2.0)], "iteration", seq, 2) == [(150, 2.0)]


def test_held_out_reads_the_folder(tmp_path):
    folder = RunFolder(tmp_path / "run")
    folder.path.mkdir()
    hp = {"seq_length": 20, "batch_size": 8}
    (folder.path / "settings.json").write_text(json.dumps({"corpus": "x", "hparams": hp}))
    rows = [
        MetricRow(9, 40.0, 40.0, 0.1, 1.0, 100.0, None),
        MetricRow(19, 38.0, 38.0, 0.1, 2.0, 100.0, 1.75),
    ]
    folder.append_metrics(rows)
    append_changes(folder.path, [SettingChange(15, "seq_length", 20, 30)])
    curve = held_out(folder, "a run")
    assert curve.points == [(20, 1.75)]  # row 19 (0-based): 20 iterations trained
    assert curve.batch_size == 8
    assert curve.along("chars") == [(8 * (15 * 20 + 5 * 30), 1.75)]  # 3,600 characters
    assert curve.along("iteration") == [(20, 1.75)]
