"""`charrnn-tui sample CKPT_OR_RUN`: text from a trained network, like char-rnn's sample.lua.

The prime (--prime, --prime-file) is run through the network from a zero state, then
each next character is drawn from the network's prediction (model.sample_iter: the same
forward pass as training and the app's samples) and written to stdout as it comes.
Nothing is written to the run folder, and no corpus is needed: the vocabulary is in the
checkpoint.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time

import numpy as np

from ..exits import EXIT_OK, STOP_SIGNALS, error, signal_exit_code, warn
from ..files import CheckpointError
from ..model import hidden_states, sample_iter
from .common import (
    Model,
    UsageError,
    add_target,
    hp_type,
    int_between,
    load_model,
    parser,
    read_text_file,
    shown_chars,
    unknown_chars,
)

MAX_LENGTH = 10_000_000  # characters per sample (the uniform draws are taken up front)
FLUSH_S = 0.05  # stdout is flushed at least this often while generating


def build_parser():
    p = parser(
        "sample",
        "Generate text from a trained checkpoint or run folder, streamed to stdout."
        " Nothing is written to the run folder; the corpus is not needed.",
    )
    add_target(p)
    prime = p.add_mutually_exclusive_group()
    prime.add_argument("--prime", metavar="TEXT", help="text run through the network first")
    prime.add_argument("--prime-file", metavar="FILE", help="a UTF-8 file used as the prime")
    p.add_argument(
        "--skip-unknown",
        action="store_true",
        help="drop prime characters that are not in the vocabulary (default: refuse)",
    )
    p.add_argument(
        "--length",
        type=int_between(0, MAX_LENGTH),
        default=500,
        metavar="N",
        help="characters generated after the prime (default 500)",
    )
    p.add_argument(
        "--temperature",
        type=hp_type("temperature"),
        default=1.0,
        metavar="T",
        help="1 = as trained, lower is more conservative, 0 = the most likely character"
        " every time (argmax)",
    )
    p.add_argument(
        "--seed",
        type=hp_type("seed"),
        default=None,
        metavar="S",
        help="random seed: the same seed gives the same text (default: a fresh one)",
    )
    p.add_argument(
        "--count",
        type=int_between(1, 10_000),
        default=1,
        metavar="K",
        help="independent samples from the same prime, separated by a blank line",
    )
    return p


def prime_text(args) -> str | None:
    if args.prime_file is not None:
        text = read_text_file(args.prime_file, "prime file")
        if not text:
            raise UsageError(f"{args.prime_file}: the prime file is empty")
        return text
    if args.prime is not None and not args.prime:
        raise UsageError("--prime is empty; leave it out to start from nothing")
    return args.prime


def encode_prime(model: Model, prime: str | None, skip_unknown: bool) -> str | None:
    """The prime as it will be used: its characters outside the vocabulary are refused
    (UsageError naming them), or dropped with --skip-unknown."""
    if prime is None:
        return None
    vocab = model.char_to_ix()
    unknown = unknown_chars(prime, vocab)
    if not unknown:
        return prime
    if not skip_unknown:
        raise UsageError(
            f"the prime has characters not in the vocabulary of {model.where}:"
            f" {shown_chars(unknown)} (--skip-unknown drops them)"
        )
    warn(f"dropped prime characters not in the vocabulary: {shown_chars(unknown)}")
    kept = "".join(c for c in prime if c in vocab)
    if not kept:
        warn("nothing is left of the prime; starting from nothing")
    return kept or None


def generate(model: Model, prime: str | None, length: int, rng, temperature: float):
    """Indices of `length` characters continuing `prime` (None: from a zero state)."""
    P = model.params
    h = P.zero_state()
    if prime is None:
        return sample_iter(P, h, None, length, rng, temperature)
    vocab = model.char_to_ix()
    ixs = np.fromiter((vocab[c] for c in prime), np.intp, count=len(prime))
    if len(ixs) > 1:
        h = hidden_states(P, ixs[:-1], h)[-1]
    return sample_iter(P, h, int(ixs[-1]), length, rng, temperature)


def main(argv: list[str]) -> int:
    args = build_parser().parse_args(argv)
    try:
        model = load_model(args.target)
        prime = encode_prime(model, prime_text(args), args.skip_unknown)
    except (CheckpointError, UsageError) as e:
        return error(str(e))
    rng = np.random.default_rng(args.seed)
    try:
        write_samples(model, prime, args, rng)
    except BrokenPipeError:  # the reader went away (| head): stop quietly
        with contextlib.suppress(OSError, ValueError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except KeyboardInterrupt:
        return signal_exit_code(STOP_SIGNALS[0])
    return EXIT_OK


def write_samples(model: Model, prime: str | None, args, rng) -> None:
    out, chars = sys.stdout, model.chars
    last = time.monotonic()
    with np.errstate(all="ignore"):
        for k in range(args.count):
            if k:
                out.write("\n")
            out.write(prime or "")
            for ix in generate(model, prime, args.length, rng, args.temperature):
                out.write(chars[ix])
                now = time.monotonic()
                if now - last >= FLUSH_S:
                    out.flush()
                    last = now
            out.write("\n")
            out.flush()
