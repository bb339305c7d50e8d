#!/usr/bin/env python3
"""Times token counting and `fit` on the 10,000-message session, against memor 1.4, in one command.

    python3 scripts/bench_tokens.py [N_MESSAGES]

1. Runs ../shared/tools/py_memor_bench.py (memor 1.4 must be installed: pip install memor==1.4),
   which builds the session, times memor (`estimate_tokens(UNIVERSAL)` among others), and saves
   the session file.
2. Runs the criterion bench `tokens` (feature `tiktoken`) on that same file
   (MEMOR_BENCH_SESSION): the exact o200k_base count of the session's `openai` render, the
   UNIVERSAL estimate of that render, and `fit` to a 32k budget, exact and estimated.
3. Prints the counts, each time, and the estimate's ratio against memor 1.4's `estimate_tokens`.
"""
import json
import os
import subprocess
import sys

from bench_core import ROOT, criterion_ns, python_bench, target_dir


def main() -> None:
    n = sys.argv[1] if len(sys.argv) > 1 else "10000"
    target = target_dir()
    out, python = python_bench(n, target)
    summary_path = out / "tokens-summary.json"
    env = dict(os.environ, MEMOR_BENCH_SESSION=str(out / "session.json"),
               MEMOR_BENCH_SUMMARY=str(summary_path))
    subprocess.run(["cargo", "bench", "--features", "tiktoken", "--bench", "tokens", "--",
                    "--noplot"], cwd=ROOT, env=env, check=True, stdout=sys.stderr)
    summary = json.loads(summary_path.read_text())
    rust = {name: criterion_ns(target, "tokens", name) / 1e9 for name in [
        "exact_count_openai_render", "exact_count_openai_payload", "estimate_count_openai_render",
        "fit_32k_exact", "fit_32k_estimate"]
        if (target / "criterion" / "tokens" / name / "new").exists()}

    fit = summary["fit"]
    print(f"session: {python['n']} messages, {python['bytes']:,} bytes (saved by memor 1.4)")
    print(f"openai render: {summary['exact']['tokens']:,} tokens ({summary['exact']['kind']}), "
          f"{summary['estimate']['tokens']:,} tokens ({summary['estimate']['kind']})")
    for kind in ["exact", "estimate"]:
        f = fit[kind]
        print(f"fit {fit['budget']:,} - reserve {fit['reserve']:,} ({kind}): kept {f['kept']} "
              f"messages, {f['tokens']:,} tokens, {f['renders']} checking render(s)")
    print(f"{'operation':<34}{'memor-rs':>12}")
    labels = [("exact count, openai render", "exact_count_openai_render"),
              ("exact count, rendered payload", "exact_count_openai_payload"),
              ("estimate count, openai render", "estimate_count_openai_render"),
              ("fit to 32k, exact", "fit_32k_exact"),
              ("fit to 32k, estimate", "fit_32k_estimate")]
    for label, key in labels:
        if key in rust:
            print(f"{label:<34}{rust[key] * 1e3:>10.2f}ms")
    if "estimate_universal" in python and "estimate_count_openai_render" in rust:
        p, r = python["estimate_universal"], rust["estimate_count_openai_render"]
        print(f"estimate: memor 1.4 estimate_tokens(UNIVERSAL) {p * 1e3:.1f}ms / memor-rs "
              f"{r * 1e3:.2f}ms = {p / r:.0f}x (target >= 50x)")


if __name__ == "__main__":
    main()
