#!/usr/bin/env python3
"""Times memor-core against Python memor 1.4 on the same 10,000-message session, in one command.

    python3 scripts/bench_core.py [N_MESSAGES]

1. Runs ../shared/tools/py_memor_bench.py (memor 1.4 must be installed: pip install memor==1.4),
   which builds the session, times memor, and saves the session file.
2. Runs the criterion bench `core` on that same file (MEMOR_BENCH_SESSION).
3. Prints each operation's time in both and the ratio.
"""
import json
import os
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
SHARED = pathlib.Path(os.environ.get("MEMOR_SHARED", ROOT.parent / "shared"))


def criterion_ns(target: pathlib.Path, group: str, name: str) -> float:
    est = target / "criterion" / group / name / "new" / "estimates.json"
    return json.loads(est.read_text())["mean"]["point_estimate"]


def target_dir() -> pathlib.Path:
    """Cargo's target directory of the workspace."""
    meta = json.loads(subprocess.run(
        ["cargo", "metadata", "--format-version", "1", "--no-deps"],
        cwd=ROOT, check=True, capture_output=True, text=True).stdout)
    return pathlib.Path(meta["target_directory"])


def python_bench(n: str, target: pathlib.Path) -> tuple[pathlib.Path, dict]:
    """Runs memor 1.4's bench on n messages: the folder holding its session file, and its times."""
    out = target / "bench-py"
    py = subprocess.run([sys.executable, str(SHARED / "tools" / "py_memor_bench.py"), n, str(out)],
                        check=True, capture_output=True, text=True)
    return out, json.loads(py.stdout.strip().splitlines()[-1])


def main() -> None:
    n = sys.argv[1] if len(sys.argv) > 1 else "10000"
    target = target_dir()
    out, python = python_bench(n, target)
    env = dict(os.environ, MEMOR_BENCH_SESSION=str(out / "session.json"))
    subprocess.run(["cargo", "bench", "--bench", "core", "--", "--noplot"],
                   cwd=ROOT, env=env, check=True, stdout=sys.stderr)
    rust = {name: criterion_ns(target, "core", name) / 1e9 for name in [
        "load", "serde_json_value_baseline", "save_to_string", "save_file",
        "replace_file_baseline", "render_string",
        "render_openai", "search", "estimate_universal"]
        if (target / "criterion" / "core" / name / "new").exists()}
    print(f"session: {python['n']} messages, {python['bytes']:,} bytes (saved by memor 1.4)")
    print(f"{'operation':<22}{'memor 1.4':>12}{'memor-rs':>12}{'ratio':>10}  target")
    rows = [("load", "load", "load", 30), ("save", "save", "save_file", 30),
            ("render STRING", "render_string", "render_string", 100),
            ("render OPENAI", "render_openai", "render_openai", 100),
            ("search", "search", "search", 100),
            ("estimate UNIVERSAL", "estimate_universal", "estimate_universal", 50)]
    for label, pkey, rkey, goal in rows:
        if pkey in python and rkey in rust:
            p, r = python[pkey], rust[rkey]
            print(f"{label:<22}{p * 1e3:>10.1f}ms{r * 1e3:>10.2f}ms{p / r:>9.0f}x  >= {goal}x")
    if "replace_file_baseline" in rust and "save_to_string" in rust:
        print(f"save parts: serializing to a string {rust['save_to_string'] * 1e3:.1f}ms; writing "
              f"the same bytes atomically {rust['replace_file_baseline'] * 1e3:.1f}ms (a save "
              f"overlaps the two: a second thread writes while serializing goes on)")
    if "serde_json_value_baseline" in rust:
        b = rust["serde_json_value_baseline"]
        print(f"load vs serde_json::from_slice::<Value> of the same bytes: "
              f"{b * 1e3:.1f}ms / {rust['load'] * 1e3:.1f}ms = {b / rust['load']:.2f}x faster")


if __name__ == "__main__":
    main()
