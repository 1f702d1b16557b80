"""charrnn-tui: train Karpathy's min-char-rnn live in the terminal."""

import os

# One BLAS thread unless the user asks for more, set before anything imports numpy. The
# trainer's matrices are small (a gemv at the defaults, (32, 128) x (128, 512) for the LSTM):
# a second BLAS thread gains little, takes the core the UI thread needs, and on a busy
# machine its spin-waits made an LSTM step 10x slower (measured: 2.7 s against 0.27 s).
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

__version__ = "0.1.0"
