#!/usr/bin/env python3
"""Generate the synthetic bundled corpora (toy_code, arithmetic, logs) into corpora/.

Stdlib only, seeded and deterministic: running it again rewrites the files byte for byte.
(corpora/fables.txt is hand-written and not produced here.)

    python tools/make_corpora.py            # writes into corpora/
    python tools/make_corpora.py --out DIR  # writes somewhere else (used by the tests)
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

SEED = 1234
ROOT = Path(__file__).resolve().parent.parent

# ---------------------------------------------------------------------------- toy_code

VERBS = ["count", "scale", "merge", "clip", "sum", "find", "check", "split", "shift", "mix"]
NOUNS = ["items", "values", "scores", "steps", "points", "weights", "rows", "bins", "marks"]
NAMES = ["x", "y", "n", "k", "total", "count", "value", "item", "step", "size", "limit", "best"]
OPS = ["+", "-", "*", "//", "%"]
CMPS = ["<", ">", "<=", ">=", "==", "!="]
COMMENTS = [
    "keep the running total",
    "stop early when we are done",
    "nothing to do for empty input",
    "small values are ignored",
    "update the best so far",
    "wrap around at the limit",
    "this is the slow path",
    "count only the positive ones",
]
DOCS = [
    "Return the {v} of the {o}.",
    "{V} the {o} and return the result.",
    "Compute a {v} over {o}, one at a time.",
    "Helper: {v} {o} up to a limit.",
]


def _expr(rng: random.Random, names: list[str], depth: int = 0) -> str:
    if depth > 1 or rng.random() < 0.4:
        return rng.choice(names) if rng.random() < 0.7 else str(rng.randint(0, 9))
    a, b = _expr(rng, names, depth + 1), _expr(rng, names, depth + 1)
    if a == b:
        b = str(rng.randint(1, 9))
    s = f"{a} {rng.choice(OPS)} {b}"
    return f"({s})" if depth else s


def _block(rng: random.Random, names: list[str], indent: str, depth: int) -> list[str]:
    """A few statements at one indentation level (sometimes nested)."""
    out: list[str] = []
    for _ in range(rng.randint(1, 3)):
        r = rng.random()
        target = rng.choice(names[1:])  # never rebind the input sequence
        if r < 0.15:
            out.append(f"{indent}# {rng.choice(COMMENTS)}")
        if depth < 2 and r < 0.35:
            cond = f"{rng.choice(names)} {rng.choice(CMPS)} {_expr(rng, names, 1)}"
            out.append(f"{indent}if {cond}:")
            out += _block(rng, names, indent + "    ", depth + 1)
            if rng.random() < 0.4:
                out.append(f"{indent}else:")
                out += _block(rng, names, indent + "    ", depth + 1)
        elif depth < 2 and r < 0.55:
            var = rng.choice(["i", "j", "item", "value"])
            it = rng.choice([f"range({rng.randint(1, 20)})", f"range(len({names[0]}))", names[0]])
            out.append(f"{indent}for {var} in {it}:")
            out += _block(rng, [*names, var], indent + "    ", depth + 1)
        elif r < 0.75:
            out.append(f"{indent}{target} {rng.choice(['+=', '-=', '*='])} {_expr(rng, names, 1)}")
        else:
            out.append(f"{indent}{target} = {_expr(rng, names)}")
    return out


def _function(rng: random.Random) -> str:
    verb, noun = rng.choice(VERBS), rng.choice(NOUNS)
    params = [noun, *rng.sample(NAMES[:6], rng.randint(0, 2))]
    local = rng.sample([n for n in NAMES if n not in params], 2)
    lines = [f"def {verb}_{noun}({', '.join(params)}):"]
    if rng.random() < 0.8:
        doc = rng.choice(DOCS).format(v=verb, V=verb.capitalize(), o=noun)
        lines.append(f'    """{doc}"""')
    for name in local:
        start = rng.choice(["0", "1", "[]", "None", str(rng.randint(2, 99))])
        lines.append(f"    {name} = {start}")
    lines += _block(rng, params + local, "    ", 0)
    lines.append(f"    return {rng.choice(local)}")
    return "\n".join(lines) + "\n\n\n"


def make_toy_code(rng: random.Random, target: int = 200_000) -> str:
    parts = ["# toy_code: small generated functions\n\n\n"]
    size = len(parts[0])
    while size < target:
        part = _function(rng)
        parts.append(part)
        size += len(part)
    return "".join(parts).rstrip("\n") + "\n"


# ---------------------------------------------------------------------------- arithmetic


def _arith(rng: random.Random, depth: int) -> tuple[str, int]:
    """A random bracketed expression over digits 0-9 and its value."""
    if depth == 0 or rng.random() < 0.3:
        d = rng.randint(0, 9)
        return str(d), d
    (a, va), (b, vb) = _arith(rng, depth - 1), _arith(rng, depth - 1)
    op = rng.choice("+-*")
    value = va + vb if op == "+" else va - vb if op == "-" else va * vb
    return f"({a}{op}{b})", value


def make_arithmetic(rng: random.Random, target: int = 150_000) -> str:
    lines: list[str] = []
    size = 0
    while size < target:
        text, value = _arith(rng, rng.randint(1, 4))
        if not text.startswith("(") or abs(value) > 999:
            continue
        line = f"{text[1:-1] if rng.random() < 0.3 else text}={value}\n"
        lines.append(line)
        size += len(line)
    return "".join(lines)


# ---------------------------------------------------------------------------- logs

SERVICES = ["api", "auth", "db", "cache", "worker", "web"]
PATHS = ["/", "/login", "/logout", "/items", "/items/{n}", "/users/{n}", "/search", "/health"]
METHODS = ["GET", "GET", "GET", "POST", "PUT", "DELETE"]


def _log_message(rng: random.Random, service: str) -> tuple[str, str]:
    r = rng.random()
    if service in ("api", "web"):
        path = rng.choice(PATHS).format(n=rng.randint(1, 500))
        status = rng.choice([200, 200, 200, 201, 204, 301, 404, 500])
        level = "ERROR" if status >= 500 else "WARN" if status >= 400 else "INFO"
        ms = rng.randint(1, 90) if status < 500 else rng.randint(200, 3000)
        return level, f"{rng.choice(METHODS)} {path} status={status} ms={ms}"
    if service == "auth":
        user = rng.choice(["ana", "bo", "cy", "dee", "eli", "fox", "gus"])
        if r < 0.8:
            return "INFO", f"login ok user={user}"
        return "WARN", f"login failed user={user} tries={rng.randint(2, 5)}"
    if service == "db":
        if r < 0.85:
            return "DEBUG", f"query table={rng.choice(NOUNS)} rows={rng.randint(0, 999)}"
        return "WARN", f"slow query table={rng.choice(NOUNS)} ms={rng.randint(500, 5000)}"
    if service == "cache":
        return "DEBUG", f"{rng.choice(['hit', 'hit', 'hit', 'miss'])} key={rng.choice(NOUNS)}"
    if r < 0.9:
        return "INFO", f"job {rng.randint(1000, 9999)} done in {rng.randint(1, 60)}s"
    return "ERROR", f"job {rng.randint(1000, 9999)} failed: retry {rng.randint(1, 3)} of 3"


def make_logs(rng: random.Random, target: int = 150_000) -> str:
    lines: list[str] = []
    size = 0
    t = 8 * 3600  # seconds since midnight on day 1
    day = 1
    while size < target:
        t += rng.randint(0, 7)
        if t >= 24 * 3600:
            t -= 24 * 3600
            day += 1
        service = rng.choice(SERVICES)
        level, msg = _log_message(rng, service)
        stamp = f"2024-03-{day:02d} {t // 3600:02d}:{t // 60 % 60:02d}:{t % 60:02d}"
        line = f"{stamp} {level:<5} [{service}] {msg}\n"
        lines.append(line)
        size += len(line)
    return "".join(lines)


# ---------------------------------------------------------------------------- main

GENERATORS = {"toy_code": make_toy_code, "arithmetic": make_arithmetic, "logs": make_logs}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "corpora", help="output folder")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    for i, (name, make) in enumerate(GENERATORS.items()):
        text = make(random.Random(SEED + i))
        path = args.out / f"{name}.txt"
        path.write_bytes(text.encode("ascii"))
        print(f"{path}: {len(text) / 1024:.0f} KB, {len(set(text))} distinct chars")


if __name__ == "__main__":
    main()
