"""The checkpoint file: one .npz, written atomically, read back with every shape checked.

No UI library here. A checkpoint holds the network's arrays under their names (a 1-layer
rnn: the seed's five, biases as (H, 1) columns; the README lists every model's), the
optimiser's memories ("m" + name, Adam also "v" + name) and step count, the state carried
between blocks, the vocabulary in index order, the settings (model, layers, optimiser...)
and the loop state, so a run continues bit for bit. A file holding only the seed's five
arrays and `chars` (what the original script can save) loads too.

Writes are atomic (files.atomic_write); reading checks every size the file declares
before anything is allocated (checkpoint_read.py).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from . import __version__
from .checkpoint_read import read_npz, stored_shapes
from .corpus import Corpus
from .files import CheckpointError, atomic_write, os_error_reason
from .hparams import Hyperparams, validate
from .models.params import DTYPES, Net, Params
from .optimizers import memory_names
from .safefile import show_path
from .session import Session

FORMAT_VERSION = 2  # 2: any model (model, layers, optimizer in hparams; opt_steps, epoch)
SEED_COLUMNS = ("bh", "by")  # stored as (n, 1) columns, as the original script has them


def checkpoint_arrays(session: Session) -> dict[str, np.ndarray]:
    """Everything a checkpoint stores, as named numpy arrays."""
    out: dict[str, np.ndarray] = {}
    opt = session.optimizer
    for prefix, P in (("", session.params), *opt.memories.items()):
        for name, arr in P.arrays().items():
            out[prefix + name] = arr.reshape(-1, 1) if name in SEED_COLUMNS else arr
    out["opt_steps"] = np.array(opt.steps, dtype=np.int64)
    out["epoch"] = np.array(session.epoch, dtype=np.int64)
    out["hprev"] = np.asarray(session.hprev)
    out["chars"] = np.array(session.corpus.chars, dtype=str)
    out["n"] = np.array(session.n, dtype=np.int64)
    out["p"] = np.array(session.p, dtype=np.int64)
    out["smooth_loss"] = np.array(session.smooth_loss, dtype=np.float64)
    out["hparams"] = np.array(json.dumps(session.hp.to_dict()))
    out["rng"] = np.array(json.dumps(session.rng.bit_generator.state))
    out["format"] = np.array(FORMAT_VERSION, dtype=np.int64)
    return out


def diverged_part(session: Session) -> str | None:
    """Which part of the session holds NaN or infinite values, if any."""
    if not np.isfinite(session.params.flat).all():
        return "parameters"
    if not all(np.isfinite(b).all() for b in session.optimizer.buffers()):
        return "optimiser memory"
    if not np.isfinite(session.hprev).all():
        return "hidden state"
    if not np.isfinite(session.smooth_loss):
        return "smooth loss"
    return None


def save_checkpoint(path: Path, session: Session) -> None:
    """Write the session atomically; a diverged (non-finite) state is refused and the
    previous file stays."""
    bad = diverged_part(session)
    if bad is not None:
        raise CheckpointError(
            f"{path}: not saved: NaN or infinite values in the {bad} (training diverged)"
        )
    arrays = checkpoint_arrays(session)
    atomic_write(Path(path), lambda f: np.savez(f, **arrays), "checkpoint")


@dataclass
class Checkpoint:
    net: Net
    arrays: dict[str, np.ndarray]  # net.shapes()'s names, as stored (biases (n,) or (n, 1))
    # optimiser memories by letter ("m", "v"), each under the arrays' names
    memories: dict[str, dict[str, np.ndarray]]
    hprev: np.ndarray | None  # (B, S)
    chars: list[str]
    n: int = 0
    p: int = 0
    smooth_loss: float | None = None
    hp: Hyperparams | None = None
    rng_state: dict | None = None
    path: Path | None = None
    # False for files that store no val_fraction (the original script's, or this program's
    # before validation existed): they were trained on the whole text
    stores_split: bool = True
    opt_steps: int = 0
    epoch: int = 0

    @property
    def whole_text(self) -> bool:
        """It stores no val_fraction, so it was trained on the whole text."""
        return self.hp is None or not self.stores_split

    @property
    def H(self) -> int:
        return self.net.H

    @property
    def V(self) -> int:
        return self.net.V

    @property
    def optimizer(self) -> str:
        """The optimiser the memories belong to (files without settings: the seed's)."""
        return self.hp.optimizer if self.hp is not None else "adagrad"

    def params(self) -> Params:
        """The network's parameters, in the stored float type (float64 if another)."""
        params = Params.from_arrays(self.arrays, net=self.net)
        return params if params.dtype.name in DTYPES else params.astype(np.float64)


# What a checkpoint may hold (format 1; the README lists them). Anything else is refused.
def _check_float(path, name, arr, shapes) -> np.ndarray:
    if arr.shape not in shapes:
        want = " or ".join(str(s) for s in shapes)
        raise CheckpointError(f"{path}: {name} has shape {arr.shape}, expected {want}")
    if arr.dtype.kind != "f":
        raise CheckpointError(f"{path}: {name} has dtype {arr.dtype}, expected floating point")
    if not np.isfinite(arr).all():
        raise CheckpointError(f"{path}: {name} contains NaN or infinite values")
    return arr


def _scalar(path, data, key, kind, default):
    if key not in data:
        return default
    arr = data[key]
    try:
        if arr.shape != ():
            raise ValueError
        value = kind(arr.item())
    except (ValueError, TypeError):
        raise CheckpointError(f"{path}: {key} is not a single {kind.__name__}") from None
    return value


def _json(path, data, key):
    if key not in data:
        return None
    try:
        return json.loads(str(data[key].item()))
    except (ValueError, TypeError, RecursionError):
        raise CheckpointError(f"{path}: {key} is not valid JSON") from None


def _chars(path, arr: np.ndarray) -> list[str]:
    if arr.dtype.kind != "U":
        raise CheckpointError(f"{path}: chars must be an array of strings, not {arr.dtype}")
    chars = list(str(arr.item())) if arr.ndim == 0 else [str(c) for c in arr.reshape(-1)]
    if any(len(c) != 1 for c in chars) or len(set(chars)) != len(chars):
        raise CheckpointError(f"{path}: chars must be distinct single characters")
    return chars


def load_checkpoint(path) -> Checkpoint:
    path = Path(path).expanduser()
    net, data = read_npz(path)  # every array name and shape checked against net
    shown = show_path(path)  # the real path is kept in the Checkpoint
    fmt = _scalar(shown, data, "format", int, FORMAT_VERSION)
    if fmt > FORMAT_VERSION:
        raise CheckpointError(f"{shown}: format {fmt} is newer than this program ({__version__})")
    V, S = net.V, net.state_size
    shapes = stored_shapes(net)
    arrays = {k: _check_float(shown, k, data[k], shapes[k]) for k in shapes}
    chars = _chars(shown, data["chars"])
    if len(chars) != V:
        raise CheckpointError(f"{shown}: chars has {len(chars)} characters, the network reads {V}")
    memories = {}
    for letter in "mv":
        present = [k for k in shapes if letter + k in data]
        if present and len(present) != len(shapes):
            lost = sorted(letter + k for k in set(shapes) - set(present))
            raise CheckpointError(
                f"{shown}: incomplete optimiser memory, missing {', '.join(lost)}"
            )
        if present:
            memories[letter] = {k: _check_float(shown, letter + k, data[letter + k], shapes[k])
                                for k in shapes}  # fmt: skip
    hprev = None
    if "hprev" in data:
        h = data["hprev"]
        if h.shape in ((S,), (S, 1)):
            h = h.reshape(1, S)
        hprev = _check_float(shown, "hprev", h, [(h.shape[0] if h.ndim == 2 else 1, S)])
        if hprev.shape[0] < 1:
            raise CheckpointError(f"{shown}: hprev is empty")
    n = _scalar(shown, data, "n", int, 0)
    p = _scalar(shown, data, "p", int, 0)
    opt_steps = _scalar(shown, data, "opt_steps", int, n)
    epoch = _scalar(shown, data, "epoch", int, 0)
    if min(n, p, opt_steps, epoch) < 0:
        raise CheckpointError(f"{shown}: n, p, opt_steps and epoch must not be negative")
    smooth = _scalar(shown, data, "smooth_loss", float, None)
    if smooth is not None and not np.isfinite(smooth):
        raise CheckpointError(f"{shown}: smooth_loss is not finite")
    hp = None
    raw_hp = _json(shown, data, "hparams")
    if raw_hp is not None:
        try:
            hp = Hyperparams.from_dict(dict(raw_hp))
        except (ValueError, TypeError) as e:
            raise CheckpointError(f"{shown}: bad hyperparameters: {os_error_reason(e)}") from None
    rng_state = _json(shown, data, "rng")
    if rng_state is not None and not isinstance(rng_state, dict):
        raise CheckpointError(f"{shown}: rng is not a generator state")
    split = isinstance(raw_hp, dict) and "val_fraction" in raw_hp
    return Checkpoint(
        net, arrays, memories, hprev, chars, n, p, smooth, hp, rng_state, path, split,
        opt_steps, epoch,
    )  # fmt: skip


def session_from_checkpoint(
    ckpt: Checkpoint, corpus: Corpus, hp_overrides: dict[str, Any] | None = None
) -> Session:
    """A Session that continues the checkpoint on `corpus` (loaded with chars=ckpt.chars)."""
    where = show_path(ckpt.path) if ckpt.path else "checkpoint"
    if list(corpus.chars) != list(ckpt.chars):
        extra = sorted(set(corpus.chars) - set(ckpt.chars))
        if extra:
            shown = ", ".join(repr(c) for c in extra[:10])
            raise CheckpointError(
                f"{where}: the corpus {corpus.name} has characters not in the checkpoint's"
                f" vocabulary: {shown}"
            )
        raise CheckpointError(
            f"{where}: the corpus {corpus.name} was not loaded with the checkpoint's vocabulary"
        )
    params = ckpt.params()
    overrides = dict(hp_overrides or {})
    refuse_other_network(ckpt, overrides, where)
    hp = ckpt.hp or Hyperparams()
    if ckpt.whole_text:  # continue as it learnt, from the whole text: bit for bit
        hp = hp.with_(val_fraction=0)
    try:
        net = ckpt.net
        hp = hp.with_(model=net.kind, layers=net.layers, hidden_size=net.H, dtype=params.dtype.name)
        hp = hp.with_(**overrides)
    except ValueError as e:
        raise CheckpointError(f"{where}: {os_error_reason(e)}") from None
    memories, opt_steps = {}, 0  # another optimiser than the file's starts afresh
    if hp.optimizer == ckpt.optimizer:
        opt_steps = ckpt.opt_steps
        memories = {
            letter: Params.from_arrays(arrays, params.dtype, ckpt.net)
            for letter, arrays in ckpt.memories.items()
            if letter in memory_names(hp.optimizer)
        }
    hprev, p = ckpt.hprev, ckpt.p
    if hprev is not None and hprev.shape[0] != hp.batch_size:
        hprev, p = None, 0  # a different batch size: streams restart at their segment starts
    if ckpt.rng_state is not None:
        rng = np.random.default_rng()
        try:
            rng.bit_generator.state = ckpt.rng_state
        except (ValueError, TypeError, KeyError, OverflowError) as e:
            reason = os_error_reason(e)
            raise CheckpointError(f"{where}: cannot restore the random state: {reason}") from None
    else:
        rng = np.random.default_rng(hp.seed)
    return Session(
        corpus, hp, params, memories, hprev, ckpt.n, p, ckpt.smooth_loss, rng, opt_steps,
        ckpt.epoch,
    )  # fmt: skip


NETWORK_SETTINGS = {"model": "kind", "layers": "layers", "hidden_size": "H"}


def refuse_other_network(ckpt: Checkpoint, overrides: dict[str, Any], where: str) -> None:
    """CheckpointError if the settings ask for another network than the file holds: its
    weights cannot continue as a different cell, depth or width."""
    for name, attr in NETWORK_SETTINGS.items():
        if name not in overrides:
            continue
        have = getattr(ckpt.net, attr)
        try:
            want = validate(name, overrides[name])
        except ValueError:
            continue  # the settings' own check says what is wrong with it
        if want != have:
            label = name.replace("_", " ")
            raise CheckpointError(
                f"{where}: the checkpoint holds a network with {label} {have}, not {want};"
                " start a new run for that"
            )
