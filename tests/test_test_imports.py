"""No test module imports another: what tests share lives in helper modules (app_helpers,
trainer_helpers, pilot_helpers, cli_helpers, insight_helpers, waiting, reference). A test
module imported by another is collected by both, and a change to one test file breaks
unrelated ones. Imports are read with ast, including those inside functions and
importlib.import_module("...") calls."""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).parent


def imported(source: str) -> set[str]:
    """Every module name `source` imports, or may import (`from a import b`: a and a.b)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            names |= {f"{base}.{alias.name}".lstrip(".") for alias in node.names}
            if base:
                names.add(base)
        elif (
            isinstance(node, ast.Call)
            and getattr(node.func, "attr", getattr(node.func, "id", None))
            in ("import_module", "__import__")
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            names.add(node.args[0].value)
    return names


def which_are_tests(names: set[str]) -> set[str]:
    """The test modules among `names` (test_app.make_app: test_app)."""
    found = set()
    for name in names:
        parts = name.split(".")
        for i, part in enumerate(parts):
            if part.startswith("test_"):
                found.add(".".join(parts[: i + 1]))
                break
    return found


def test_the_reader_sees_every_kind_of_import():
    source = (
        "import test_a\nimport os, test_b as b\nfrom test_c import x\nfrom . import test_d\n"
        "from tests.test_e import y\nfrom tests import test_f\n"
        "def f():\n    from test_g import z\n    importlib.import_module('test_h')\n"
        "from app_helpers import make_app\nimport pytest\nfrom tui_charrnn import events\n"
    )
    found = which_are_tests(imported(source))
    assert found == {
        "test_a",
        "test_b",
        "test_c",
        "test_d",
        "tests.test_e",
        "tests.test_f",
        "test_g",
        "test_h",
    }
    assert "app_helpers" in imported((TESTS / "test_app.py").read_text("utf-8"))


def test_no_test_module_imports_another():
    offenders = {}
    for path in sorted(TESTS.rglob("*.py")):
        found = which_are_tests(imported(path.read_text("utf-8")))
        if found:
            offenders[str(path.relative_to(TESTS))] = sorted(found)
    assert not offenders, f"move what these share into a helper module: {offenders}"
