"""How a network is named on screen and in pictures: "lstm 2x128 · 238k params".

One wording for the status bar, the loss pane's title, the runs browser, `charrnn-tui
runs` and the curves compared on a chart, so a run reads the same everywhere. No UI
library here.
"""

from __future__ import annotations

from .hparams import Hyperparams
from .model import Net


def net_of(hp: Hyperparams, V: int) -> Net:
    """The network hp describes for a vocabulary of V characters."""
    return Net(V, hp.hidden_size, hp.model, hp.layers)


def count(n: int) -> str:
    """A parameter count in at most 4 significant characters: 812, 22.8k, 238k, 1.2M."""
    if n < 1000:
        return str(n)
    x, unit = (n / 1e6, "M") if n >= 999_500 else (n / 1e3, "k")  # 999,500 rounds to 1.0M
    return f"{x:.1f}{unit}" if x < 99.95 else f"{x:.0f}{unit}"


def params(net: Net) -> str:
    """'238k params'."""
    return f"{count(net.size)} params"


def net_label(net: Net, optimizer: str | None = None) -> str:
    """'lstm 2x128 · 238k params', with ' · adam' when the optimiser is given."""
    label = f"{net.describe()} · {params(net)}"
    return f"{label} · {optimizer}" if optimizer else label


def run_label(net: Net | None, corpus: str) -> str:
    """A run's curve on a chart: 'lstm 128 · 106k params · fables'."""
    return f"{net_label(net)} · {corpus}" if net is not None else corpus


def distinct(labels: list[str], names: list[str]) -> list[str]:
    """The labels, each one that is not unique followed by its run's name (a folder)."""
    return [
        f"{label} ({name})" if labels.count(label) > 1 else label
        for label, name in zip(labels, names, strict=True)
    ]
