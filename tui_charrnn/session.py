"""One training run's state and the seed's main loop, one iteration at a time.

No threads and no UI here: the trainer (a worker thread) drives a Session, in the app and
headless alike. Everything needed to continue a run bit for bit lives on it: the
parameters, the optimiser's memories and step count, the state carried between blocks
(hprev: every layer's h, and an LSTM's c), iteration n, data pointer p, the passes made
through the text (epoch), smooth loss, and the random generator (samples and dropout).

Held out: training reads only the first train_chars = N - round(N * val_fraction)
characters; the tail is the validation part (validation.py), never seen by a step. At
val_fraction 0 that is the whole text, as in the seed.

Streams: with batch size B the training part is cut into B equal segments of
L = train_chars // B characters; stream b reads segment b at the shared pointer p and
carries its own hidden state. The pointer and all states reset together when
p + T + 1 >= L, which at B = 1 and val_fraction 0 is the seed's
`p + seq_length + 1 >= len(data)`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .corpus import Corpus, CorpusError, split_point
from .hparams import Hyperparams
from .model import hidden_states, loss_and_grads
from .models.params import DTYPES, Params
from .optimizers import make_optimizer
from .sampling import sample


@dataclass
class StepResult:
    n: int  # the iteration that was just trained (0-based, as the seed prints it)
    loss: float  # this block's loss, summed over T steps (mean over streams)
    smooth_loss: float
    sample: str | None = None  # taken before the update, like the seed's


SEED_SMOOTHING_CHARS = 25  # the seed's smooth loss keeps 0.999 per iteration of 25 characters


def smoothing(chars_per_iteration: int) -> tuple[float, float]:
    """(keep, gain) of the smooth loss per iteration: the seed's 0.999 and 0.001 per 25
    characters trained, i.e. the same memory of about 25,000 characters at any batch size
    and sequence length (at B = 32, T = 50 a batch trains 1,600 characters, and 0.999 per
    iteration would trail the held-out loss by thousands of iterations). At 25 characters
    it is the seed's arithmetic exactly."""
    if chars_per_iteration == SEED_SMOOTHING_CHARS:
        return 0.999, 0.001
    keep = 0.999 ** (chars_per_iteration / SEED_SMOOTHING_CHARS)
    return keep, 1.0 - keep


class Session:
    def __init__(
        self,
        corpus: Corpus,
        hp: Hyperparams,
        params: Params | None = None,
        memories: dict[str, Params] | None = None,
        hprev: np.ndarray | None = None,
        n: int = 0,
        p: int = 0,
        smooth_loss: float | None = None,
        rng: np.random.Generator | None = None,
        optimizer_steps: int = 0,
        epoch: int = 0,
    ):
        corpus.require_length(hp.seq_length, hp.batch_size, hp.val_fraction)
        self.corpus = corpus
        self.train_chars = split_point(corpus.N, hp.val_fraction)  # data[train_chars:] is held out
        self.hp = hp
        self.rng = rng if rng is not None else np.random.default_rng(hp.seed)
        dtype = DTYPES[hp.dtype]
        if params is None:
            params = Params.init(
                corpus.V, hp.hidden_size, self.rng, dtype, kind=hp.model, layers=hp.layers
            )
        if params.V != corpus.V:
            raise CorpusError(f"the model has {params.V} characters, the corpus {corpus.V}")
        self.params = params if params.dtype == dtype else params.astype(dtype)
        self.grads = self.params.zeros_like()
        memories = {k: m.astype(dtype) for k, m in (memories or {}).items()}
        self.optimizer = make_optimizer(hp.optimizer, self.params, memories, optimizer_steps)
        B, S = hp.batch_size, self.params.net.state_size
        self.hprev = np.zeros((B, S), dtype) if hprev is None else np.array(hprev, dtype)
        if self.hprev.shape != (B, S):
            raise ValueError(f"hprev has shape {self.hprev.shape}, expected {(B, S)}")
        self.n, self.p, self.epoch = n, p, epoch
        self.smooth_loss = (
            smooth_loss if smooth_loss is not None else self.initial_loss(hp.seq_length)
        )
        self._steps = np.arange(hp.seq_length + 1)
        self._smoothing = smoothing(hp.seq_length * hp.batch_size)
        # grad_hook(session) is called with session.grads still unclipped (the optimiser clips in
        # place), when set; the trainer sets it for one step while an insight view is shown
        self.grad_hook = None

    def initial_loss(self, seq_length: int) -> float:
        """Loss of a uniform guess over the vocabulary: T * ln V (the seed's start)."""
        return float(-np.log(1.0 / self.corpus.V) * seq_length)  # np.log, as the seed

    @property
    def learning_rate(self) -> float:
        """The step size in force: the setting, decayed once per pass through the text."""
        if self.hp.lr_decay == 1:
            return self.hp.learning_rate
        return self.hp.learning_rate * self.hp.lr_decay**self.epoch

    @property
    def segment_length(self) -> int:
        return self.train_chars // self.hp.batch_size

    def set_seq_length(self, T: int) -> None:
        """Change T live; the smooth loss is rescaled so its curve stays continuous."""
        self.corpus.require_length(T, self.hp.batch_size, self.hp.val_fraction)
        self.smooth_loss *= T / self.hp.seq_length
        self.hp = self.hp.with_(seq_length=T)
        self._steps = np.arange(T + 1)
        self._smoothing = smoothing(T * self.hp.batch_size)

    def next_block(self) -> tuple[np.ndarray, np.ndarray]:
        """Apply the seed's pointer reset, then return inputs, targets (T, B)."""
        T, B = self.hp.seq_length, self.hp.batch_size
        if self.p + T + 1 >= self.segment_length or self.n == 0:
            if self.n > 0:
                self.epoch += 1
            self.hprev[...] = 0
            self.p = 0
        data = self.corpus.data
        if B == 1:
            chunk = data[self.p : self.p + T + 1].astype(np.intp)[:, None]
        else:
            starts = np.arange(B) * self.segment_length + self.p  # (B,)
            chunk = data[self._steps[:, None] + starts].astype(np.intp)  # (T + 1, B)
        return chunk[:-1], chunk[1:]

    def step(self, want_sample: bool = False) -> StepResult:
        hp = self.hp
        inputs, targets = self.next_block()
        # A diverging run overflows exp and logs zeros; that is reported as a non-finite
        # loss (see guard.py), not as numpy warnings written over the terminal UI.
        with np.errstate(all="ignore"):
            text = self.sample(int(inputs[0, 0])) if want_sample else None
            loss, hlast = loss_and_grads(
                self.params, inputs, targets, self.hprev, self.grads, hp.dropout, self.rng
            )
            self.hprev = hlast
            keep, gain = self._smoothing
            self.smooth_loss = self.smooth_loss * keep + loss * gain
            if self.grad_hook is not None:
                self.grad_hook(self)
            self.optimizer.step(self.params, self.grads, self.learning_rate, hp.clip)
        self.p += hp.seq_length
        self.n += 1
        return StepResult(self.n - 1, loss, self.smooth_loss, text)

    def sample(
        self,
        seed_ix: int | None = None,
        length: int | None = None,
        temperature: float | None = None,
    ) -> str:
        """A sample from stream 0's current state, primed with seed_ix (default: the
        character at the data pointer), as the seed does every 100 iterations."""
        if seed_ix is None:
            seed_ix = int(self.corpus.data[min(self.p, self.corpus.N - 1)])
        ixes = sample(
            self.params,
            self.hprev[0],
            seed_ix,
            length or self.hp.sample_length,
            self.rng,
            self.hp.temperature if temperature is None else temperature,
        )
        return self.corpus.decode(ixes)

    def sample_from_prime(
        self, prime: str, length: int | None = None, temperature: float | None = None
    ) -> str:
        """Run `prime` through the network from a zero state, then continue it."""
        if not prime:
            raise ValueError("the prime text is empty")
        ixs = self.corpus.encode(prime)
        h = self.params.zero_state()
        if len(ixs) > 1:
            h = hidden_states(self.params, ixs[:-1], h)[-1]
        ixes = sample(
            self.params,
            h,
            int(ixs[-1]),
            length or self.hp.sample_length,
            self.rng,
            self.hp.temperature if temperature is None else temperature,
        )
        return prime + self.corpus.decode(ixes)
