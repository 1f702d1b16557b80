"""Training throughput with the insight screen shown (each tab) vs hidden.

Run: python tests/bench/bench_insight.py [SECONDS_PER_WINDOW] [ROUNDS]

The app (headless, 80x24, default corpus and settings) trains; windows alternate between
the insight screen hidden and shown on one tab, so machine drift cancels out. Prints the
iterations per second of each window and the ratio shown / hidden per tab (the budget
is >= 0.90). While hidden the trainer posts nothing for the views: its only extra work
is one `grad_hook is not None` test per step.
"""

import asyncio
import statistics
import sys
import tempfile
from pathlib import Path

from tui_charrnn import catalog, corpus
from tui_charrnn.app import CharRNNApp
from tui_charrnn.hparams import Hyperparams
from tui_charrnn.opening import new_run
from tui_charrnn.screens.insight import TABS, InsightScreen

WIN = float(sys.argv[1]) if len(sys.argv) > 1 else 3.0
ROUNDS = int(sys.argv[2]) if len(sys.argv) > 2 else 2


async def rate(app: CharRNNApp, seconds: float) -> float:
    s = app.trainer.session
    n0 = s.n
    loop = asyncio.get_running_loop()
    t0 = loop.time()
    await asyncio.sleep(seconds)
    return (app.trainer.session.n - n0) / (loop.time() - t0)


async def main() -> None:
    hp = Hyperparams()
    name, path = catalog.resolve(None)
    c = corpus.load(path, name)
    with tempfile.TemporaryDirectory() as tmp:
        app = CharRNNApp(lambda: new_run(c, hp), hp, name, Path(tmp) / "runs")
        async with app.run_test(size=(80, 24)) as pilot:
            while app.iteration < 200:
                await pilot.pause(0.1)
            await asyncio.sleep(1.0)  # let the one-off baselines / novelty index finish
            ratios: dict[str, list[float]] = {t: [] for t in TABS}
            for r in range(ROUNDS):
                for tab in TABS:
                    hidden = await rate(app, WIN)
                    app.action_insight()
                    while not (
                        isinstance(app.screen, InsightScreen) and app.screen.query("#ins-tabs")
                    ):
                        await pilot.pause(0.02)
                    app.screen.action_tab(tab)
                    await asyncio.sleep(0.5)  # opening costs a one-off held-out evaluation
                    shown = await rate(app, WIN)
                    app.screen.dismiss()
                    while isinstance(app.screen, InsightScreen):
                        await pilot.pause(0.02)
                    ratios[tab].append(shown / hidden)
                    print(
                        f"round {r + 1} {tab:<12} hidden {hidden:7.1f} it/s   "
                        f"shown {shown:7.1f} it/s   ratio {shown / hidden:.3f}",
                        flush=True,
                    )
            print()
            for tab, rs in ratios.items():
                print(f"{tab:<12} shown/hidden = {statistics.median(rs):.3f} (median)")
            every = [x for rs in ratios.values() for x in rs]
            print(f"all tabs     shown/hidden = {statistics.median(every):.3f} (median)")
            app.trainer.stop()
        app.trainer.stopped.wait(10)  # its final save is written before the folder goes


if __name__ == "__main__":
    asyncio.run(main())
