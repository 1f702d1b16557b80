"""The insight computations against slow, obvious Python versions on small inputs."""

import math

import numpy as np
import pytest

from tui_charrnn.insight.split import evaluate_loss, train_val_split
from tui_charrnn.model import Params


def random_params(V=7, H=6, seed=0, scale=0.5):
    rng = np.random.default_rng(seed)
    P = Params(V, H)
    P.flat[...] = rng.standard_normal(P.flat.shape) * scale
    return P


def slow_logprobs(P, ixs, h):
    """log p(ixs[t] | ixs[:t]) for t >= 1, one step at a time with Python lists."""
    out = []
    for t in range(len(ixs) - 1):
        x = np.zeros(P.V)
        x[ixs[t]] = 1
        h = np.tanh(P.Wxh @ x + P.Whh @ h + P.bh)
        y = P.Why @ h + P.by
        p = np.exp(y) / np.exp(y).sum()
        out.append(math.log(p[ixs[t + 1]]))
    return out


# --- split -------------------------------------------------------------------------


def test_train_val_split():
    assert train_val_split(100, 0.1) == (slice(0, 90), slice(90, 100))
    tr, va = train_val_split(100, 0.0)
    assert (tr, len(range(100)[va])) == (slice(0, 100), 0)
    tr, va = train_val_split(7, 0.25)
    assert len(range(7)[tr]) + len(range(7)[va]) == 7 and range(7)[va][-1] == 6
    with pytest.raises(ValueError):
        train_val_split(10, 1.0)


@pytest.mark.parametrize("length,seq_length", [(2, 25), (30, 25), (101, 7), (64, 64)])
def test_evaluate_loss_one_stream_matches_sequential(length, seq_length):
    P = random_params()
    data = np.random.default_rng(1).integers(0, P.V, 200).astype(np.uint8)
    h0 = np.random.default_rng(2).standard_normal(P.H) * 0.3
    got = evaluate_loss(P, data, 13, length, seq_length, h=h0, streams=1)
    want = -np.mean(slow_logprobs(P, data[13 : 13 + length], h0))
    assert got == pytest.approx(want, rel=1e-12)


@pytest.mark.parametrize("B", [2, 3, 5, 50])
def test_evaluate_loss_streams_are_independent_segments(B):
    P = random_params(seed=3)
    x = np.random.default_rng(4).integers(0, P.V, 101)  # 100 targets
    n = 100
    L = -(-n // B)
    logps = []
    for b in range(B):  # stream b predicts targets b*L+1 .. (b+1)*L from a zero state
        seg = x[b * L : min((b + 1) * L, n) + 1]
        if len(seg) > 1:
            logps += slow_logprobs(P, seg, np.zeros(P.H))
    assert len(logps) == n
    got = evaluate_loss(P, x, 0, 101, seq_length=4, streams=B)
    assert got == pytest.approx(-np.mean(logps), rel=1e-12)


def test_evaluate_loss_auto_streams_close_to_sequential():
    P = random_params(V=5, H=8, seed=5, scale=0.3)
    x = np.random.default_rng(6).integers(0, P.V, 5000)
    one = evaluate_loss(P, x, 0, len(x), streams=1)
    auto = evaluate_loss(P, x, 0, len(x))
    assert auto == pytest.approx(one, rel=1e-2)
    assert math.isnan(evaluate_loss(P, x, 10, 1))


# --- baselines ---------------------------------------------------------------------

from tui_charrnn.insight import baselines  # noqa: E402
from tui_charrnn.insight.baselines import ngram_losses  # noqa: E402


def slow_ngram_losses(train, val, V, k=1.0):
    train, val = list(map(int, train)), list(map(int, val))
    if len(val) < 3:
        val = train
    out = {"uniform": math.log(V)}
    for order, name in ((1, "unigram"), (2, "bigram"), (3, "trigram")):
        full, ctx = {}, {}
        for i in range(len(train) - order + 1):
            g = tuple(train[i : i + order])
            full[g] = full.get(g, 0) + 1
            ctx[g[:-1]] = ctx.get(g[:-1], 0) + 1
        total = 0.0
        for t in range(2, len(val)):
            g = tuple(val[t - order + 1 : t + 1])
            total -= math.log((full.get(g, 0) + k) / (ctx.get(g[:-1], 0) + k * V))
        out[name] = total / (len(val) - 2)
    return out


@pytest.mark.parametrize("V,k", [(3, 1.0), (11, 1.0), (40, 0.1)])
def test_ngram_losses_match_counting_dicts(V, k):
    rng = np.random.default_rng(V)
    base = rng.integers(0, V, 60)
    train = np.concatenate([base, base, rng.integers(0, V, 300)]).astype(np.uint8)
    val = np.concatenate([base[:30], rng.integers(0, V, 50)]).astype(np.uint8)
    got = ngram_losses(train, val, V, k=k)
    want = slow_ngram_losses(train, val, V, k=k)
    assert got.keys() == want.keys()
    for key in want:
        assert got[key] == pytest.approx(want[key], rel=1e-12), key


def test_ngram_losses_empty_val_uses_train_and_structure_helps():
    text = np.array(list(b"aab" * 70)) - ord("a")  # "c" (index 2) never occurs
    got = ngram_losses(text, text[:0], 3)
    assert got == pytest.approx(slow_ngram_losses(text, [], 3))
    assert got["uniform"] > got["unigram"] > got["bigram"] > got["trigram"]


def test_ngram_losses_sparse_and_renumbered_paths(monkeypatch):
    V = 1000  # V^3 = 1e9: counted with np.unique; then force the dense renumbering too
    rng = np.random.default_rng(7)
    train, val = rng.integers(0, V, 3000), rng.integers(0, V, 500)
    want = slow_ngram_losses(train, val, V)
    assert ngram_losses(train, val, V) == pytest.approx(want, rel=1e-12)
    monkeypatch.setattr(baselines, "KEY_LIMIT", 5000)
    monkeypatch.setattr(baselines, "DENSE_LIMIT", 10)
    assert ngram_losses(train, val, V) == pytest.approx(want, rel=1e-12)


# --- surprisal ---------------------------------------------------------------------

from tui_charrnn.insight.surprisal import bucket, buckets, surprisal  # noqa: E402


@pytest.mark.parametrize("V", [3, 9])
def test_surprisal_matches_step_by_step(V):
    P = random_params(V=V, H=5, seed=V, scale=1.0)
    ixs = np.random.default_rng(8).integers(0, V, 40)
    h0 = np.random.default_rng(9).standard_normal(P.H) * 0.5
    actual, top, top_p = surprisal(P, ixs, h0)
    assert actual.shape == (40,) and top.shape == top_p.shape == (40, 5)
    assert np.isnan(actual[0]) and (top[0] == -1).all()
    np.testing.assert_allclose(np.log(actual[1:]), slow_logprobs(P, ixs, h0), rtol=1e-12)
    h = h0
    for t in range(1, 40):  # the full distribution, sorted by hand
        x = np.zeros(V)
        x[ixs[t - 1]] = 1
        h = np.tanh(P.Wxh @ x + P.Whh @ h + P.bh)
        p = np.exp(P.Why @ h + P.by)
        p /= p.sum()
        ranked = sorted(range(V), key=lambda i: -p[i])[:5]
        assert top[t, : len(ranked)].tolist() == ranked
        np.testing.assert_allclose(top_p[t, : len(ranked)], p[ranked], rtol=1e-12)
        assert (top[t, len(ranked) :] == -1).all() and (top_p[t, len(ranked) :] == 0).all()


def test_surprisal_short_and_buckets():
    P = random_params()
    actual, top, _ = surprisal(P, np.array([2]), np.zeros(P.H))
    assert np.isnan(actual).all() and (top == -1).all()
    ps = [0.9, 0.5, 0.49, 0.2, 0.1, 0.05, 0.02, 0.01, 0.005, 0.0, float("nan")]
    want = [0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 0]
    assert [bucket(p) for p in ps] == want
    assert buckets(np.array(ps)).tolist() == want


# --- neurons -----------------------------------------------------------------------

from tui_charrnn.insight.neurons import activations, features, rank_units  # noqa: E402


def slow_features(text):
    out = {k: [] for k in ("in_quotes", "bracket_depth", "line_position")}
    out.update(after_newline=[], is_space=[], is_upper=[])
    inside, depth, col = 0, 0, 0
    for t, c in enumerate(text):
        if c == '"':
            inside = 1 - inside
        if c in "([{":
            depth += 1
        elif c in ")]}":
            depth = max(depth - 1, 0)
        col = 0 if t == 0 or text[t - 1] == "\n" else col + 1
        for k, v in zip(out, (inside, depth, col, col == 0, c.isspace(), c.isupper())):
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


# --- novelty -----------------------------------------------------------------------

from tui_charrnn.insight import novelty  # noqa: E402
from tui_charrnn.insight.novelty import NoveltyIndex, window_hashes  # noqa: E402


def brute_spans(corpus: str, sample: str, n: int):
    hits = [t for t in range(len(sample) - n + 1) if corpus.find(sample[t : t + n]) >= 0]
    spans = []
    for t in hits:
        if spans and t < spans[-1][1]:  # overlaps the previous span: extend it
            spans[-1] = (spans[-1][0], t + n)
        else:
            spans.append((t, t + n))
    return spans


def encode(text, alphabet):
    return np.array([alphabet.index(c) for c in text], dtype=np.uint8)


@pytest.mark.parametrize("n", [1, 2, 3, 4, 5, 7, 8, 13])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_verbatim_spans_match_brute_force(n, seed):
    rng = np.random.default_rng(seed)
    alphabet = "abc d"
    corpus = "".join(rng.choice(list(alphabet), 300))
    pieces = []
    for _ in range(8):  # a sample mixing fresh text and pieces copied from the corpus
        if rng.random() < 0.5:
            s = rng.integers(0, 280)
            pieces.append(corpus[s : s + rng.integers(1, 20)])
        else:
            pieces.append("".join(rng.choice(list(alphabet), rng.integers(1, 10))))
    sample = "".join(pieces)
    index = NoveltyIndex(encode(corpus, alphabet), n)
    got = index.verbatim_spans(encode(sample, alphabet))
    assert got == brute_spans(corpus, sample, n)


def test_window_hashes_are_the_polynomial():
    x = np.random.default_rng(3).integers(0, 200, 40)
    for n in (1, 2, 3, 6, 11, 40):
        want = []
        for t in range(len(x) - n + 1):
            h = 0
            for c in x[t : t + n]:
                h = (h * novelty.BASE + int(c) + 1) % 2**64
            want.append(h)
        assert window_hashes(x, n).tolist() == want


def test_novelty_collisions_are_verified(monkeypatch):
    monkeypatch.setattr(novelty, "BASE", 256)  # mod 2**64 only the last 8 chars count
    rng = np.random.default_rng(4)
    corpus = rng.integers(0, 2, 400).astype(np.uint8)
    sample = np.concatenate([rng.integers(0, 2, 30), corpus[100:130], rng.integers(0, 2, 30)])
    index = NoveltyIndex(corpus, 12)
    windows = {tuple(corpus[t : t + 12]) for t in range(len(corpus) - 11)}
    prefixes = np.unique(index.keys & ~index.pos_mask)
    assert len(prefixes) < len(windows)  # there are collisions
    got = index.verbatim_spans(sample)
    as_text = "".join(map(str, corpus)), "".join(map(str, sample))
    assert got == brute_spans(*as_text, 12)
    assert any(a <= 30 and b >= 60 for a, b in got)


def test_novelty_edge_cases():
    index = NoveltyIndex(np.array([1, 2, 3], np.uint8), 5)
    assert index.verbatim_spans(np.array([1, 2, 3, 1, 2, 3])) == []
    index = NoveltyIndex(np.array([1, 2, 3, 4], np.uint8), 2)
    assert index.verbatim_spans(np.array([9])) == []
    assert index.verbatim_spans(np.array([1, 2, 9, 3, 4, 2, 3])) == [(0, 2), (3, 5), (5, 7)]
    with pytest.raises(ValueError):
        NoveltyIndex(np.array([1]), 0)


def test_novelty_chunked_build_matches(monkeypatch):
    rng = np.random.default_rng(5)
    corpus = rng.integers(0, 3, 500).astype(np.uint8)
    sample = np.concatenate([rng.integers(0, 3, 20), corpus[200:260], corpus[0:9]])
    want = NoveltyIndex(corpus, 9).verbatim_spans(sample)
    monkeypatch.setattr(novelty, "CHUNK", 7)
    index = NoveltyIndex(corpus, 9)
    assert np.all(np.diff(index.keys.astype(np.float64)) >= 0)
    assert index.verbatim_spans(sample) == want
    as_text = "".join(map(str, corpus)), "".join(map(str, sample))
    assert want == brute_spans(*as_text, 9)


# --- health ------------------------------------------------------------------------

from tui_charrnn.insight.health import health  # noqa: E402


def slow_health(named_grads, clip, named_mem, hs_rows, lr):
    out = {"grad_norm": {}, "clipped_fraction": {}, "step_size": {}}
    all_g, all_m = [], []
    for name in ("Wxh", "Whh", "Why", "bh", "by"):
        g = [float(v) for v in np.ravel(named_grads[name])]
        m = [float(v) for v in np.ravel(named_mem[name])]
        all_g += g
        all_m += m
        out["grad_norm"][name] = math.sqrt(sum(v * v for v in g))
        out["clipped_fraction"][name] = sum(abs(v) >= clip for v in g) / len(g)
        out["step_size"][name] = sum(lr / math.sqrt(v + 1e-8) for v in m) / len(m)
    out["grad_norm"]["all"] = math.sqrt(sum(v * v for v in all_g))
    out["clipped_fraction"]["all"] = sum(abs(v) >= clip for v in all_g) / len(all_g)
    out["step_size"]["all"] = sum(lr / math.sqrt(v + 1e-8) for v in all_m) / len(all_m)
    cells = [abs(v) > 0.95 for row in hs_rows for v in row]
    out["saturated_fraction"] = sum(cells) / len(cells)
    return out


def check_health(got, want):
    for group in ("grad_norm", "clipped_fraction", "step_size"):
        assert got[group].keys() == want[group].keys()
        for k in want[group]:
            assert got[group][k] == pytest.approx(want[group][k], rel=1e-12), (group, k)
    assert got["saturated_fraction"] == pytest.approx(want["saturated_fraction"])


def test_health_matches_loops_for_params_flat_and_batched_states():
    V, H = 7, 5
    rng = np.random.default_rng(14)
    G, M = Params(V, H), Params(V, H)
    G.flat[...] = rng.standard_normal(G.flat.shape) * 4
    M.flat[...] = rng.random(M.flat.shape) * 10
    hs = np.tanh(rng.standard_normal((6, 3, H)) * 2)  # (T, B, H)
    want = slow_health(G.arrays(), 5.0, M.arrays(), hs.reshape(-1, H), 0.1)
    assert 0 < want["clipped_fraction"]["all"] < 1 and 0 < want["saturated_fraction"] < 1
    check_health(health(G, 5.0, M, hs, 0.1), want)
    check_health(health(G.flat.copy(), 5.0, M, hs, 0.1), want)
    check_health(
        health(G.flat, 5.0, M.flat, hs[:, 0], 0.1),
        slow_health(G.arrays(), 5.0, M.arrays(), hs[:, 0], 0.1),
    )
    got = health(G, 5.0, M, hs, 0.1)
    per_unit = [np.mean([abs(v) > 0.95 for v in hs[:, :, u].ravel()]) for u in range(H)]
    np.testing.assert_allclose(got["saturated_per_unit"], per_unit)


def test_health_after_in_place_clipping_still_counts_clipped_entries():
    G = Params(4, 3)
    G.flat[...] = np.linspace(-10, 10, G.flat.size)
    before = health(G.copy(), 5.0, G.zeros_like(), None, 0.1)["clipped_fraction"]["all"]
    np.clip(G.flat, -5, 5, out=G.flat)  # what Adagrad.step does
    after = health(G, 5.0, G.zeros_like(), None, 0.1)
    assert after["clipped_fraction"]["all"] == before > 0
    assert math.isnan(after["saturated_fraction"])
    with pytest.raises(ValueError):
        health(G.flat, 5.0, G.zeros_like().flat, None, 0.1)


# --- temperature -------------------------------------------------------------------

from tui_charrnn.insight.temperature import side_by_side  # noqa: E402
from tui_charrnn.model import sample  # noqa: E402


def test_side_by_side():
    P = random_params(V=8, H=6, seed=15, scale=1.0)
    h = np.random.default_rng(16).standard_normal(P.H) * 0.5
    h_before = h.copy()
    got = side_by_side(P, h, 3, 30, rng_seed=42)
    assert list(got) == [0.5, 1.0, 1.5, 0.0]
    assert (h == h_before).all()
    hh, ix, greedy = h.copy(), 3, []  # argmax, step by step
    for _ in range(30):
        x = np.zeros(P.V)
        x[ix] = 1
        hh = np.tanh(P.Wxh @ x + P.Whh @ hh + P.bh)
        ix = int(np.argmax(P.Why @ hh + P.by))
        greedy.append(ix)
    assert got[0.0].tolist() == greedy
    for t in (0.5, 1.0, 1.5):
        want, _ = sample(P, h, 3, 30, np.random.default_rng([42, round(1000 * t)]), t)
        assert got[t].tolist() == want.tolist()
    alone = side_by_side(P, h, 3, 30, rng_seed=42, temperatures=(1.5,))
    assert alone[1.5].tolist() == got[1.5].tolist()  # independent of the other columns
    assert side_by_side(P, h, 3, 30, 43)[1.0].tolist() != got[1.0].tolist()
    with pytest.raises(ValueError):
        side_by_side(P, h, 3, 5, 0, temperatures=(-1.0,))
