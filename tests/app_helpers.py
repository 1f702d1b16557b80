"""Shared by the app tests (Pilot): small runs, typing into a field, runs that can be
resumed from their folder, the insight screen's text, and the trainer's events as the app
handles them (to wait on, and to show that the trainer has handled what came before)."""

from __future__ import annotations

from pathlib import Path

from pilot_helpers import press
from textual.widgets import Input
from trainer_helpers import Recorder, queue_marker
from waiting import until

from tui_charrnn import events
from tui_charrnn.app import CharRNNApp
from tui_charrnn.corpus import Corpus, load
from tui_charrnn.hparams import Hyperparams
from tui_charrnn.opening import new_run, open_run

TEXT = "the quick brown fox jumps over the lazy dog. " * 60
HP = Hyperparams(hidden_size=16, seq_length=10, sample_every=20, sample_length=30)
SIZE = (100, 32)
# the insight screen's tests: quotes and brackets for the neuron features to find
INSIGHT_TEXT = 'the quick "brown" fox (jumps) over the lazy dog.\n' * 60


def make_app(tmp_path, hp: Hyperparams = HP, text: str = TEXT, **kwargs) -> CharRNNApp:
    def factory():
        return new_run(Corpus.from_text(text, "fox"), hp)

    return CharRNNApp(factory, hp, "fox", tmp_path / "runs", **kwargs)


def insight_app(tmp_path, **kwargs) -> CharRNNApp:
    """The app the insight screen's tests open (i) while it trains."""
    return make_app(tmp_path, text=INSIGHT_TEXT, **kwargs)


def body(app, tab: str) -> str:
    """The text of an insight tab; "" while the screen is still composing."""
    found = app.screen.query(f"#ins-{tab}")
    return str(found.first().content) if found else ""


async def set_field(pilot, selector: str, text: str, typed: bool = False) -> Input:
    field = pilot.app.query_one(selector, Input)
    field.focus()
    await until(pilot, lambda: field.has_focus, what="focus")
    field.value = ""
    if typed:
        await press(pilot, *("space" if c == " " else c for c in text))
    else:
        field.value = text
    await until(pilot, lambda: field.value == text, what="typed text")
    return field


# --- runs with a folder to resume from ------------------------------------------------


def fox_file(tmp_path: Path) -> Path:
    path = tmp_path / "fox.txt"
    path.write_text(TEXT, "utf-8")
    return path


def file_app(tmp_path: Path, corpus_file: Path, hp: Hyperparams = HP, **kwargs) -> CharRNNApp:
    """An app training on a corpus file (a run that can be resumed from its folder)."""
    return CharRNNApp(
        lambda: new_run(load(str(corpus_file), name="fox"), hp),
        hp,
        "fox",
        tmp_path / "runs",
        **kwargs,
    )


def resume_app(tmp_path: Path, target: Path, corpus_file: Path, **kwargs) -> CharRNNApp:
    """The app as `charrnn-tui --resume target CORPUS` builds it (launch.run_app)."""
    opened = open_run(str(corpus_file), resume=target)
    return CharRNNApp(lambda: opened, opened.session.hp, "fox", tmp_path / "runs", **kwargs)


# --- the trainer's events, as the app handles them -------------------------------------


def record_events(app: CharRNNApp) -> Recorder:
    """Every trainer event the app handles from now on, in order, recorded once handled
    (the UI thread drains them in the order the trainer sent them)."""
    seen = Recorder()
    handle = app._handle

    def handle_and_record(event: object) -> None:
        handle(event)
        seen(event)

    app._handle = handle_and_record
    return seen


async def trainer_caught_up(pilot, seen: Recorder, turns: int = 2) -> events.SettingsApplied:
    """trainer_helpers.loop_went_round in a Pilot session: queue a marker command and wait
    until the app has handled its report, `turns` times. Then the trainer has handled
    every command queued before (a key's save, export or step), and the app every event
    the trainer sent before. `seen`: record_events(app). Returns the last report."""
    for _ in range(turns):
        count = len(seen.of(events.SettingsApplied))
        queue_marker(pilot.app.trainer)
        await until(
            pilot,
            lambda count=count: len(seen.of(events.SettingsApplied)) > count,
            what="the app to handle the report of a marker command",
        )
    return seen.last(events.SettingsApplied)


def recording_notify(app) -> list[tuple[str, str]]:
    """(title, message) of every notification, expired or not."""
    seen: list[tuple[str, str]] = []
    notify = app.notify

    def record(message, *args, **kwargs):
        seen.append((kwargs.get("title", ""), str(message)))
        return notify(message, *args, **kwargs)

    app.notify = record
    return seen


def shown(app) -> str:
    """The notice line's text ("" while it is hidden)."""
    line = app.notice
    return str(line.content) if line.display else ""
