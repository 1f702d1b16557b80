"""The notice line: the app's messages in one place, at the top of the main column.

Toasts stacked over the panes at 80x24 (three or four for ten seconds on a corpus
switch, also over the help). Here every message (App.notify) replaces the previous one
in one line (up to three when it wraps) shown only while it has something to say: a
passing message goes after `timeout` seconds; a sticky one (why training paused) stays
until the app clears it, and a passing message shown meanwhile gives the line back to
it. The last messages are kept in the app's `notices` (newest last). The insight screen
has a line of its own; the app (Notices) shows a message in the line of the screen in
front.
"""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass

from textual.screen import ModalScreen
from textual.timer import Timer
from textual.widgets import Static

DEFAULT_TIMEOUT = 6.0
ICONS = {"information": "•", "warning": "⚠", "error": "✗"}


@dataclass(frozen=True)
class Notice:
    message: str
    title: str = ""
    severity: str = "information"  # information, warning, error
    sticky: bool = False

    def line(self) -> str:
        head = f"{self.title}: " if self.title else ""
        return f"{ICONS.get(self.severity, '•')} {head}{self.message}"


class NoticeLine(Static):
    DEFAULT_CSS = """
    NoticeLine {
        height: auto;
        max-height: 3;
        width: 1fr;
        padding: 0 1;
        text-overflow: ellipsis;
        background: $boost;
        display: none;
    }
    NoticeLine.-warning { background: $warning 30%; }
    NoticeLine.-error { background: $error 30%; }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__("", markup=False, **kwargs)
        self.sticky: Notice | None = None
        self.shown: Notice | None = None
        self._timer: Timer | None = None

    def post(self, notice: Notice, timeout: float | None = None) -> None:
        if notice.sticky:
            self.sticky = notice
        self._show(notice)
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        if not notice.sticky:
            self._timer = self.set_timer(timeout or DEFAULT_TIMEOUT, self._expired)

    def clear_sticky(self) -> None:
        """The reason to keep a message up is gone (e.g. training resumed)."""
        if self.sticky is None:
            return
        self.sticky = None
        if self._timer is None:  # the sticky one is on show
            self._show(None)

    def clear(self) -> None:
        self.sticky = None
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        self._show(None)

    def _expired(self) -> None:
        self._timer = None
        self._show(self.sticky)

    def _show(self, notice: Notice | None) -> None:
        self.shown = notice
        for severity in ("warning", "error"):
            self.set_class(notice is not None and notice.severity == severity, f"-{severity}")
        self.update(notice.line() if notice else "")
        self.tooltip = notice.line() if notice else None
        self.display = notice is not None


class Notices:
    """App mixin: App.notify shows its message in a notice line, never as a toast."""

    notice: NoticeLine  # the main screen's line (the app composes it)

    def notices_ready(self) -> None:
        """Call from on_mount: messages from other threads are handed to this one."""
        self.notices: deque[Notice] = deque(maxlen=100)  # every message, newest last
        self._ui_thread = threading.get_ident()

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: str = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        self.tell(message, title=title, severity=severity, timeout=timeout)

    def tell(
        self,
        message: str,
        *,
        title: str = "",
        severity: str = "information",
        timeout: float | None = None,
        sticky: bool = False,
    ) -> None:
        """Show a message in the notice line of the screen in front (the main one's if it
        has none, or under a dialog); a sticky one goes to every line, to stay until
        clear_sticky()."""
        if not hasattr(self, "notices"):  # before on_mount: nothing to show it on
            return
        if threading.get_ident() != self._ui_thread:
            self.call_from_thread(  # type: ignore[attr-defined]
                self.tell, message, title=title, severity=severity, timeout=timeout,
                sticky=sticky,
            )  # fmt: skip
            return
        notice = Notice(str(message), title, severity, sticky)
        self.notices.append(notice)
        if not self.screen_stack:  # type: ignore[attr-defined]  # (quitting)
            return
        lines = [line for line in self._lines() if line.is_attached]
        front = self.screen  # type: ignore[attr-defined]
        if not isinstance(front, ModalScreen):
            lines.sort(key=lambda line: line.screen is not front)
        for line in lines if sticky else lines[:1]:
            line.post(notice, timeout)

    def _lines(self) -> list[NoticeLine]:
        stack = self.screen_stack  # type: ignore[attr-defined]
        return [line for screen in stack for line in screen.query(NoticeLine)]

    def clear_sticky(self) -> None:
        for line in self._lines():
            line.clear_sticky()

    def clear_notifications(self) -> None:
        super().clear_notifications()  # type: ignore[misc]
        for line in self._lines():
            line.clear()
