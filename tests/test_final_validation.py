"""The held-out loss at the end of a run lands in metrics.csv (issue 13, item 4): in the
row of the run's last iteration, added when that iteration had no row, given the value
when it had one (still in memory or already written), never a second row for one
iteration; so `runs` shows the loss the run ended with."""

from __future__ import annotations

from cli_helpers import only_run, run
from commands_helpers import call, train_small_run

from tui_charrnn.corpus import Corpus
from tui_charrnn.hparams import Hyperparams
from tui_charrnn.opening import new_run
from tui_charrnn.recorder import Recorder
from tui_charrnn.run_folder import RunFolder
from tui_charrnn.storage import list_runs

TEXT = "the fox and the crow sat on a branch. " * 20


def test_headless_last_row_is_the_final_validation_and_runs_shows_it(tmp_path, capsys):
    folder, _ = train_small_run(tmp_path, 25)  # iterations 0-24: no row of its own for 24
    out = capsys.readouterr().out
    rows = RunFolder(folder).read_metrics()
    assert [m.iteration for m in rows] == [0, 10, 20, 24]
    final = rows[-1].val_loss
    assert final is not None and f"validation at iteration 25: {final:.3f}" in out
    assert list_runs(folder.parent)[0].last_val == final
    code, table, _ = call(capsys, ["runs", "--runs-dir", folder.parent])
    assert code == 0 and f"{final:.3f}" in table


def test_headless_run_ending_on_a_row_fills_that_row(tmp_path):
    runs, corpus = tmp_path / "runs", tmp_path / "c.txt"
    corpus.write_text(TEXT, "utf-8")
    code = run(["train", corpus, "--iters", 21, "--hidden-size", 8, "--runs-dir", runs])
    assert code == 0
    rows = RunFolder(only_run(runs)).read_metrics()
    assert [m.iteration for m in rows] == [0, 10, 20]
    assert rows[-1].val_loss is not None and list_runs(runs)[0].last_val == rows[-1].val_loss


def recorder_after(tmp_path, steps: int) -> tuple[Recorder, object]:
    rec = Recorder(tmp_path, lambda e: None)
    opened = new_run(Corpus.from_text(TEXT, "fox"), Hyperparams(hidden_size=8, seq_length=8))
    rec.started(opened)
    s = opened.session
    for _ in range(steps):
        r = s.step()
        rec.step(r, s.hp.learning_rate, None, lambda: 1.0)
    return rec, s


def test_a_row_already_written_gets_the_value_on_disk(tmp_path):
    rec, s = recorder_after(tmp_path, 21)  # rows 0, 10, 20
    rec.flush()  # row 20 is on disk, without a held-out loss
    rec.final_val(s.n, 1.25, lambda: 1.0)
    rows = rec.folder.read_metrics()
    assert [m.iteration for m in rows] == [0, 10, 20] and rows[-1].val_loss == 1.25
    assert [m.val_loss for m in rows[:-1]] == [None, None]


def test_a_row_in_memory_gets_the_value_and_a_missing_one_is_added(tmp_path):
    rec, s = recorder_after(tmp_path, 21)
    rec.final_val(s.n, 1.5, lambda: 1.0)  # row 20 still in memory
    rec.flush()
    assert [(m.iteration, m.val_loss) for m in rec.folder.read_metrics()][-1] == (20, 1.5)
    rec2, s2 = recorder_after(tmp_path / "b", 27)
    rec2.final_val(s2.n, 1.75, lambda: 1.0)
    rec2.flush()
    rows = rec2.folder.read_metrics()
    assert [m.iteration for m in rows] == [0, 10, 20, 26] and rows[-1].val_loss == 1.75


def test_a_value_for_another_iteration_is_not_recorded(tmp_path):
    rec, s = recorder_after(tmp_path, 27)
    rec.final_val(s.n - 5, 1.75, lambda: 1.0)  # e.g. after a rollback: not this row's
    rec.flush()
    assert [m.iteration for m in rec.folder.read_metrics()] == [0, 10, 20]
