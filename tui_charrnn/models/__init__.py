"""The recurrent cells, one module each: rnn (the seed's), gru and lstm.

No UI library here, and nothing but numpy. params.py names and stores a network's arrays;
model.py stacks a cell into layers, adds the output layer and the loss; sampling.py steps
it one character at a time. They are the only users of the cell modules, which share one
small surface, so nothing above them asks which cell it is:

    WX, WH           names of the input and the recurrent matrix (layer 1; deeper layers
                     add their number: Wx2, Whh3)
    GATES            rows of the fused matrices per hidden unit: WX is (GATES * H, inputs)
    CARRIES          what a layer carries from step to step: ("h",) or ("h", "c"); a
                     layer's state is their concatenation, (..., len(CARRIES) * H)
    SIGMOID_GATES    names of the sigmoid gates, the first blocks of the activations
    layer_shapes(n_in, H)            name -> shape of one layer's arrays
    init_weights(shape, rng)         initial weights of a matrix (the output layer's too)
    init_layer(W, rng)               initialise one layer's arrays in place
    step(W, xw, s, out, acts=None)   one step of the recurrence from state s into out;
                                     xw = WX x, the input's projection (looked up or
                                     multiplied for all steps at once by the caller)
    run(W, xw, s0)                   T steps of B streams -> (states (T+1, B, CH), acts)
    backward(W, ss, acts, dh, G)     gradients of one layer from dL/dh (T, B, H): writes
                                     G's recurrent arrays, returns dL/dxw (T, B, GATES*H)
"""

from __future__ import annotations

from . import gru, lstm, rnn

CELLS = {"rnn": rnn, "gru": gru, "lstm": lstm}
