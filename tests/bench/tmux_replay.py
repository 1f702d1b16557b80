"""Replay issue 11's sequences in a real terminal (tmux) and check the screen, at 80x24
and at 120x40. Not part of the test suite (it needs tmux and takes ~1 minute):

    python tests/bench/tmux_replay.py [path/to/charrnn-tui]

1. Enter in a field, then typing: a bad corpus path; the letters typed next (r, s, q) go
   into the field, nothing is reset, saved or quit.
2. learning_rate 1e9 mid-run: asked first; after yes, within 10 s the line above the chart
   says the change was undone and the field shows 0.1 again.
3. Scrolling the sample log up while training: it stays put and says how many new samples
   are below; End follows again.
4. q quits.
Exit status 0 when every check passed.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SESSION = "app-replay"


def tmux(*args: str) -> str:
    return subprocess.run(["tmux", *args], capture_output=True, text=True, check=False).stdout


def screen() -> str:
    return tmux("capture-pane", "-p", "-t", SESSION)


def keys(*ks: str, gap: float = 0.25) -> None:
    for k in ks:
        tmux("send-keys", "-t", SESSION, k)
        time.sleep(gap)


def wait_for(what: str, cond, timeout: float = 10.0) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if cond(screen()):
            return True
        time.sleep(0.2)
    print(f"  FAILED: {what}\n{screen()}")
    return False


def replay(exe: str, width: int, height: int) -> bool:
    runs = Path(tempfile.mkdtemp(prefix="replay-runs-"))
    tmux("new", "-d", "-s", SESSION, "-x", str(width), "-y", str(height),
         f"{exe} --runs-dir {runs}")  # fmt: skip
    ok = True
    try:
        ok &= wait_for("training", lambda s: "TRAINING" in s and "Samples" in s, 20)
        time.sleep(2)
        print(f"{width}x{height}: 1. Enter in a field, then typing")
        keys("Tab", "Tab")  # the sample log -> the corpus list -> the path field
        keys(*"/no/such.txt", gap=0.05)
        keys("Enter")
        ok &= wait_for("the error", lambda s: "no corpus named" in s)
        keys("r", "s", "q")
        ok &= wait_for("r s q typed into the field", lambda s: "/no/such.txtrsq" in s)
        time.sleep(1)
        s = screen()
        ok &= (
            "TRAINING" in s and "Start a new run" not in s and not list(runs.glob("*/samples.txt"))
        )
        print(f"{width}x{height}: 2. learning_rate 1e9 mid-run")
        keys("Escape", "Tab", "Tab", "Tab", "Tab", "Tab")  # ... hidden, seq, learning_rate
        keys("End", "BSpace", "BSpace", "BSpace", "1", "e", "9", "Enter")
        ok &= wait_for("asked first", lambda s: "far above" in s)
        t0 = time.monotonic()
        keys("y")
        ok &= wait_for("the change undone, said", lambda s: "change undone" in s, 10)
        print(f"   said after {time.monotonic() - t0:.1f} s")
        ok &= wait_for("0.1 in the field", lambda s: "learning_rate 0.1" in s)
        print(f"{width}x{height}: 3. scrolling the sample log up while training")
        keys("Escape", "PageUp", "PageUp")
        ok &= wait_for("new samples below", lambda s: "new below" in s)
        keys("End")
        ok &= wait_for("following again", lambda s: "new below" not in s)
        print(f"{width}x{height}: 4. q quits")
        keys("q")
        end = time.monotonic() + 10
        while SESSION in tmux("ls") and time.monotonic() < end:
            time.sleep(0.2)
        ok &= SESSION not in tmux("ls")
    finally:
        tmux("kill-session", "-t", SESSION)
        shutil.rmtree(runs, ignore_errors=True)
    print(f"{width}x{height}: {'ok' if ok else 'FAILED'}")
    return ok


def main() -> int:
    exe = sys.argv[1] if len(sys.argv) > 1 else shutil.which("charrnn-tui") or "charrnn-tui"
    results = [replay(exe, w, h) for w, h in ((80, 24), (120, 40))]
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
