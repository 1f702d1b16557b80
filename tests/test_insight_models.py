"""The insight tabs on every kind of network: a 1-layer rnn, a 2-layer GRU and a 2-layer
LSTM train in the app while each tab is opened; the neurons tab offers the parts of the
state and the health tab the layers and gates the network has."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest
from app_helpers import INSIGHT_TEXT, body, make_app
from pilot_helpers import press
from waiting import until

from tui_charrnn.corpus import Corpus
from tui_charrnn.hparams import Hyperparams
from tui_charrnn.insight.health import health
from tui_charrnn.models.params import Params
from tui_charrnn.optimizers import make_optimizer
from tui_charrnn.screens.insight import InsightScreen, health_tab

SMALL = {"hidden_size": 16, "seq_length": 10, "batch_size": 4, "sample_every": 20}

CASES = {  # model, layers -> (state parts, gates, the optimiser's rate as the tab names it)
    ("rnn", 1): (["h"], [], "adagrad's lr/√m"),
    ("gru", 2): (["h1", "h2"], ["reset", "update"], "adam's lr/√v̂"),
    ("lstm", 2): (["h1", "c1", "h2", "c2"], ["input", "forget", "output"], "adam's lr/√v̂"),
}


@pytest.mark.parametrize("model, layers", list(CASES), ids=lambda v: str(v))
async def test_tabs_fit_the_model(tmp_path, model, layers):
    parts, gates, rate = CASES[model, layers]
    hp = Hyperparams.for_model(model=model, layers=layers, **SMALL)
    app = make_app(tmp_path, hp, INSIGHT_TEXT)
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: app.iteration > 5, what="training")
        await press(pilot, "i")
        await until(pilot, lambda: isinstance(app.screen, InsightScreen), what="screen")
        screen = app.screen
        for key, tab, text in (("2", "surprisal", "expected "), ("3", "temperature", "argmax")):
            await press(pilot, key)
            await until(pilot, lambda t=tab, x=text: x in body(app, t), what=f"{tab} shown")

        await press(pilot, "4")
        await until(pilot, lambda: "inside quotes" in body(app, "neurons"), what="neurons")
        heading = body(app, "neurons").split("\n")[0]
        if len(parts) == 1:  # as before parts existed: no choice offered, p does nothing
            assert heading.startswith("Units that track") and "activation:" in body(app, "neurons")
            await press(pilot, "p", "right")  # right is handled after p
            await until(pilot, lambda: screen.unit_choice == 1, what="next unit")
            assert screen.part == 0
        else:
            assert heading.split() == ["part", *parts, "p:", "next", "part"]
            assert f"{parts[0]}:" in body(app, "neurons")
            await press(pilot, "p")
            await until(pilot, lambda: screen.part == 1, what="next part")
            shown = f"tanh({parts[1]}):" if parts[1].startswith("c") else f"{parts[1]}:"
            await until(pilot, lambda: shown in body(app, "neurons"), what=f"{parts[1]} shown")
            await press(pilot, *["p"] * (len(parts) - 1))
            await until(pilot, lambda: screen.part == 0, what="back to the first part")

        await press(pilot, "6")
        await until(pilot, lambda: "before clipping" in body(app, "health"), what="health")
        text = body(app, "health")
        assert rate in text
        for layer in range(1, layers + 1):
            assert f"\nlayer {layer} " in text
        assert f"\nlayer {layers + 1} " not in text and "\noutput " in text
        if gates:
            rows = [f" {g} " for g in gates]
            await until(
                pilot, lambda: all(r in body(app, "health") for r in rows), what="gate rows"
            )
            assert body(app, "health").count(f" {gates[0]} ") == layers
        else:
            assert "Gates" not in text
        await press(pilot, "escape")
        await until(pilot, lambda: not isinstance(app.screen, InsightScreen), what="closed")


def snapshot_of(P):
    """What the health tab reads from an InsightSnapshot, for P's network."""
    G = P.zeros_like()
    report = health(G, 5.0, make_optimizer("adam", P), None, 0.002)
    hp = Hyperparams(val_fraction=0.5)
    return SimpleNamespace(params=P, hp=hp, iteration=3, health_iteration=3, health=report)


def test_health_tab_shows_gates_only_of_the_network_shown():
    corpus = Corpus.from_text(INSIGHT_TEXT, "fox")
    rng = np.random.default_rng(2)
    two = snapshot_of(Params.init(corpus.V, 4, rng, kind="lstm", layers=2))
    gates = health_tab.compute(two, corpus)
    shown = health_tab.render(two, gates).plain
    assert shown.count(" forget ") == 2 and "counting" not in shown
    one = snapshot_of(Params.init(corpus.V, 4, rng, kind="lstm", layers=1))
    shown = health_tab.render(one, gates).plain  # a reset brought a 1-layer LSTM
    assert "counting on the held-out text" in shown and " forget " not in shown
