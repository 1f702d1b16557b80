"""Choosing the model in the app (Pilot): choice fields typed short or stepped with the
arrows, the new model's defaults in the fields still holding the old one's, applied on
reset (r), and the model in force in the status bar and the loss pane's title."""

from __future__ import annotations

from app_helpers import HP, make_app, set_field
from pilot_helpers import press
from textual.widgets import Static
from waiting import until

from tui_charrnn.widgets.dialogs import ConfirmScreen

SIZE = (80, 24)


def field(app, name: str) -> str:
    return app.query_one(f"#hp-{name}").value


async def test_choice_fields_take_a_start_or_the_arrows(tmp_path):
    app = make_app(tmp_path, start_paused=True)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.state == "paused", what="paused")
        optimizer = await set_field(pilot, "#hp-optimizer", "a", typed=True)
        reason = app.query_one("#reason-optimizer", Static)
        await until(pilot, lambda: reason.display, what="the reason")
        assert "must be adagrad or adam" in str(reason.content)  # "a" names two
        await press(pilot, "d", "a", "m")
        await until(pilot, lambda: not reason.display, what="adam accepted")
        await press(pilot, "down")  # adam is the last: down wraps to the first
        await until(pilot, lambda: optimizer.value == "adagrad", what="stepped to adagrad")
        await press(pilot, "down")
        await until(pilot, lambda: optimizer.value == "rmsprop", what="stepped to rmsprop")
        await press(pilot, "up", "up")
        await until(pilot, lambda: optimizer.value == "adam", what="stepped back to adam")
        dtype = await set_field(pilot, "#hp-dtype", "F", typed=True)  # ambiguous: two floats
        await press(pilot, "l", "o", "a", "t", "3")
        await press(pilot, "enter")
        await until(pilot, lambda: dtype.value == "float32" and not dtype.has_focus)
        wanted, bad = app.hp_pane.wanted()
        assert bad == [] and (wanted.optimizer, wanted.dtype) == ("adam", "float32")


async def test_a_new_model_brings_its_defaults_and_applies_on_reset(tmp_path):
    app = make_app(tmp_path)  # HP: hidden_size 16 and seq_length 10 were chosen (kept)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.iteration > 5, what="training")
        assert "rnn 16" in str(app.status_bar.stats_label.content)
        await set_field(pilot, "#hp-model", "l", typed=True)
        await press(pilot, "enter")  # "l" is lstm: shown in full
        await until(pilot, lambda: field(app, "model") == "lstm", what="lstm in full")
        # the rnn's defaults that were still in the fields are lstm's now (MODEL_DEFAULTS)
        want = {"learning_rate": "0.01", "optimizer": "adam", "batch_size": "32"}
        want |= {"dtype": "float32", "hidden_size": "16", "seq_length": "10", "clip": "5"}
        want |= {"dropout": "0.25"}
        await until(pilot, lambda: {k: field(app, k) for k in want} == want, what="defaults")
        marks = {k: str(app.query_one(f"#mark-{k}").content) for k in ("learning_rate", "clip")}
        assert marks == {"learning_rate": "reset", "clip": "live"}  # lstm's, with the model
        assert app.hp.learning_rate == HP.learning_rate  # nothing sent to the rnn run
        await press(pilot, "r")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="the question")
        await press(pilot, "y")
        await until(pilot, lambda: app.run_started and app.run_started.hp.model == "lstm")
        hp = app.run_started.hp
        assert (hp.hidden_size, hp.seq_length, hp.batch_size) == (16, 10, 32)
        assert (hp.learning_rate, hp.optimizer, hp.dtype) == (0.01, "adam", "float32")
        # V 28 (26 letters, space, '.'); lstm H 16: Wx 64x28 + Wh 64x16 + b 64 + Why 28x16
        # + by 28 = 1,792 + 1,024 + 64 + 448 + 28 = 3,356 parameters
        title = "Loss · lstm 16 · 3.4k params · adam"
        await until(pilot, lambda: app.loss_pane.border_title == title, what="the title")
        await until(pilot, lambda: "lstm 16" in str(app.status_bar.stats_label.content))
        # back to the rnn: lstm's defaults go, what was typed stays
        await set_field(pilot, "#hp-model", "rnn", typed=True)
        want |= {"learning_rate": "0.1", "optimizer": "adagrad", "batch_size": "1"}
        want |= {"dtype": "float64", "dropout": "0"}
        await until(pilot, lambda: {k: field(app, k) for k in want} == want, what="rnn's")
