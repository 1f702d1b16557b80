"""Shared by the tests that open the served app in a browser: processes that are always
ended (their whole process group), a free loopback port, and headless Chromium driven
over the Chrome DevTools Protocol (CDP) with aiohttp's websocket client (aiohttp comes
with textual-serve). No Playwright: Debian's chromium and a few CDP calls are enough.

The page is textual-serve's: xterm.js draws the terminal on a canvas, so the text is not
in the DOM. A script run before the page's own (Page.addScriptToEvaluateOnNewDocument)
catches the xterm Terminal when textual.js stores it (`this.terminal = new Terminal(...)`)
and keeps it as window.__charrnnTerm; the screen's rows are read from its buffer.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import threading
from pathlib import Path

from waiting import wait_for

CHROMIUM = "chromium"
STOP_TIMEOUT = 30.0  # a process group has this long to end after SIGTERM, then SIGKILL

CATCH_TERMINAL = """
Object.defineProperty(Object.prototype, "terminal", {
  configurable: true,
  set(value) {
    Object.defineProperty(this, "terminal", {
      value, writable: true, configurable: true, enumerable: true,
    });
    if (value && typeof value === "object" && "buffer" in value) {
      window.__charrnnTerm = value;
      delete Object.prototype.terminal;  // caught: every object is left as it was
    }
  },
});
"""

READ_SCREEN = """(() => {
  const t = window.__charrnnTerm;
  if (!t) return "";
  const b = t.buffer.active, rows = [];
  for (let i = 0; i < t.rows; i++) {
    const line = b.getLine(b.viewportY + i);
    rows.push(line ? line.translateToString(true) : "");
  }
  return rows.join("\\n");
})()"""


def chromium() -> str | None:
    return shutil.which(CHROMIUM)


def free_port() -> int:
    """A loopback TCP port nobody listens on now (the server may race another for it)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def listening(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(1)
        return s.connect_ex(("127.0.0.1", port)) == 0


class Group:
    """A process started in its own session (process group), so that stop() ends it and
    every process it started (the server's app sessions, Chromium's helpers)."""

    def __init__(self, argv: list[str], **kwargs) -> None:
        self.proc = subprocess.Popen(argv, start_new_session=True, **kwargs)
        self.pgid = self.proc.pid

    def alive(self) -> bool:
        """Some process of the group is still there (zombies of the leader reaped)."""
        self.proc.poll()
        try:
            os.killpg(self.pgid, 0)
        except ProcessLookupError:
            return False
        return True

    def stop(self) -> None:
        """SIGTERM to the group (the app sessions save their runs), SIGKILL if it stays."""
        for sig in (signal.SIGTERM, signal.SIGKILL):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.pgid, sig)
            with contextlib.suppress(AssertionError):
                wait_for(lambda: not self.alive(), STOP_TIMEOUT, "the process group to end", 0.05)
                return


class Browser:
    """Headless Chromium with one page, driven over CDP from a loop in its own thread, so
    the tests stay synchronous and wait with waiting.wait_for."""

    def __init__(self, profile: Path, width: int = 1200, height: int = 800) -> None:
        self.group = Group(
            [
                chromium() or CHROMIUM,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                # the page links a web font: no name resolves, so nothing leaves this machine
                "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
                f"--window-size={width},{height}",
                f"--user-data-dir={profile}",
                "--remote-debugging-port=0",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._thread.start()
        self._next_id = 0
        self._ws = self._session = None
        try:
            active = profile / "DevToolsActivePort"  # Chromium writes its port here
            wait_for(lambda: active.exists() and active.read_text().strip(), 60, "its port")
            self._port = int(active.read_text().split()[0])
            self._run(self._connect())
        except BaseException:
            self.close()  # no Chromium is left behind
            raise

    def _run(self, coro, timeout: float = 60):
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout)

    async def _connect(self) -> None:
        import aiohttp

        self._session = aiohttp.ClientSession()
        async with self._session.get(f"http://127.0.0.1:{self._port}/json/list") as r:
            pages = [t for t in await r.json(content_type=None) if t["type"] == "page"]
        self._ws = await self._session.ws_connect(pages[0]["webSocketDebuggerUrl"], max_msg_size=0)

    async def _call(self, method: str, params: dict) -> dict:
        self._next_id += 1
        mine = self._next_id
        await self._ws.send_str(json.dumps({"id": mine, "method": method, "params": params}))
        async for message in self._ws:  # events come in between; the answer has our id
            data = json.loads(message.data)
            if data.get("id") == mine:
                if "error" in data:
                    raise RuntimeError(f"{method}: {data['error']}")
                return data["result"]
        raise RuntimeError(f"{method}: the DevTools connection closed")

    def call(self, method: str, **params) -> dict:
        return self._run(self._call(method, params))

    def evaluate(self, expression: str):
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True)
        return result["result"].get("value")

    def open(self, url: str) -> None:
        """Navigate to url, catching the page's terminal as it is made."""
        self.call("Page.enable")
        self.call("Page.addScriptToEvaluateOnNewDocument", source=CATCH_TERMINAL)
        self.call("Page.navigate", url=url)

    def screen(self) -> str:
        """The terminal's visible rows ("" until the page has made its terminal)."""
        return self.evaluate(READ_SCREEN) or ""

    def press(self, key: str, code: str, key_code: int, text: str = "") -> None:
        """A key typed into the focused terminal, as a user's key press arrives."""
        self.evaluate("window.__charrnnTerm && window.__charrnnTerm.focus()")
        down = {"key": key, "code": code, "windowsVirtualKeyCode": key_code, "text": text}
        self.call("Input.dispatchKeyEvent", type="keyDown", **down)
        self.call("Input.dispatchKeyEvent", type="keyUp", key=key, code=code)

    def close(self) -> None:
        with contextlib.suppress(Exception):
            if self._session is not None:
                self._run(self._session.close(), timeout=10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self.group.stop()
