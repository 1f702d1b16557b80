"""`charrnn-tui eval CKPT_OR_RUN TEXT`: a checkpoint's cross-entropy on a text, in nats
and bits per character, next to the n-gram baselines on the same characters.

The network starts from a zero hidden state; the first --warmup characters only set that
state and every later character is scored: N - W predictions, each -ln p(next | all
before it), in one sequential pass (heldout.evaluate_loss with one stream, the model's
own forward pass). The baselines (insight/baselines.py) are counted on the run's training
text when its corpus is found, else on this text itself (in-sample, so optimistic).
"""

from __future__ import annotations

import json
import math
import sys

import numpy as np

from .. import catalog
from ..corpus import CorpusError, load, split_point
from ..exits import EXIT_OK, error, warn
from ..files import CheckpointError
from ..heldout import evaluate_loss
from ..insight.baselines import ngram_losses
from ..model import hidden_states
from ..models.params import Net, Params
from ..opening import corpus_of_run
from .common import (
    Model,
    UsageError,
    add_target,
    int_between,
    load_model,
    parser,
    run_settings,
    shown_chars,
)

DEFAULT_WARMUP = 100
BLOCK = 256  # steps per block of the sequential pass (memory: BLOCK x V floats)
LN2 = math.log(2)


def build_parser():
    p = parser(
        "eval",
        "Cross-entropy of a trained checkpoint on a text (nats and bits per character),"
        " with unigram, bigram and trigram baselines on the same characters.",
    )
    add_target(p)
    p.add_argument("text", metavar="TEXT", help="a UTF-8 text file (or a bundled corpus name)")
    p.add_argument(
        "--warmup",
        type=int_between(1, 10**9),
        default=None,
        metavar="W",
        help="the first W characters only set the hidden state (from zeros); the rest are"
        f" scored (default {DEFAULT_WARMUP}, or a tenth of a text shorter than"
        f" {10 * DEFAULT_WARMUP:,} characters; 1 scores every character after the first)",
    )
    p.add_argument(
        "--skip-unknown",
        action="store_true",
        help="drop characters that are not in the vocabulary (default: refuse)",
    )
    p.add_argument("--json", action="store_true", help="print the figures as one JSON object")
    return p


def read_text(model: Model, name_or_path: str, skip_unknown: bool) -> tuple[str, np.ndarray]:
    """(name, indices in the checkpoint's vocabulary) of the text to score."""
    if not name_or_path.strip():
        raise UsageError("TEXT needs a text file, not an empty name")
    name, path = catalog.resolve(name_or_path)
    corpus = load(path, name=name)
    vocab = model.char_to_ix()
    table = np.array([vocab.get(c, -1) for c in corpus.chars], np.intp)
    data = table[corpus.data]
    unknown = [c for c in corpus.chars if c not in vocab]
    if unknown and not skip_unknown:
        raise UsageError(
            f"{corpus.name}: characters not in the vocabulary of {model.where}:"
            f" {shown_chars(unknown)} (--skip-unknown drops them)"
        )
    if unknown:
        data = data[data >= 0]
        warn(f"dropped {corpus.N - len(data):,} characters not in the vocabulary")
    return corpus.name, data


def model_loss(P: Params, data: np.ndarray, warmup: int) -> float:
    """Mean -ln p of data[warmup:], each predicted from everything before it, starting
    from a zero state."""
    h = P.zero_state()
    if warmup > 1:
        h = hidden_states(P, data[: warmup - 1], h)[-1]
    start = warmup - 1  # evaluate_loss feeds data[start] and scores from data[start + 1]
    return evaluate_loss(P, data, start, len(data) - start, BLOCK, h, streams=1)


def baseline_counts(model: Model) -> tuple[np.ndarray | None, str]:
    """The training part of the run's corpus, indexed in the checkpoint's vocabulary,
    and its description; None if the corpus is not found."""
    settings = run_settings(model)
    ckpt = model.checkpoint
    try:
        source = corpus_of_run(settings, ckpt.path)
        if source is None:
            return None, "no run folder names its corpus"
        name, path = catalog.resolve(source)
        corpus = load(path, name=name, chars=model.chars)
    except (CorpusError, catalog.CatalogError, OSError) as e:
        return None, f"the run's corpus cannot be read ({e})"
    val_fraction = 0.0 if ckpt.whole_text or ckpt.hp is None else ckpt.hp.val_fraction
    cut = split_point(corpus.N, val_fraction)
    return corpus.data[:cut], f"the training part of {corpus.name} ({cut:,} characters)"


def baselines(model: Model, data: np.ndarray, warmup: int) -> tuple[dict, str]:
    train, source = baseline_counts(model)
    if train is None or len(train) < 3:
        train, source = data, f"this text itself (in-sample, optimistic: {source})"
    val = data[max(0, warmup - 2) :]  # scored: data[max(warmup, 2):], two characters of context
    if len(val) < 3 or len(train) < 3:
        return {}, "the text is too short for n-gram baselines"
    return ngram_losses(train, val, len(model.chars)), source


def main(argv: list[str]) -> int:
    args = build_parser().parse_args(argv)
    try:
        model = load_model(args.target)
        name, data = read_text(model, args.text, args.skip_unknown)
        if args.warmup is None:
            args.warmup = max(1, min(DEFAULT_WARMUP, len(data) // 10))
        if len(data) <= args.warmup:
            raise UsageError(
                f"{name}: {len(data):,} characters, nothing left to score after a warm-up of"
                f" {args.warmup:,} (--warmup smaller)"
            )
    except (CheckpointError, CorpusError, catalog.CatalogError, UsageError) as e:
        return error(str(e))
    with np.errstate(all="ignore"):
        nats = model_loss(model.params, data, args.warmup)
        base, source = baselines(model, data, args.warmup)
    result = {
        "checkpoint": str(model.checkpoint.path),
        "iteration": model.checkpoint.n,
        "model": model.params.net.kind,
        "layers": model.params.net.layers,
        "hidden_size": model.params.H,
        "vocab_size": model.params.V,
        "text": name,
        "chars": len(data),
        "warmup": args.warmup,
        "scored": len(data) - args.warmup,
        "nats_per_char": nats,
        "bits_per_char": nats / LN2,
        "baselines": {k: {"nats_per_char": v, "bits_per_char": v / LN2} for k, v in base.items()},
        "baselines_counted_on": source,
        "baselines_scored": max(0, len(data) - max(args.warmup, 2)),
    }
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print_table(result, model)
    return EXIT_OK


def print_table(r: dict, model: Model) -> None:
    from rich.console import Console
    from rich.table import Table

    title = (
        f"{r['text']}: {r['chars']:,} characters; the first {r['warmup']:,} read as warm-up"
        f" from a zero state, {r['scored']:,} scored"
    )
    table = Table("model", "nats/char", "bits/char", title=title, title_justify="left")
    net = Net(r["vocab_size"], r["hidden_size"], r["model"], r["layers"]).describe()
    rnn = f"char-RNN ({net}, V {r['vocab_size']}, iteration {r['iteration']:,})"
    table.add_row(rnn, f"{r['nats_per_char']:.4f}", f"{r['bits_per_char']:.4f}", style="bold")
    for k, v in r["baselines"].items():
        table.add_row(k, f"{v['nats_per_char']:.4f}", f"{v['bits_per_char']:.4f}")
    table.caption = (
        f"checkpoint {model.where}. Baselines (add-one smoothing) counted on"
        f" {r['baselines_counted_on']}, scored on the last {r['baselines_scored']:,}"
        " characters (uniform: ln V)."
    )
    table.caption_justify = "left"
    Console(file=sys.stdout).print(table)
