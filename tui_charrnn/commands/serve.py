"""`charrnn-tui serve`: the app in a web browser, through textual-serve (an optional
extra: pip install 'charrnn-tui[serve]').

Each browser tab that opens the page starts its own `python -m tui_charrnn CORPUS
--runs-dir DIR` process: its own training session and run folder. The server binds to
loopback unless --host says otherwise; the page's scripts and websocket are addressed to
--public-url (default http://HOST:PORT), so a server bound to every interface needs an
address the other machines can reach: the machine's name unless --public-url gives one.
"""

from __future__ import annotations

import ipaddress
import shlex
import socket
import sys
from pathlib import Path

from ..catalog import CatalogError, resolve
from ..corpus import CorpusError
from ..exits import EXIT_OK, PROG, error, warn
from ..files import CheckpointError
from ..opening import open_run
from ..safefile import show_path
from .common import UsageError, int_between, parser

INSTALL_HINT = "serving needs textual-serve: pip install 'charrnn-tui[serve]'"
WILDCARDS = ("0.0.0.0", "::")  # every interface: no address a browser can use


def build_parser():
    p = parser(
        "serve",
        "Serve the app to web browsers (textual-serve): each browser tab trains its own run.",
    )
    p.add_argument(
        "corpus",
        nargs="?",
        metavar="CORPUS",
        help="what every session trains on: a catalogue name or a UTF-8 text file",
    )
    p.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on (default 127.0.0.1: this machine only; 0.0.0.0 exposes"
        " the app to the network)",
    )
    p.add_argument(
        "--port", type=int_between(1, 65535), default=8000, help="TCP port (default 8000)"
    )
    p.add_argument(
        "--public-url",
        metavar="URL",
        help="the address browsers open, if not http://HOST:PORT (e.g. behind a proxy, or"
        " with --host 0.0.0.0: http://<this machine's address>:PORT)",
    )
    p.add_argument(
        "--runs-dir", metavar="DIR", default="runs", help="where the sessions' run folders go"
    )
    return p


def app_command(corpus: str | None, runs_dir: Path) -> str:
    """The shell command textual-serve runs for each browser tab: this program's app, on
    the checked corpus (a path made absolute) and run folder."""
    argv = [sys.executable, "-m", __package__.split(".")[0]]
    if corpus is not None:
        name, path = resolve(corpus)
        argv.append(corpus if name == corpus else str(Path(path).resolve()))
    argv += ["--runs-dir", str(runs_dir.resolve())]
    return shlex.join(argv)


def is_loopback(host: str) -> bool:
    """Every address the host name stands for is a loopback one; UsageError if unknown."""
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError) as e:
        raise UsageError(f"--host {host}: unknown host ({e})") from None
    return all(ipaddress.ip_address(info[4][0].split("%")[0]).is_loopback for info in infos)


def check_port(host: str, port: int) -> None:
    """UsageError (one line) if the server could not listen there: said before it starts,
    rather than after textual-serve's banner."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        socket.create_server((host, port), family=family).close()
    except OSError as e:
        raise UsageError(f"cannot listen on {host} port {port}: {e.strerror or e}") from None


def public_url(host: str, port: int) -> str:
    """http://HOST:PORT as a browser writes it; a wildcard host: this machine's name."""
    if host in WILDCARDS:
        host = socket.gethostname()
    elif ":" in host:  # IPv6
        host = f"[{host}]"
    return f"http://{host}:{port}"


def main(argv: list[str]) -> int:
    args = build_parser().parse_args(argv)
    try:
        from textual_serve.server import Server
    except ImportError:
        return error(INSTALL_HINT)
    runs_dir = Path(args.runs_dir).expanduser()
    try:
        open_run(args.corpus)  # a corpus every session would refuse is refused here, once
        loopback = is_loopback(args.host)
        check_port(args.host, args.port)
        if runs_dir.exists() and not runs_dir.is_dir():
            raise UsageError(f"--runs-dir {show_path(runs_dir)}: not a folder")
        command = app_command(args.corpus, runs_dir)
    except (CorpusError, CheckpointError, CatalogError, UsageError) as e:
        return error(str(e))
    url = args.public_url or public_url(args.host, args.port)
    if loopback:
        print(f"Listening on {args.host} port {args.port}: loopback, only this machine can connect")
    else:
        warn(
            f"--host {args.host} is not loopback: anyone who can reach this machine on port"
            f" {args.port} can open the app and start training on its CPU; use it only on a"
            " trusted network"
        )
    print(f"Open {url} in a browser. Each browser tab is its own training session (its own")
    print(f"process and run folder in {show_path(runs_dir)}); Ctrl-C stops them all.")
    server = Server(command, host=args.host, port=args.port, title=PROG, public_url=url)
    try:
        server.serve()
    except OSError as e:  # taken since check_port
        return error(f"cannot listen on {args.host} port {args.port}: {e.strerror or e}")
    except KeyboardInterrupt:
        pass
    return EXIT_OK
