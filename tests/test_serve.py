"""charrnn-tui serve: the app in a web browser through textual-serve.

The end-to-end test starts the real command on a free loopback port, opens the page in
headless Chromium (Debian's chromium, driven over CDP: browser_helpers.py) and reads the
terminal the page draws; it is skipped, saying why, where Chromium or textual-serve is
missing. The other tests check what the command says and refuses without a browser.
"""

from __future__ import annotations

import shlex
import socket
import subprocess
import sys

import pytest
from browser_helpers import Browser, Group, chromium, free_port, listening
from cli_helpers import write_corpus
from commands_helpers import call, one_error_line
from waiting import wait_for

from tui_charrnn.commands import serve

APP_TIMEOUT = 120.0  # the page, a server and an app process on a loaded 2-core machine


def test_without_textual_serve_one_line_says_how_to_install_it(capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "textual_serve.server", None)  # the import fails
    code, out, err = call(capsys, ["serve"])
    assert code == 2
    one_error_line(err, "pip install 'charrnn-tui[serve]'")
    assert out == ""


def test_bad_inputs_are_one_line_before_anything_is_served(capsys, tmp_path):
    pytest.importorskip("textual_serve")
    port = free_port()
    cases = [
        (["serve", "no-such-corpus", "--port", port], "no corpus named"),
        (["serve", "--host", "no-such-host.invalid", "--port", port], "unknown host"),
        (["serve", "--runs-dir", write_corpus(tmp_path), "--port", port], "not a folder"),
    ]
    for argv, needle in cases:
        code, out, err = call(capsys, argv)
        assert code == 2, argv
        one_error_line(err, needle)
        assert out == ""


def test_a_port_in_use_is_refused(capsys):
    pytest.importorskip("textual_serve")
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        code, out, err = call(capsys, ["serve", "--port", port])
    assert code == 2 and out == ""
    one_error_line(err, f"cannot listen on 127.0.0.1 port {port}")


def test_the_served_command_is_the_app_on_the_corpus_and_runs_dir(tmp_path):
    corpus = write_corpus(tmp_path)
    argv = shlex.split(serve.app_command(str(corpus), tmp_path / "runs"))
    assert argv[:3] == [sys.executable, "-m", "tui_charrnn"]
    assert argv[3:] == [str(corpus.resolve()), "--runs-dir", str((tmp_path / "runs").resolve())]
    assert shlex.split(serve.app_command("fables", tmp_path))[3] == "fables"  # a name stays


def test_loopback_and_public_addresses():
    assert serve.is_loopback("127.0.0.1") and serve.is_loopback("localhost")
    assert not serve.is_loopback("0.0.0.0")
    assert serve.public_url("127.0.0.1", 8000) == "http://127.0.0.1:8000"
    assert serve.public_url("::1", 8000) == "http://[::1]:8000"
    # every interface is no address a browser can open: this machine's name instead
    assert "0.0.0.0" not in serve.public_url("0.0.0.0", 8000)


@pytest.mark.slow
def test_the_app_trains_in_a_browser_tab_and_space_pauses_it(tmp_path):
    pytest.importorskip("textual_serve", reason="textual-serve is not installed")
    if chromium() is None:
        pytest.skip("no chromium to open the page (apt-get install chromium)")
    corpus, runs, port = write_corpus(tmp_path), tmp_path / "runs", free_port()
    command = [sys.executable, "-m", "tui_charrnn", "serve", corpus, "--port", port]
    log = tmp_path / "server.log"  # a file, not a pipe: nobody has to read it as it comes
    with log.open("w") as out:
        server = Group(
            [str(a) for a in [*command, "--runs-dir", runs]], stdout=out, stderr=subprocess.STDOUT
        )
    browser = None
    try:
        wait_for(lambda: listening(port) or server.proc.poll() is not None, APP_TIMEOUT)
        assert server.proc.poll() is None, log.read_text()
        browser = Browser(tmp_path / "chromium")
        browser.open(f"http://127.0.0.1:{port}/")
        wait_for(
            lambda: " TRAINING " in browser.screen() and "iter " in browser.screen(),
            APP_TIMEOUT,
            lambda: f"the app training in the page; the screen:\n{browser.screen()}",
        )
        screen = browser.screen()
        assert "corpus.txt" in screen  # the corpus given to serve
        assert "Samples" in screen and "Hyperparameters" in screen
        title = browser.evaluate("document.querySelector('.intro').textContent")
        assert "charrnn-tui" in title
        # the served app writes its run folder where serve was told
        wait_for(lambda: any(runs.glob("*/settings.json")), APP_TIMEOUT, "the run folder")
        browser.press(" ", "Space", 32, " ")
        wait_for(
            lambda: " PAUSED " in browser.screen(),
            APP_TIMEOUT,
            lambda: f"the app to pause; the screen:\n{browser.screen()}",
        )
    finally:
        if browser is not None:
            browser.close()
        server.stop()
    assert not server.alive() and not browser.group.alive()
