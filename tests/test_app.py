"""The Textual app driven with Pilot; every wait polls an explicit condition with a timeout
(the training thread keeps the GIL busy, so a single pause() proves nothing).

Keys are posted with `press` below rather than Pilot.press: Pilot.press waits for the
process to go idle after every key (up to 2 s each), which never happens while training.
"""

from __future__ import annotations

import time

import pytest
from app_helpers import HP, SIZE, TEXT, make_app, record_events, set_field, trainer_caught_up
from pilot_helpers import press
from textual.widgets import Input, Static
from waiting import until

from tui_charrnn import events
from tui_charrnn.app import CharRNNApp
from tui_charrnn.corpus import Corpus, CorpusError
from tui_charrnn.opening import new_run
from tui_charrnn.widgets.dialogs import ConfirmScreen
from tui_charrnn.widgets.samples_pane import SamplePane


async def test_training_starts_and_iterations_rise(tmp_path):
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.state == "training", what="training")
        await until(pilot, lambda: app.iteration > 50, what="iterations")
        first = app.iteration
        await until(pilot, lambda: app.iteration > first + 50, what="more iterations")
        await until(pilot, lambda: app.query_one(SamplePane).samples, what="a sample")


async def test_space_pauses_and_resumes(tmp_path):
    app = make_app(tmp_path)
    seen = record_events(app)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.iteration > 20, what="iterations")
        await press(pilot, "space")
        await until(pilot, lambda: app.state == "paused", what="paused")
        stopped_at = app.iteration
        # the trainer handles two marker commands after the pause, the app their reports: a
        # paused trainer that still trained would have sent iterations by then
        await trainer_caught_up(pilot, seen)
        assert app.iteration == stopped_at == app.trainer.session.n
        assert app.check_action("resume", ()) and not app.check_action("pause", ())
        await press(pilot, "space")
        await until(pilot, lambda: app.state == "training", what="training again")
        await until(pilot, lambda: app.iteration > stopped_at + 20, what="iterations again")


async def test_n_steps_exactly_one_when_paused(tmp_path):
    app = make_app(tmp_path, start_paused=True)
    seen = record_events(app)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.state == "paused", what="paused")
        assert app.iteration == 0
        for expected in (1, 2, 3):
            await press(pilot, "n")
            await until(pilot, lambda e=expected: app.iteration == e, what=f"iteration {expected}")
        await trainer_caught_up(pilot, seen)  # a 4th step would come before the 2nd marker
        assert app.iteration == 3 == app.trainer.session.n


async def test_keys_typed_into_a_field_are_not_commands(tmp_path):
    app = make_app(tmp_path)
    seen = record_events(app)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.iteration > 10, what="iterations")
        field = await set_field(pilot, "#corpus-path", "n g s q", typed=True)
        # had s been a command, its export (queued before the markers) would be written now
        await trainer_caught_up(pilot, seen)
        assert app.state == "training" and field.value == "n g s q"
        assert not list((tmp_path / "runs").glob("*/samples.txt"))


async def test_live_learning_rate_reaches_the_trainer(tmp_path):
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.iteration > 10, what="iterations")
        await set_field(pilot, "#hp-learning_rate", "0.05", typed=True)
        await press(pilot, "enter")
        await until(pilot, lambda: app.hp.learning_rate == 0.05, what="SettingsApplied")
        assert app.trainer.session.hp.learning_rate == 0.05
        status = app.query_one("#hp-status", Static)
        assert "learning_rate = 0.05 applied" in str(status.content)
        n = app.iteration
        await until(pilot, lambda: app.iteration > n + 10, what="training goes on")


async def test_invalid_value_is_rejected_and_not_applied(tmp_path):
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.iteration > 10, what="iterations")
        await set_field(pilot, "#hp-learning_rate", "-1")
        reason = app.query_one("#reason-learning_rate", Static)
        await until(pilot, lambda: reason.display, what="reason shown")
        assert "must be > 0" in str(reason.content)
        assert app.query_one("#row-learning_rate").has_class("-invalid")
        await press(pilot, "enter")
        status = app.query_one("#hp-status", Static)
        await until(pilot, lambda: "not applied" in str(status.content), what="'not applied'")
        n = app.iteration
        await until(pilot, lambda: app.iteration > n + 10, what="training goes on")
        assert app.trainer.session.hp.learning_rate == HP.learning_rate
        assert app.hp.learning_rate == HP.learning_rate


async def test_s_saves_every_sample_shown(tmp_path):
    app = make_app(tmp_path)
    seen = record_events(app)
    async with app.run_test(size=SIZE) as pilot:
        pane = app.query_one(SamplePane)
        await until(pilot, lambda: len(pane.samples) >= 3, what="three samples")
        await press(pilot, "space")
        await until(pilot, lambda: app.state == "paused", what="paused")
        await press(pilot, "s")
        files = lambda: list((tmp_path / "runs").glob("*/samples.txt"))  # noqa: E731
        await until(pilot, lambda: files(), what="samples file")
        await until(pilot, lambda: seen.of(events.SamplesExported), what="samples.txt written")
        content = files()[0].read_text("utf-8")
        assert pane.samples
        for sample in pane.samples:
            assert f"iteration {sample.iteration} " in content
            assert sample.text in content
        assert "learning_rate: 0.1" in content and "corpus: fox" in content


async def test_c_saves_a_checkpoint(tmp_path):
    app = make_app(tmp_path, start_paused=True)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.state == "paused", what="paused")
        await press(pilot, "n")
        await until(pilot, lambda: app.iteration == 1, what="one step")
        await press(pilot, "c")
        found = lambda: list((tmp_path / "runs").glob("*/checkpoint*.npz"))  # noqa: E731
        await until(pilot, lambda: found(), what="checkpoint file")


async def test_bad_corpus_shows_error_and_training_goes_on(tmp_path):
    bad = tmp_path / "binary.bin"
    bad.write_bytes(b"abc\x00\x01\x02" * 100)
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.iteration > 10, what="iterations")
        await set_field(pilot, "#corpus-path", str(bad))
        await press(pilot, "enter")
        error = app.query_one("#corpus-error", Static)
        await until(pilot, lambda: error.display, what="error shown")
        assert "binary" in str(error.content)
        assert not isinstance(app.screen, ConfirmScreen)
        n = app.iteration
        await until(pilot, lambda: app.iteration > n + 20, what="training goes on")
        assert app.corpus_name == "fox" and app.state == "training"


async def test_good_corpus_asks_then_switches(tmp_path):
    good = tmp_path / "abc.txt"
    good.write_text("abcabd\n" * 200, "utf-8")
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.iteration > 10, what="iterations")
        await set_field(pilot, "#corpus-path", str(good))
        await press(pilot, "enter")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="confirmation")
        question = app.screen.question  # the run is saved, not discarded
        assert "is saved in its run folder" in question and "discard" not in question
        await press(pilot, "n")  # no: nothing changes
        await until(pilot, lambda: not isinstance(app.screen, ConfirmScreen), what="closed")
        assert app.corpus_name == "fox"
        app.query_one("#corpus-path", Input).focus()
        await press(pilot, "enter")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="confirmation")
        await press(pilot, "y")
        await until(pilot, lambda: app.corpus_name == "abc.txt", what="new corpus")
        assert app.trainer.session.corpus.V == 5
        await until(pilot, lambda: app.iteration > 10, what="training the new corpus")


async def test_reset_applies_new_hidden_size(tmp_path):
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.iteration > 10, what="iterations")
        await set_field(pilot, "#hp-hidden_size", "8")
        await press(pilot, "enter")
        assert app.query_one("#mark-hidden_size").has_class("-pending")
        assert app.trainer.session.params.H == 16  # not applied until reset
        app.query_one("#log").focus()
        await press(pilot, "r")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="the question")
        await press(pilot, "y")
        await until(pilot, lambda: app.hp.hidden_size == 8, what="reset")
        assert app.trainer.session.params.H == 8
        await until(pilot, lambda: app.iteration > 10, what="training after reset")


@pytest.mark.parametrize("key", ["q", "ctrl+q"])
async def test_quit_stops_the_worker(tmp_path, key):
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.iteration > 10, what="iterations")
        t0 = time.monotonic()
        await press(pilot, key)
        await until(pilot, lambda: app.trainer.stopped.is_set(), timeout=1.0, what="stopped")
        assert time.monotonic() - t0 < 1.0
    assert app.return_code == 0
    assert app.trainer.state == "stopped"


async def choose_corpus(pilot, index: int, name: str) -> None:
    """Pick entry `index` of the corpus list, say yes to discarding the run, and wait
    until the app trains on `name`."""
    app = pilot.app
    listing = app.query_one("#corpus-list")
    listing.focus()
    listing.index = index
    await press(pilot, "enter")
    await until(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="confirmation")
    await press(pilot, "y")
    await until(pilot, lambda: app.corpus_name == name, what="new corpus")


async def test_catalogue_entry_asks_then_switches(tmp_path):
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.iteration > 10, what="iterations")
        await choose_corpus(pilot, 2, "arithmetic")
        await until(pilot, lambda: app.iteration > 10, what="training the new corpus")
        info = str(app.query_one("#corpus-info", Static).content)
        assert "arithmetic" in info and "V=" in info


async def test_unusable_start_corpus_shows_error_and_another_can_be_chosen(tmp_path):
    def factory():
        raise CorpusError("bad.bin: looks like a binary file (NUL byte at offset 3), not text")

    app = CharRNNApp(factory, HP, "bad.bin", tmp_path / "runs")
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.state == "error", what="error state")
        error = app.query_one("#corpus-error", Static)
        await until(pilot, lambda: error.display, what="error in the corpus pane")
        assert "binary" in str(error.content)
        await choose_corpus(pilot, 1, "toy_code")
        await until(pilot, lambda: app.iteration > 10 and app.state == "training", what="training")
        assert not error.display


async def test_g_shows_a_sample_at_once_while_training(tmp_path):
    app = make_app(tmp_path, HP.with_(sample_every=10**6))
    async with app.run_test(size=SIZE) as pilot:
        pane = app.query_one(SamplePane)
        await until(pilot, lambda: app.iteration > 50 and len(pane.samples) == 1, what="run")
        lines = len(pane.query_one("#log").lines)
        await press(pilot, "g")
        await until(pilot, lambda: len(pane.samples) == 2, timeout=0.5, what="sample")
        log_lines = lambda: len(pane.query_one("#log").lines)  # noqa: E731
        await until(pilot, lambda: log_lines() > lines, timeout=0.3, what="the sample drawn")
        assert pane.samples[-1].iteration > 50


async def test_save_failure_is_reported_and_training_goes_on(tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the runs folder should be")

    def factory():
        return new_run(Corpus.from_text(TEXT, "fox"), HP)

    app = CharRNNApp(factory, HP, "fox", blocker / "runs")
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.sample_pane.samples, what="a sample")
        await press(pilot, "s")
        errors = lambda: [n for n in app.notices if n.severity == "error"]  # noqa: E731
        await until(pilot, lambda: errors(), what="error notification")
        assert "not saved" in errors()[0].message
        await press(pilot, "c")
        await until(pilot, lambda: len(errors()) == 2, what="second error")
        n = app.iteration
        await until(pilot, lambda: app.iteration > n + 20, what="training goes on")
        assert app.state == "training"
