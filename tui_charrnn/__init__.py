"""charrnn-tui: train Karpathy's min-char-rnn live in the terminal."""

__version__ = "0.1.0"
