"""Pure numpy computations behind the app's "insight" views (no textual imports).

baselines    uniform / unigram / bigram / trigram held-out cross-entropy
surprisal    per-character probability of the actual text, top-5 guesses, colour buckets
neurons      hidden activations, simple text features, units ranked by correlation
novelty      n-gram index of the corpus: which spans of a sample are copied verbatim
health       gradient norms, clipping, saturation, Adagrad step sizes
temperature  samples from one hidden state at several temperatures
"""
