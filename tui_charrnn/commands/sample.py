"""`charrnn-tui sample CKPT_OR_RUN`: text from a trained network, like char-rnn's sample.lua.

The prime (--prime, --prime-file) is run through the network from a zero state, then
each next character is drawn from the network's prediction (model.sample_iter: the same
forward pass as training and the app's samples) and written to stdout as it comes. With
--beam W the continuation is instead the most likely one a beam search finds (beam.py):
deterministic, one text, printed once the search is done.
Nothing is written to the run folder, and no corpus is needed: the vocabulary is in the
checkpoint.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time

import numpy as np

from ..beam import beam_search
from ..exits import EXIT_OK, STOP_SIGNALS, error, signal_exit_code, warn
from ..files import CheckpointError
from ..model import hidden_states
from ..sampling import sample_iter
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
MAX_BEAM = 1000
BEAM_MEMORY = 10_000_000  # --length x --beam: back-pointers kept (two int32 each)
DEFAULT_TEMPERATURE = 1.0
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
        default=None,
        metavar="T",
        help="1 = as trained (default), lower is more conservative, 0 = the most likely"
        " character every time (argmax)",
    )
    p.add_argument(
        "--beam",
        type=int_between(1, MAX_BEAM),
        default=None,
        metavar="W",
        help="instead of sampling, the most likely continuation a beam search of W beams"
        " finds (deterministic; W=1 is greedy, the same as --temperature 0)",
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


def check_beam(args) -> None:
    """--beam gives one deterministic text: it takes no temperature and no count."""
    if args.beam is None:
        return
    if args.temperature is not None:
        raise UsageError("--beam searches for the most likely text: it takes no --temperature")
    if args.count != 1:
        raise UsageError("--beam gives one deterministic text: --count must be 1")
    if args.length * args.beam > BEAM_MEMORY:
        raise UsageError(
            f"--length {args.length:,} x --beam {args.beam:,} is over {BEAM_MEMORY:,}"
            " (the search keeps a back-pointer for each): a shorter --length or fewer beams"
        )


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


def primed(model: Model, prime: str | None) -> tuple[np.ndarray, int | None]:
    """The state after all but the prime's last character (from zeros), and that last
    character's index: what to feed first (None without a prime)."""
    P = model.params
    h = P.zero_state()
    if prime is None:
        return h, None
    vocab = model.char_to_ix()
    ixs = np.fromiter((vocab[c] for c in prime), np.intp, count=len(prime))
    if len(ixs) > 1:
        h = hidden_states(P, ixs[:-1], h)[-1]
    return h, int(ixs[-1])


def generate(model: Model, prime: str | None, length: int, rng, temperature: float):
    """Indices of `length` characters continuing `prime` (None: from a zero state)."""
    h, seed_ix = primed(model, prime)
    return sample_iter(model.params, h, seed_ix, length, rng, temperature)


def main(argv: list[str]) -> int:
    args = build_parser().parse_args(argv)
    try:
        check_beam(args)
        model = load_model(args.target)
        prime = encode_prime(model, prime_text(args), args.skip_unknown)
    except (CheckpointError, UsageError) as e:
        return error(str(e))
    if args.temperature is None:
        args.temperature = DEFAULT_TEMPERATURE
    rng = np.random.default_rng(args.seed)
    try:
        if args.beam is not None:
            write_beam(model, prime, args)
        else:
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


def write_beam(model: Model, prime: str | None, args) -> None:
    h, seed_ix = primed(model, prime)
    with np.errstate(all="ignore"):
        ixs, _ = beam_search(model.params, h, seed_ix, args.length, args.beam)
    chars = model.chars
    sys.stdout.write((prime or "") + "".join(chars[ix] for ix in ixs) + "\n")
    sys.stdout.flush()
