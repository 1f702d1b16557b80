"""Throughput of training inside the app vs a bare `session.step` loop.

Run: python tests/bench/app_throughput.py [WIDTH HEIGHT]

The app (headless, default corpus and settings) trains; the benchmark alternates windows:
the app's trainer paused while a bare loop runs in a thread, then the trainer resumed. The
ratio of iterations per second, window by window, cancels out the machine's drift.
"""

import asyncio
import sys
import tempfile
import threading
import time
from pathlib import Path

from tui_charrnn import catalog, corpus
from tui_charrnn.app import CharRNNApp
from tui_charrnn.hparams import Hyperparams
from tui_charrnn.opening import new_run
from tui_charrnn.session import Session

W, H = (int(x) for x in (sys.argv[1:3] if len(sys.argv) > 2 else (120, 40)))
hp = Hyperparams()
name, path = catalog.resolve(None)
c = corpus.load(path, name)
WIN = 2.0


def bare_rate():
    s = Session(c, hp)
    out = []

    def run():
        t0 = time.perf_counter()
        while time.perf_counter() - t0 < WIN:
            s.step(s.n % hp.sample_every == 0)
        out.append(s.n / (time.perf_counter() - t0))

    th = threading.Thread(target=run)
    th.start()
    return th, out


async def main():
    app = CharRNNApp(lambda: new_run(c, hp), hp, name, Path(tempfile.mkdtemp()))
    ratios = []
    async with app.run_test(size=(W, H)) as pilot:
        while app.trainer.session is None or app.trainer.session.n < 10:
            await pilot.pause(0.05)
        await pilot.pause(1.0)
        for _ in range(12):
            app.trainer.pause()
            await pilot.pause(0.1)
            th, out = bare_rate()
            while th.is_alive():
                await asyncio.sleep(0.05)
            app.trainer.resume()
            await pilot.pause(0.1)
            n0 = app.trainer.session.n
            t0 = time.perf_counter()
            await asyncio.sleep(WIN)
            a = (app.trainer.session.n - n0) / (time.perf_counter() - t0)
            ratios.append(a / out[0])
            print(f"bare {out[0]:.0f} app {a:.0f} ratio {ratios[-1]:.2f}", flush=True)
        await pilot.press("q")
    ratios.sort()
    print("median", round(ratios[len(ratios) // 2], 3), "mean", round(sum(ratios) / len(ratios), 3))


asyncio.run(main())
