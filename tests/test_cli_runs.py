"""charrnn-tui runs (the table, --plot), train --plot, and the subcommands' --help."""

import xml.etree.ElementTree as ET

import pytest
from cli_helpers import run
from commands_helpers import call, train_small_run

from tui_charrnn.svgplot import Series, line_chart, nice_ticks

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    return train_small_run(tmp_path_factory.mktemp("runs"), 60, "--plot")


def test_table_lists_the_run(capsys, trained):
    folder, _ = trained
    code, out, _ = call(capsys, ["runs", "--runs-dir", folder.parent])
    assert code == 0
    assert "1 run in" in out
    row = next(line for line in out.splitlines() if folder.name in line)
    assert "corpus.txt" in row and " 60 " in row
    # rnn, H 16, V 27: Wxh 16V + Whh 256 + Why 16V + bh 16 + by V = 33V + 272 = 1,163
    assert "rnn 16 · 1.2k params · V27" in row
    assert "val" in out


def test_train_plot_writes_loss_svg(capsys, trained):
    folder, _ = trained
    svg = ET.parse(folder / "loss.svg").getroot()
    assert svg.tag == f"{SVG}svg"
    lines = svg.findall(f"{SVG}polyline")
    assert len(lines) == 2  # training and held-out
    for line in lines:
        for point in line.get("points").split():
            x, y = map(float, point.split(","))
            assert 70 <= x <= 780 and 40 <= y <= 395  # inside the plot area
    texts = [t.text for t in svg.iter(f"{SVG}text")]
    assert "iteration" in texts and "loss (nats per character)" in texts


def test_runs_plot_compares_runs(tmp_path, capsys, trained):
    folder, _ = trained
    out_svg = tmp_path / "compare.svg"
    code, out, _ = call(capsys, ["runs", "--runs-dir", folder.parent, "--plot", out_svg])
    assert code == 0 and "wrote the loss curves of 1 run" in out
    svg = ET.parse(out_svg).getroot()
    assert len(svg.findall(f"{SVG}polyline")) == 2
    texts = [t.text for t in svg.iter(f"{SVG}text")]
    assert "characters trained" in texts  # x: runs of any batch size compare per character
    legend = [t for t in texts if t and t.endswith("held-out")]
    assert len(legend) == 1 and legend[0].startswith("rnn 16 · ")
    assert " params · corpus.txt held-out" in legend[0]
    # the last point: 60 iterations x 25 characters x batch 1 = 1,500 characters trained,
    # the right end of the x axis (ticks 0 .. 1,500 in steps of 500 reach it exactly)
    assert "1,500" in texts


def test_bad_runs_dir_and_plot_path(tmp_path, capsys, trained):
    folder, _ = trained
    code, out, err = call(capsys, ["runs", "--runs-dir", tmp_path / "nowhere"])
    assert code == 2 and "no such folder" in err and len(err.strip().splitlines()) == 1
    (tmp_path / "empty").mkdir()
    code, out, err = call(capsys, ["runs", "--runs-dir", tmp_path / "empty", "--plot", "x.svg"])
    assert code == 2 and "0 runs" in out and "no runs to plot" in err
    bad = tmp_path / "no-such-dir" / "x.svg"
    code, _, err = call(capsys, ["runs", "--runs-dir", folder.parent, "--plot", bad])
    assert code == 1 and "cannot write plot" in err


def test_plot_only_with_training(capsys):
    code = run(["--plot"])
    assert code == 2 and "--plot is for training without the app" in capsys.readouterr().err


def test_chart_escapes_labels_and_survives_nan():
    svg = line_chart([Series("a<b & c", [0, 1, 2], [1.0, float("nan"), 2.0])], "t&", "x", "y")
    root = ET.fromstring(svg)
    assert root.find(f"{SVG}polyline").get("points").count(",") == 2
    assert nice_ticks(0, 1) == [0, 0.2, 0.4, 0.6, 0.8, 1.0]
    assert nice_ticks(3, 3)[0] <= 3 <= nice_ticks(3, 3)[-1]
    # 61 / 5 = 12.2 a step: 20; the last tick is the first at or past 61 (it stopped at 60)
    assert nice_ticks(0, 61) == [0, 20, 40, 60, 80]


@pytest.mark.parametrize("command", ["train", "sample", "eval", "runs"])
def test_each_subcommand_has_help(capsys, command):
    code, out, _ = call(capsys, [command, "--help"])
    assert code == 0 and out.startswith(f"usage: charrnn-tui {command}")


def test_top_level_help_lists_the_subcommands(capsys):
    code, out, _ = call(capsys, ["--help"])
    assert code == 0
    for command in ("train", "sample", "eval", "runs"):
        assert f"charrnn-tui {command}" in out
