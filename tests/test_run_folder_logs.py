"""A run folder's line logs: samples.jsonl, metrics.csv and changes.jsonl appended, read
back past a line torn by a crash, copied into a resumed run, and cut back by a rollback."""

from tui_charrnn import storage
from tui_charrnn.changes import SettingChange, read_changes
from tui_charrnn.events import Sample
from tui_charrnn.storage import RunFolder


def test_samples_jsonl_and_metrics_history(tmp_path):
    run = RunFolder.create(tmp_path, "fables")
    run.append_samples([Sample(0, 82.4, 1.0, "hello\nwörld 🎉")])
    with run.samples_jsonl_path.open("ab") as f:
        f.write(b'{"iteration": 100, "loss": 7')  # cut short by a crash
    run2 = RunFolder(run.path)
    run2.append_samples([Sample(200, 60.0, 0.5, "b"), Sample(300, 50.0, 0.5, "c")])
    assert run2.read_samples() == [
        Sample(0, 82.4, 1.0, "hello\nwörld 🎉"),
        Sample(200, 60.0, 0.5, "b"),
        Sample(300, 50.0, 0.5, "c"),
    ]
    assert [s.iteration for s in run2.read_samples(upto=300)] == [0, 200]
    run.append_metrics([(0, 82.4, 80.0, 0.1, 0.01, 1000.0), (10, 82.3, 79.0, 0.1, 0.02, 2e3)])
    with run.metrics_path.open("a") as f:
        f.write("20,oops,1,2\n30,81.0,7")
    rows = run.read_metrics()
    assert [r.iteration for r in rows] == [0, 10] and rows[1].smooth_loss == 82.3
    assert rows[0] == storage.MetricRow(0, 82.4, 80.0, 0.1, 0.01, 1000.0)
    new = RunFolder.create(tmp_path, "fables")
    new.append_history(run2.read_metrics(200), run2.read_samples(200), [])
    assert [s.iteration for s in new.read_samples()] == [0]
    assert [r.iteration for r in new.read_metrics()] == [0, 10]
    assert RunFolder(tmp_path / "nowhere").read_samples() == []
    assert RunFolder(tmp_path / "nowhere").read_metrics() == []


def test_truncate_logs_forgets_what_a_rollback_undid(tmp_path):
    run = RunFolder.create(tmp_path, "fables")
    run.append_samples([Sample(i, 80.0 - i, 1.0, f"s{i}") for i in (0, 5, 10, 15)])
    run.append_metrics([(i, 80.0, 79.0, 0.1, 0.5, 1e3) for i in (0, 10, 20)])
    run.append_changes(
        [SettingChange(3, "learning_rate", 0.1, 0.2), SettingChange(12, "clip", 5.0, 1.0)]
    )
    run.truncate_logs(10)  # back to iteration 10: iterations 10 and later never happened
    assert [s.text for s in run.read_samples()] == ["s0", "s5"]
    assert [r.iteration for r in run.read_metrics()] == [0]
    assert run.metrics_path.read_text().splitlines()[0].startswith("iteration,")
    # the clip change made at 12 is still in force after the rollback: it dates from 10
    assert read_changes(run.path) == [
        SettingChange(3, "learning_rate", 0.1, 0.2),
        SettingChange(10, "clip", 5.0, 1.0),
    ]
    run.append_samples([Sample(10, 70.0, 1.0, "again")])  # appending goes on as before
    assert [s.text for s in run.read_samples()] == ["s0", "s5", "again"]
