"""Keys after Enter in a field (issue 11, item 1): after an error the focus stays in the
field, so what the user types next is text, not commands; after a success it goes to
the sample log and the screen shows it; r (a new run) asks first. Fields: numbers only
where numbers go, a bounded length, values shown in a form that fits, an absurd value
asked about before it is applied; the footer inside a field names Enter, Esc and F1."""

from __future__ import annotations

import time

from app_helpers import SIZE, make_app, set_field
from pilot_helpers import press, until
from textual import events
from textual.widgets import Static

from tui_charrnn.widgets.dialogs import ConfirmScreen
from tui_charrnn.widgets.fields import NUMBER_MAX


def footer_keys(app) -> set[str]:
    """The keys the footer shows now (Screen.active_bindings, as the Footer reads it)."""
    return {k for k, b in app.screen.active_bindings.items() if b.binding.show and b.enabled}


async def test_after_a_bad_path_the_focus_stays_and_letters_are_text(tmp_path):
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.iteration > 10, what="iterations")
        field = await set_field(pilot, "#corpus-path", str(tmp_path / "nope.txt"))
        await press(pilot, "enter")
        error = app.query_one("#corpus-error", Static)
        await until(pilot, lambda: error.display, what="the error")
        assert "nope.txt" in str(error.content)
        assert app.focused is field
        started = app.run_started
        await press(pilot, "backspace", "r", "s", "q")  # correcting the path
        await until(pilot, lambda: field.value.endswith(".txrsq"), what="typed into the field")
        n = app.iteration
        await until(pilot, lambda: app.iteration > n + 20, what="training goes on")
        assert app.is_running and app.run_started is started and app.state == "training"
        assert not isinstance(app.screen, ConfirmScreen)
        assert not list((tmp_path / "runs").glob("*/samples.txt"))


async def test_after_a_bad_setting_the_focus_stays_after_a_good_one_it_moves(tmp_path):
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.iteration > 10, what="iterations")
        field = await set_field(pilot, "#hp-learning_rate", "1e", typed=True)
        await press(pilot, "enter")
        status = app.query_one("#hp-status", Static)
        await until(pilot, lambda: "not applied" in str(status.content), what="'not applied'")
        assert app.focused is field
        await press(pilot, "-", "2", "enter")
        await until(pilot, lambda: app.hp.learning_rate == 0.01, what="applied")
        log = app.sample_pane.log_view
        await until(pilot, lambda: app.focused is log, what="focus on the sample log")
        assert app.sample_pane.styles.border_top[0] == "heavy"  # the focus shows
        assert app.query_one("#hparams").styles.border_top[0] == "round"


async def test_r_asks_before_starting_a_new_run(tmp_path):
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.iteration > 10, what="iterations")
        first = app.run_started
        await press(pilot, "r")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="the question")
        assert "saved" in str(app.screen.question)
        await press(pilot, "n")
        await until(pilot, lambda: not isinstance(app.screen, ConfirmScreen), what="closed")
        n = app.iteration
        await until(pilot, lambda: app.iteration > n + 20, what="the same run goes on")
        assert app.run_started is first
        await press(pilot, "r")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="asked again")
        await press(pilot, "y")
        await until(pilot, lambda: app.run_started is not first, what="a new run")


async def test_inside_a_field_the_footer_shows_enter_esc_f1(tmp_path):
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.iteration > 10, what="iterations")
        outside = footer_keys(app)
        assert {"r", "q", "question_mark"} <= outside and "escape" not in outside
        field = app.query_one("#hp-learning_rate")
        field.focus()
        await until(pilot, lambda: app.focused is field, what="focus")
        inside = footer_keys(app)
        assert {"enter", "escape", "f1"} <= inside
        assert not inside & {"r", "q", "s", "space", "question_mark"}
        assert app.screen.active_bindings["f1"].binding.key_display == "F1"
        await press(pilot, "escape")
        await until(pilot, lambda: app.focused is app.sample_pane.log_view, what="left")


async def test_question_mark_in_a_numeric_field_is_refused_and_said(tmp_path):
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.iteration > 10, what="iterations")
        field = await set_field(pilot, "#hp-learning_rate", "0.1")
        app.post_message(events.Key("question_mark", "?"))
        status = app.query_one("#hp-status", Static)
        await until(pilot, lambda: "key left out" in str(status.content), what="said")
        assert field.value == "0.1" and app.focused is field
        assert "learning_rate takes a number" in str(status.content)


async def test_a_flood_of_keys_into_a_field_stalls_neither_ui_nor_training(tmp_path):
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.iteration > 10, what="iterations")
        field = await set_field(pilot, "#hp-sample_length", "")
        session = app.trainer.session
        t0 = time.monotonic()
        while time.monotonic() - t0 < 1.0:  # the training speed without the flood
            n = session.n
            await pilot.pause(0.05)
        n0, t0 = session.n, time.monotonic()
        await until(pilot, lambda: time.monotonic() - t0 > 1.0, what="a second")
        per_s = (session.n - n0) / (time.monotonic() - t0)
        n, t0 = session.n, time.monotonic()
        for _ in range(20_000):
            app.post_message(events.Key("1", "1"))
        drained = []
        app.call_later(drained.append, True)  # runs once the keys posted above are handled
        await until(pilot, lambda: drained, timeout=30, what="the flood handled")
        took = time.monotonic() - t0
        during = (session.n - n) / took
        assert len(field.value) == NUMBER_MAX
        print(f"20,000 keys in {took:.1f} s; training {during:.0f} it/s (else {per_s:.0f})")
        assert took < 15 and during > per_s / 5, (took, during, per_s)


async def test_an_absurd_learning_rate_is_asked_about_first(tmp_path):
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.iteration > 10, what="iterations")
        field = await set_field(pilot, "#hp-learning_rate", "1e9")
        await press(pilot, "enter")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="the question")
        assert "far above" in str(app.screen.question)
        await press(pilot, "n")
        await until(pilot, lambda: app.focused is field, what="back in the field")
        n = app.iteration
        await until(pilot, lambda: app.iteration > n + 20, what="training goes on")
        assert app.trainer.session.hp.learning_rate == 0.1
        status = str(app.query_one("#hp-status", Static).content)
        assert "not applied" in status


async def test_values_are_shown_in_a_form_that_fits(tmp_path):
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.iteration > 10, what="iterations")
        app.trainer.set_live(learning_rate=1.3877787e-08)
        field = app.query_one("#hp-learning_rate")
        await until(pilot, lambda: field.value == "1.39e-08", what="a short form")
        assert field.region.width >= len(field.value) + 1  # and the cursor
        mark = app.query_one("#mark-learning_rate")
        assert not mark.has_class("-pending")  # the shown text stands for the exact value
        field.focus()
        await until(pilot, lambda: app.focused is field, what="focus")
        await press(pilot, "escape")  # leaving it untouched sends nothing
        await until(pilot, lambda: app.focused is not field, what="left")
        n = app.iteration
        await until(pilot, lambda: app.iteration > n + 20, what="training goes on")
        assert app.trainer.session.hp.learning_rate == 1.3877787e-08


async def test_an_undone_value_shows_in_a_field_that_still_has_the_focus(tmp_path):
    """The guard undoes a live change while the focus is (back) in its field: the field
    shows the value in force, unless the user is typing something new there."""
    app = make_app(tmp_path, start_paused=True)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.state == "paused", what="paused")
        pane, field = app.hp_pane, app.query_one("#hp-learning_rate")
        field.focus()
        await until(pilot, lambda: field.has_focus, what="focus in the field")
        field.value = "1e6"
        pane.applied({"learning_rate": 1e6}, 12)  # the change, applied
        pane.applied({"learning_rate": 0.1}, 12)  # and undone by the guard
        assert field.value == "0.1" and field.has_focus
        field.value = "0.3"  # now the user types a new value: it is left alone
        pane.applied({"learning_rate": 0.05}, 13)
        assert field.value == "0.3"
