"""How networks are named (labels.py): counts worked out by hand."""

from __future__ import annotations

from tui_charrnn.labels import count, distinct, net_label, run_label
from tui_charrnn.model import Net


def test_count_keeps_four_characters():
    cases = {5: "5", 999: "999", 1000: "1.0k", 22_763: "22.8k", 99_950: "100k"}
    cases |= {238_015: "238k", 999_499: "999k", 999_500: "1.0M", 1_234_567: "1.2M"}
    assert {n: count(n) for n in cases} == cases


def test_labels_name_cell_layers_size_and_params():
    # lstm, V 63, H 128, 2 layers: layer 1 Wx 512x63 + Wh 512x128 + b 512 = 98,304;
    # layer 2 Wx 512x128 + Wh 512x128 + b 512 = 131,584; Why 63x128 + by 63 = 8,127
    net = Net(63, 128, "lstm", 2)
    assert net.size == 98_304 + 131_584 + 8_127 == 238_015
    assert net_label(net, "adam") == "lstm 2x128 · 238k params · adam"
    assert run_label(net, "fables") == "lstm 2x128 · 238k params · fables"
    # the seed's rnn, V 63: 6,300 + 10,000 + 6,300 + 100 + 63
    assert run_label(Net(63, 100), "logs") == "rnn 100 · 22.8k params · logs"
    assert run_label(None, "logs") == "logs"


def test_distinct_names_only_the_runs_that_share_a_label():
    assert distinct(["a", "b", "a"], ["r1", "r2", "r3"]) == ["a (r1)", "b", "a (r3)"]
