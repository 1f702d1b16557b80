"""The same hidden state sampled at several temperatures, side by side."""

from __future__ import annotations

import numpy as np

from ..models.params import Params
from ..sampling import sample

TEMPERATURES = (0.5, 1.0, 1.5, 0.0)


def side_by_side(
    P: Params,
    h: np.ndarray,
    seed_ix: int,
    n: int,
    rng_seed: int,
    temperatures=TEMPERATURES,
) -> dict[float, np.ndarray]:
    """{temperature: n sampled indices (n,)}, each primed with seed_ix from state h (H,).

    Each temperature has its own generator, np.random.default_rng([rng_seed,
    round(1000 * temperature)]), so its sample does not depend on which other
    temperatures are shown or in what order; 0.0 is the argmax at every step. h is not
    modified.
    """
    out = {}
    for temperature in temperatures:
        if temperature < 0:
            raise ValueError(f"temperature must be >= 0, got {temperature}")
        rng = np.random.default_rng([rng_seed, round(1000 * temperature)])
        out[temperature] = sample(P, h, seed_ix, n, rng, temperature)
    return out
