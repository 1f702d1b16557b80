"""What each event of the trainer changes on screen (the app drains them from its inbox
on the UI thread, in the order the trainer sent them, and hands each one here).

The panes, the insight views (InsightController) and the run folder bookkeeping
(RunKeeper) each take their part; the app keeps the state they share (iteration, the
settings in force, the run started).
"""

from __future__ import annotations

from textual.app import App

from . import events
from .labels import net_label, net_of


class TrainerEvents:
    def __init__(self, app: App) -> None:
        self.app = app  # the CharRNNApp (not imported: it imports this module)

    def handle(self, e: events.Event) -> None:
        app = self.app
        app.insight.handle(e)
        app.runs.handle(e)
        status = app.status_bar
        if isinstance(e, events.Progress):
            app.iteration = e.iteration
            app.latest = e  # drawn by _redraw a few times a second
            app.loss_pane.add(e)
        elif isinstance(e, events.SampleTaken):
            app.sample_pane.add(e.sample)
            if app.sample_asked:
                app.sample_asked = False
                app.sample_pane.flush()
        elif isinstance(e, events.StateChanged):
            app.state = status.state = e.state
            if e.state == "training":  # why it had paused is history now
                app.clear_sticky()
        elif isinstance(e, events.SettingsApplied):
            at = e.iteration if e.iteration >= 0 else app.iteration
            app.loss_pane.mark(at, e.settings, e.previous or app.hp.to_dict())
            app.hp = app.hp.with_(**e.settings)
            app.hp_pane.applied(e.settings, at)
        elif isinstance(e, events.Validated):
            app.loss_pane.validated(e)
        elif isinstance(e, events.SessionStarted):
            self._started(e)
        elif isinstance(e, events.Diverged):
            self._diverged(e)
        elif isinstance(e, events.TrainerError):
            app.notify(e.message, severity="error", timeout=10)
            if app.run_started is None:  # the corpus given at start cannot be used
                app.corpus_pane.show_error(f"{e.message}\nChoose another corpus.")

    def _started(self, e: events.SessionStarted) -> None:
        app = self.app
        app.run_started = e
        app.clear_sticky()
        app.corpus_pane.show_error("")
        app.hp = e.hp
        app.corpus_name = e.corpus_name
        app.iteration = e.iteration
        net = net_of(e.hp, e.V)  # the model in force: status bar and the chart's title
        app.status_bar.model = (net.describe(), net_label(net, e.hp.optimizer))
        app.status_bar.corpus_name = e.corpus_name
        app.loss_pane.border_title = f"Loss · {net_label(net, e.hp.optimizer)}"
        app.corpus_pane.set_current(e.corpus_name, e.N, e.V)
        app.hp_pane.started(app.hp)
        app.loss_pane.restart(
            e.iteration, e.smooth_loss, app.hp.seq_length, e.V, val_note=e.val_note
        )
        app.sample_pane.clear()

    def _diverged(self, e: events.Diverged) -> None:
        app = self.app
        app.loss_pane.rolled_back(e.rolled_back_to)
        message = f"Training {e.message}"
        if e.outcome:  # what it means for the user first: the line may be cut
            message = (
                f"{e.outcome[0].upper()}{e.outcome[1:]} · run back to iteration "
                f"{e.rolled_back_to:,} (it diverged at {e.iteration:,}: {e.reason})"
            )
        if e.paused:
            message += " · space resumes, r starts a new run"
        app.tell(message, severity="warning", sticky=e.paused, timeout=15)
