"""Health tab: gradient norms per layer, clipping, saturated units, the optimiser's step
sizes and, for a gated cell, how often each gate is shut or wide open."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, NamedTuple

from textual.content import Content

from ... import events
from ...insight.health import ALL, OUTPUT, layer_groups
from ...insight.saturation import HIGH, LOW, MOSTLY, GateSaturation, gate_saturation
from ...models.params import Net
from .held_out import held_out, val_fraction

if TYPE_CHECKING:
    from ...corpus import Corpus

GATE_CHARS = 2000  # held-out characters the gates are counted on

Piece = str | tuple[str, str]


class Gates(NamedTuple):
    """Gate saturation of one snapshot's network (computed in a thread worker)."""

    net: Net  # the network counted (a reset may have brought another since)
    iteration: int
    chars: int  # characters counted on
    layers: list[dict[str, GateSaturation]]  # per layer: gate name -> its saturation


def has_gates(snap: events.InsightSnapshot) -> bool:
    return bool(snap.params.net.cell.SIGMOID_GATES)


def compute(snap: events.InsightSnapshot, corpus: Corpus) -> Gates:
    """The gates on the held-out text, from a blank state."""
    val = held_out(corpus, val_fraction(snap))
    ixs = corpus.data[val.start : val.start + GATE_CHARS]
    layers = gate_saturation(snap.params, ixs, snap.params.zero_state())
    return Gates(snap.params.net, snap.iteration, len(ixs), layers)


def render(snap: events.InsightSnapshot, gates: Gates | None) -> Content:
    """The snapshot's health figures (snap.health must not be None) and, for a gated
    network, its gates (None or another network's: still being counted)."""
    h = snap.health
    out: list[Piece] = [
        (f"Gradient of iteration {snap.health_iteration:,} before clipping to "
         f"±{snap.hp.clip:g}\n\n", "$text-muted"),
        (f"{'':<8}{'norm':>9}  {'clipped':>7}  {'step':>9}   per array\n", "bold"),
    ]  # fmt: skip
    net = snap.params.net
    arrays = {f"layer {layer + 1}": net.layer_names(layer) for layer in range(net.layers)}
    arrays[OUTPUT] = {name: name for name in layer_groups(net)[OUTPUT]}
    for group in (*arrays, ALL):
        frac = h["clipped_fraction"][group]
        st = "$error" if frac > 0.01 else "$warning" if frac > 0 else "$success"
        out += [f"{group:<8}{h['grad_norm'][group]:>9.3f}  ", (f"{frac:>7.2%}", st)]
        out.append(f"  {h['step_median'][group]:>9.3g}   ")
        names = arrays.get(group, {})  # base name (Wx) -> full name (Wx2)
        norms = " ".join(f"{base} {h['grad_norm'][name]:.3g}" for base, name in names.items())
        out += [(norms, "$text-muted"), "\n"]
    sat = h["saturated_fraction"]
    if sat == sat:
        st = "$error" if sat > 0.5 else "$warning" if sat > 0.2 else "$success"
        out += ["\nsaturated units |h| > 0.95: ", (f"{sat:.0%}", st)]
        out.append((" (of the last hidden state)", "$text-muted"))
    out.append((f"\nstep: {h['optimizer']}'s {h['rate']} per entry, median", "$text-muted"))
    big = h["grad_norm"][ALL]
    if big != big or math.isinf(big):
        out.append(("\nthe gradient is not finite", "$error"))
    if has_gates(snap):
        out += gate_lines(gates if gates is not None and gates.net == net else None, net.H)
    return Content.assemble(*out)


def gate_lines(gates: Gates | None, H: int) -> list[Piece]:
    """Per layer and gate: the share of (step, unit) entries shut and open, and how many
    units are mostly one or the other (Karpathy et al. 2015, fig. 3 as counts)."""
    if gates is None:
        return [("\n\nGate saturation: counting on the held-out text…", "$text-muted")]
    out: list[Piece] = [
        (f"\n\nGates at iteration {gates.iteration:,} on {gates.chars:,} held-out chars: shut is"
         f" < {LOW:g}, open > {HIGH:g}; units: how many of the {H} are shut / open in more"
         f" than {MOSTLY:.0%} of the steps\n", "$text-muted"),
        (f"{'':<8} {'gate':<7} {'shut':>6} {'open':>6}   units shut / open\n", "bold"),
    ]  # fmt: skip
    for layer, named in enumerate(gates.layers):
        for k, (name, g) in enumerate(named.items()):
            head = f"layer {layer + 1}" if k == 0 else ""
            out.append(f"{head:<8} {name:<7} {g.left_fraction:>6.1%} {g.right_fraction:>6.1%}")
            out.append(f"   {g.mostly_left:>5} / {g.mostly_right}\n")
    return out
