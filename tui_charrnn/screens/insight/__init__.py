"""The Insight screen: what the network has learned, live, in six tabs.

Data flow. The trainer posts InsightSnapshot events (copies of the parameters, the
hidden state, gradient health, the held-out loss) about twice a second, and only while
the screen is shown (Trainer.set_insight). The app hands every trainer event to the
InsightController (controller.py), which keeps the bookkeeping that must run even while
the screen is hidden (baselines beaten, settings changes) and forwards snapshots to the
InsightScreen (screen.py).

Each tab is a module of its own (loss_tab, surprisal_tab, temperature_tab, neurons_tab,
novelty_tab, health_tab): what it computes from a snapshot and how it draws it. Everything
heavier than formatting numbers (n-gram baselines, the novelty index, the surprisal of a
passage, hidden activations, samples at several temperatures) runs in Textual thread
workers on the snapshot's copies; the UI thread never touches the trainer's session.
"""

from __future__ import annotations

from .controller import InsightController
from .held_out import PASSAGE, held_out
from .loss_tab import BAR
from .neurons_tab import FEATURES, NEURON_CHARS
from .novelty_tab import NOVELTY_N
from .screen import HEAVY_S, HEAVY_TABS, TABS, InsightScreen
from .temperature_tab import TEMP_CHARS

__all__ = [
    "BAR",
    "FEATURES",
    "HEAVY_S",
    "HEAVY_TABS",
    "NEURON_CHARS",
    "NOVELTY_N",
    "PASSAGE",
    "TABS",
    "TEMP_CHARS",
    "InsightController",
    "InsightScreen",
    "held_out",
]
