"""Neuron features and unit ranking against character loops."""

from types import SimpleNamespace

import numpy as np
import pytest
from insight_helpers import random_params, slow_lstm

from tui_charrnn.corpus import Corpus
from tui_charrnn.hparams import Hyperparams
from tui_charrnn.insight.neurons import activations, features, rank_units
from tui_charrnn.models.params import Params
from tui_charrnn.screens.insight import NEURON_CHARS, PASSAGE, held_out, neurons_tab
from tui_charrnn.screens.insight_text import ACT_STYLES, act_level, styled


def slow_features(text):
    out = {k: [] for k in ("in_quotes", "bracket_depth", "line_position", "after_newline")}
    inside, depth, col = 0, 0, 0
    for t, c in enumerate(text):
        if c == '"':
            inside = 1 - inside
        if c in "([{":
            depth += 1
        elif c in ")]}":
            depth = max(depth - 1, 0)
        col = 0 if t == 0 or text[t - 1] == "\n" else col + 1
        for k, v in zip(out, (inside, depth, col, col == 0), strict=True):
            out[k].append(float(v))
    return out


@pytest.mark.parametrize(
    "text",
    [
        'say "Hi (there)" {x[1]}\n  Next "line\nB" ))) (é\tÉ)\n\nend',
        "\n\nx",
        "",
        "A",
        ")(",
    ],
)
def test_features_match_character_loop(text):
    got = features(text)
    want = slow_features(text)
    assert got.keys() == want.keys()
    for k in want:
        assert got[k].tolist() == want[k], k


def test_activations_and_rank_units():
    P = random_params(V=6, H=4, seed=11)
    ixs = np.random.default_rng(12).integers(0, 6, 50)
    acts = activations(P, ixs, np.zeros(4))
    assert acts.shape == (50, 4)
    feat = np.random.default_rng(13).standard_normal(50)
    acts = np.column_stack([acts, np.full(50, 0.3), 2 * feat + 1, -feat])  # (50, 7)
    ranked = rank_units(acts, feat)
    slow = []
    for u in range(acts.shape[1]):
        a = acts[:, u]
        if a.std() == 0:
            slow.append(0.0)
        else:
            slow.append(float(np.corrcoef(a, feat)[0, 1]))
    assert sorted(u for u, _ in ranked) == list(range(7))
    assert [abs(c) for _, c in ranked] == sorted((abs(c) for _, c in ranked), reverse=True)
    for u, c in ranked:
        assert c == pytest.approx(slow[u], abs=1e-12)
    assert {ranked[0][0], ranked[1][0]} == {5, 6} and dict(ranked)[4] == 0.0
    assert all(c == 0.0 for _, c in rank_units(acts, np.ones(50)))


TEXT = 'say "hi" (to me)\nand (then "go")\n' * 20


def neurons_of(params, text):
    corpus = Corpus.from_text(text, "t")
    snap = SimpleNamespace(params=params, hp=Hyperparams(val_fraction=0.5))
    return corpus, neurons_tab.compute(snap, corpus)


def test_every_part_of_an_lstm_state_is_ranked_on_its_own_units():
    corpus = Corpus.from_text(TEXT, "t")
    rng = np.random.default_rng(5)
    P = Params(corpus.V, 6, kind="lstm", layers=2)
    P.flat[...] = rng.standard_normal(P.flat.shape) * 0.8
    _, n = neurons_of(P, TEXT)
    assert [label for label, _ in n.parts] == ["h1", "c1", "h2", "c2"]
    val = held_out(corpus, 0.5)
    ixs = corpus.data[val.start : val.start + NEURON_CHARS]
    assert n.text == corpus.decode(ixs)
    slow = slow_lstm(P, ixs, np.zeros(P.net.state_size))  # per layer (gates, h, c)
    want = {"h1": slow[0][1], "c1": slow[0][2], "h2": slow[1][1], "c2": slow[1][2]}
    feats = features(n.text)
    for label, sl in n.parts:
        np.testing.assert_allclose(n.acts[:, sl], want[label], rtol=1e-9, atol=1e-12)
        for name, f in feats.items():  # the best 3 by |Pearson r| on this part's units
            r = [abs(np.corrcoef(want[label][:, u], f)[0, 1]) for u in range(P.H)]
            best = sorted(range(P.H), key=lambda u: -r[u])[:3]
            assert [u for u, _ in n.ranked[label][name]] == best, (label, name)


def test_render_names_the_part_and_colours_a_cell_by_its_tanh():
    corpus = Corpus.from_text(TEXT, "t")
    P = Params(corpus.V, 4, kind="lstm", layers=2)
    P.flat[...] = np.random.default_rng(6).standard_normal(P.flat.shape) * 3
    _, n = neurons_of(P, TEXT)
    h1, c1 = (neurons_tab.render(n, part, 2) for part in (0, 1))
    assert h1.plain.startswith("part  h1   c1   h2   c2 ") and " h1: " in h1.plain
    assert " tanh(c1): " in c1.plain
    # c1's colours are those of tanh(c1), which differ from its raw values' here
    c = n.acts[:PASSAGE, n.parts[1][1]][:, 2]
    chars = list(n.text[:PASSAGE])
    want, raw = (styled(chars, [ACT_STYLES[lv] for lv in act_level(v)]) for v in (np.tanh(c), c))
    assert spans(want) != spans(raw)
    offset = len(c1.plain) - len(want.plain)
    assert c1.plain[offset:] == want.plain
    assert spans(c1, offset) == spans(want)


def spans(content, offset=0):
    """(start, end, style) of the spans from offset on, counted from offset."""
    return [
        (s.start - offset, s.end - offset, str(s.style)) for s in content.spans if s.start >= offset
    ]


def test_a_one_layer_rnn_shows_its_hidden_state_as_before():
    corpus = Corpus.from_text(TEXT, "t")
    P = random_params(V=corpus.V, H=5, seed=3)
    _, n = neurons_of(P, TEXT)
    assert n.parts == [("h", slice(0, 5))]
    shown = neurons_tab.render(n, 0, neurons_tab.unit_list(n.ranked["h"])[0]).plain
    assert shown.startswith("Units that track a feature") and " activation: " in shown
    assert "part" not in shown.split("\n")[0]
