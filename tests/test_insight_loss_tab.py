"""The insight loss tab in each unit (u): the header names the unit in words that read,
the figures and the bars are both in the unit shown; the held-out row says why it has
no figure yet."""

from __future__ import annotations

import numpy as np
import pytest

from tui_charrnn import events
from tui_charrnn.corpus import Corpus
from tui_charrnn.hparams import Hyperparams
from tui_charrnn.insight.tracker import BASELINE_NAMES, UNITS, Tracker, convert, fmt
from tui_charrnn.screens.insight import loss_tab
from tui_charrnn.session import Session
from tui_charrnn.validation import Validator

T = 10
BASELINES = {"uniform": 3.3, "unigram": 2.9, "bigram": 2.2, "trigram": 1.7}  # nats/char
HEADERS = {
    "nats/char": "Loss in nats/char",
    "bits/char": "Loss in bits/char",
    "perplexity": "Perplexity, e^(nats/char)",
    "per sequence": f"Loss per sequence of {T} chars",
}


def snapshot(iteration=500, smooth_npc=2.4, val_loss=2.6, val_chars=300):
    return events.InsightSnapshot(
        iteration, smooth_npc * T, T, None, None, 0, Hyperparams(seq_length=T), None, iteration,
        val_loss, iteration if val_loss is not None else -1, val_chars,
    )  # fmt: skip


def tracker(val_fraction=0.1, baselines=BASELINES) -> Tracker:
    t = Tracker()
    t.started(Hyperparams(val_fraction=val_fraction, seq_length=T))
    t.baselines = dict(baselines)
    return t


def row(text: str, label: str) -> str:
    (line,) = [line for line in text.splitlines() if line.startswith(label)]
    return line


@pytest.mark.parametrize("unit", UNITS)
def test_figures_and_bars_in_the_unit_shown(unit):
    t = tracker()
    t.unit = unit
    text = loss_tab.render(t, snapshot()).plain
    header = text.splitlines()[0]
    assert header.startswith(HEADERS[unit] + "  u: units")
    assert "in per" not in header and "in perplexity" not in header
    npcs = {"training (smooth)": 2.4, "held-out": 2.6}
    npcs.update({BASELINE_NAMES[k]: v for k, v in BASELINES.items()})
    figures = {label: convert(v, unit, T) for label, v in npcs.items()}
    top = max(figures.values())
    for label, figure in figures.items():
        line = row(text, label)
        assert f" {fmt(figure, unit)} " in line
        assert line.count("█") == round(loss_tab.BAR * figure / top), (label, line)


def test_perplexity_bars_are_not_scaled_in_nats():
    t = tracker()
    t.unit = "perplexity"
    text = loss_tab.render(t, snapshot()).plain
    trigram = row(text, "trigram").count("█")
    # e^1.7 / e^3.3 of the bar, not 1.7 / 3.3 of it
    assert trigram == round(loss_tab.BAR * np.exp(1.7 - 3.3)) == 5
    assert trigram != round(loss_tab.BAR * 1.7 / 3.3)


@pytest.mark.parametrize(
    ("iteration", "due"), [(0, "due at iteration 1"), (1234, "due at iteration 1,241")]
)
def test_held_out_row_says_when_the_first_figure_comes(iteration, due):
    text = loss_tab.render(tracker(), snapshot(iteration, val_loss=None, val_chars=0)).plain
    line = row(text, "held-out")
    assert "–" in line and line.endswith(f"not measured yet: {due}")


def test_held_out_row_says_when_nothing_is_held_out():
    for t in (tracker(val_fraction=0.0, baselines={}), tracker(baselines={})):
        text = loss_tab.render(t, snapshot(val_loss=None, val_chars=0)).plain
        assert row(text, "held-out").endswith("off: nothing is held out")


def test_the_first_evaluation_comes_where_the_tab_says():
    """What the tab promises is what validation.py does: a session at iteration 13 is
    first evaluated after iteration 20 (0-based), i.e. with 21 iterations trained."""
    text = "the quick brown fox jumps over the lazy dog. " * 40
    s = Session(Corpus.from_text(text, "fox"), Hyperparams(hidden_size=8, seq_length=T))
    for _ in range(13):
        s.step()
    promised = loss_tab.waiting(tracker(), snapshot(s.n, val_loss=None))
    v = Validator(s)
    while v.check(s, s.step().n, 0.0) is None:
        pass
    assert promised == f"not measured yet: due at iteration {s.n}" and s.n == 21
