#!/usr/bin/env python3
"""Times memor-template's 3-field render against CPython's str.format, in one command.

    python3 scripts/bench_template.py

Runs the criterion bench `template` (render_3_fields), then times CPython's
`template.format(**ctx)` on the same template and values with timeit, and prints both and the
ratio. Exits non-zero if the bench cannot run.
"""
import json
import pathlib
import subprocess
import sys
import timeit

ROOT = pathlib.Path(__file__).resolve().parent.parent
TEMPLATE = "{instruction}Prompt: {prompt[message]}\nResponse: {response[message]}"
CTX = {
    "instruction": "You are a helpful assistant. Answer briefly.\n",
    "prompt": {"message": "What is the capital of France?", "role": "user"},
    "response": {"message": "The capital of France is Paris.", "role": "assistant"},
}


def python_ns() -> float:
    fmt = TEMPLATE.format
    n = 200_000
    best = min(timeit.repeat(lambda: fmt(**CTX), number=n, repeat=7))
    return best / n * 1e9


def rust_ns() -> float:
    subprocess.run(
        ["cargo", "bench", "--bench", "template", "--", "--noplot", "template/render_3_fields$"],
        cwd=ROOT, check=True, stdout=sys.stderr,
    )
    meta = subprocess.run(["cargo", "metadata", "--format-version", "1", "--no-deps"],
                          cwd=ROOT, check=True, capture_output=True, text=True).stdout
    target = pathlib.Path(json.loads(meta)["target_directory"])
    est = target / "criterion" / "template" / "render_3_fields" / "new" / "estimates.json"
    return json.loads(est.read_text())["mean"]["point_estimate"]


def main() -> None:
    rust = rust_ns()
    python = python_ns()
    print(f"CPython {sys.version.split()[0]} str.format: {python:8.1f} ns/render")
    print(f"memor-template render:     {rust:8.1f} ns/render")
    print(f"ratio: {python / rust:.1f}x faster than CPython (target: 5x)")


if __name__ == "__main__":
    main()
