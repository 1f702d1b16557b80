"""What a network is (Net: cell, vocabulary, hidden size, layers) and its numbers (Params:
every array as a view into one flat buffer).

No UI library here. model.py runs a network; this module only names and stores it.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import ModuleType

import numpy as np

from . import CELLS

PARAM_NAMES = ("Wxh", "Whh", "Why", "bh", "by")  # the seed's arrays: a 1-layer rnn's
DTYPES = {"float64": np.float64, "float32": np.float32}
MODELS = tuple(CELLS)  # "rnn", "gru", "lstm"
MAX_LAYERS = 3
OUTPUT_NAMES = ("Why", "by")


@dataclass(frozen=True)
class Net:
    """What a network is, without its numbers: cell, vocabulary V, hidden size H, layers."""

    V: int
    H: int
    kind: str = "rnn"
    layers: int = 1

    @property
    def cell(self) -> ModuleType:
        return CELLS[self.kind]

    def name(self, base: str, layer: int) -> str:
        """Layer 0's arrays keep the base name (the seed's, for the rnn); layer l adds l + 1."""
        return base if layer == 0 else f"{base}{layer + 1}"

    def layer_shapes(self, layer: int) -> dict[str, tuple[int, ...]]:
        """One layer's arrays under the cell's base names; layer 0 reads the V characters."""
        return self.cell.layer_shapes(self.V if layer == 0 else self.H, self.H)

    def layer_names(self, layer: int) -> dict[str, str]:
        return {base: self.name(base, layer) for base in self.layer_shapes(layer)}

    def shapes(self) -> dict[str, tuple[int, ...]]:
        """Every array's name and shape, in storage order (for the rnn: the seed's order)."""
        out: dict[str, tuple[int, ...]] = {}
        for layer in range(self.layers):
            for base, shape in self.layer_shapes(layer).items():
                out[self.name(base, layer)] = shape
        out["Why"], out["by"] = (self.V, self.H), (self.V,)
        if self.kind == "rnn" and self.layers == 1:  # the seed's order
            return {k: out[k] for k in PARAM_NAMES}
        return out

    @property
    def layer_state(self) -> int:
        """Width of one layer's state: H, or 2H for [h, c]."""
        return len(self.cell.CARRIES) * self.H

    @property
    def state_size(self) -> int:
        return self.layers * self.layer_state

    def layer_slice(self, layer: int) -> slice:
        return slice(layer * self.layer_state, (layer + 1) * self.layer_state)

    def state_parts(self) -> list[tuple[str, slice]]:
        """Labelled parts of a state vector: ("h", ...) for one layer, ("h1", "c1", "h2"...)."""
        parts = []
        for layer in range(self.layers):
            for k, carry in enumerate(self.cell.CARRIES):
                start = layer * self.layer_state + k * self.H
                label = carry if self.layers == 1 else f"{carry}{layer + 1}"
                parts.append((label, slice(start, start + self.H)))
        return parts

    def hidden(self, states: np.ndarray) -> np.ndarray:
        """Every layer's h from states (..., S): (..., layers * H), without LSTM cells."""
        if len(self.cell.CARRIES) == 1:
            return states
        parts = [states[..., sl] for label, sl in self.state_parts() if label[0] == "h"]
        return np.concatenate(parts, axis=-1)

    def top(self, states: np.ndarray) -> np.ndarray:
        """The top layer's h from states (..., S): (..., H), a view."""
        start = (self.layers - 1) * self.layer_state
        return states[..., start : start + self.H]

    @property
    def size(self) -> int:
        """The number of parameters (Params.flat.size), without allocating them."""
        return sum(int(np.prod(shape)) for shape in self.shapes().values())

    def describe(self) -> str:
        """'lstm 2x128', 'rnn 100': the cell, layers and hidden size, for labels."""
        layers = f"{self.layers}x" if self.layers > 1 else ""
        return f"{self.kind} {layers}{self.H}"


class Params:
    """A network's arrays as views into one contiguous buffer `flat`, each also an
    attribute (P.Wxh, P.Why, P.Wh2...).

    Gradients and optimiser memories use the same class, so one numpy call on `flat`
    touches every array at once.
    """

    def __init__(
        self,
        V: int,
        H: int,
        dtype=np.float64,
        flat: np.ndarray | None = None,
        *,
        kind: str = "rnn",
        layers: int = 1,
    ):
        self.net = Net(V, H, kind, layers)
        self.V, self.H = V, H
        shapes, size = self.net.shapes(), self.net.size
        if flat is None:
            flat = np.zeros(size, dtype=dtype)
        assert flat.shape == (size,) and flat.flags.c_contiguous
        self.flat = flat
        self._arrays: dict[str, np.ndarray] = {}
        offset = 0
        for name, shape in shapes.items():
            n = int(np.prod(shape))
            self._arrays[name] = flat[offset : offset + n].reshape(shape)
            setattr(self, name, self._arrays[name])
            offset += n

    Wxh: np.ndarray  # (H, V) input to hidden (the rnn's layer 1)
    Whh: np.ndarray  # (H, H) hidden to hidden (the rnn's layer 1)
    Why: np.ndarray  # (V, H) hidden to output
    bh: np.ndarray  # (H,)   hidden bias (the rnn's layer 1)
    by: np.ndarray  # (V,)   output bias

    @property
    def dtype(self) -> np.dtype:
        return self.flat.dtype

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(self._arrays)

    def layer(self, layer: int) -> dict[str, np.ndarray]:
        """One layer's arrays under the cell's base names (Wx, Wh, b...)."""
        return {base: self._arrays[name] for base, name in self.net.layer_names(layer).items()}

    @classmethod
    def of(cls, net: Net, dtype=np.float64, flat: np.ndarray | None = None) -> Params:
        return cls(net.V, net.H, dtype, flat, kind=net.kind, layers=net.layers)

    @classmethod
    def init(
        cls, V: int, H: int, rng: np.random.Generator, dtype=np.float64, kind="rnn", layers=1
    ) -> Params:
        """Layer 1 first, then Why, then the deeper layers: for a 1-layer rnn that is the
        seed's initialisation (randn * 0.01 for Wxh, Whh, Why in that order, zero biases)."""
        P = cls(V, H, np.float64, kind=kind, layers=layers)
        cell = P.net.cell
        cell.init_layer(P.layer(0), rng)
        P.Why[...] = cell.init_weights(P.Why.shape, rng)
        for layer in range(1, layers):
            cell.init_layer(P.layer(layer), rng)
        return P.astype(dtype)

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray], dtype=None, net: Net | None = None):
        """Build from named arrays (biases (n,) or (n, 1)), copying them. Without `net`,
        the seed's five arrays of a 1-layer rnn."""
        if net is None:
            H, V = np.shape(arrays["Wxh"])
            net = Net(V, H)
        shapes = net.shapes()
        dtype = dtype or np.result_type(*(np.asarray(arrays[k]).dtype for k in shapes))
        P = cls.of(net, dtype)
        for name, shape in shapes.items():
            P._arrays[name][...] = np.asarray(arrays[name]).reshape(shape)
        return P

    def arrays(self) -> dict[str, np.ndarray]:
        return dict(self._arrays)

    def zeros_like(self) -> Params:
        return Params.of(self.net, self.dtype)

    def copy(self) -> Params:
        return Params.of(self.net, flat=self.flat.copy())

    def astype(self, dtype) -> Params:
        return Params.of(self.net, flat=self.flat.astype(dtype))

    def zero_state(self, *batch: int) -> np.ndarray:
        """A zero state, (S,) or (B, S)."""
        return np.zeros((*batch, self.net.state_size), dtype=self.dtype)
