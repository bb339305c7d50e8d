#!/usr/bin/env python3
"""Times the ChatGPT import against a bare serde_json parse, and measures its peak memory.

    python3 scripts/bench_import.py [N_SMALL] [N_LARGE]

1. Writes two exports with ../shared/tools/make_big_chatgpt_export.py (2,000 and 8,000
   conversations by default).
2. Runs the criterion bench `import` on the smaller one: `memor_import` over the whole file
   against `serde_json::from_slice::<Value>` of the same bytes (file read included in both),
   after checking the import reaches the generator's counts.
3. Runs `memor import` (release build) on both files and prints each run's peak RSS: memory
   stays flat when the file grows.
"""
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile

from bench_core import ROOT, SHARED, criterion_ns, target_dir


def main() -> None:
    sizes = [int(a) for a in sys.argv[1:3]] or [2000, 8000]
    if len(sizes) == 1:
        sizes.append(sizes[0] * 4)
    target = target_dir()
    out = target / "bench-import"
    out.mkdir(parents=True, exist_ok=True)
    exports = []
    for n in sizes:
        path = out / f"conversations-{n}.json"
        gen = subprocess.run([sys.executable, str(SHARED / "tools" / "make_big_chatgpt_export.py"),
                              str(path), str(n)], check=True, capture_output=True, text=True)
        exports.append((n, path, gen.stdout.strip().splitlines()[-1]))

    n, path, counts = exports[0]
    env = dict(os.environ, MEMOR_BENCH_EXPORT=str(path), MEMOR_BENCH_EXPORT_COUNTS=counts)
    subprocess.run(["cargo", "bench", "--bench", "import", "--", "--noplot"],
                   cwd=ROOT, env=env, check=True, stdout=sys.stderr)
    ours = criterion_ns(target, "import", "chatgpt") / 1e9
    base = criterion_ns(target, "import", "serde_json_value_baseline") / 1e9
    size = path.stat().st_size
    print(f"export: {n} conversations, {size:,} bytes")
    print(f"import (memor-import)               {ours * 1e3:9.1f} ms  {size / ours / 1e6:7.1f} MB/s")
    print(f"serde_json::from_slice::<Value>     {base * 1e3:9.1f} ms  {size / base / 1e6:7.1f} MB/s")
    print(f"import speed / serde_json speed = {base / ours:.2f}  (target >= 0.5)")

    subprocess.run(["cargo", "build", "-q", "--release", "-p", "memor-cli"], cwd=ROOT, check=True)
    memor = target / "release" / "memor"
    for n, path, _ in exports:
        dest = pathlib.Path(tempfile.mkdtemp(prefix="memor-import-"))
        try:
            proc = subprocess.Popen([str(memor), "import", str(path), "--from", "chatgpt",
                                     "--out", str(dest)],
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            _, status, usage = os.wait4(proc.pid, 0)
            if status != 0:
                raise SystemExit(f"memor import failed on {path}")
            files = sum(1 for _ in dest.iterdir())
        finally:
            shutil.rmtree(dest, ignore_errors=True)
        print(f"memor import of {n} conversations ({path.stat().st_size / 1e6:.0f} MB): "
              f"peak RSS {usage.ru_maxrss / 1024:.1f} MiB, {files} files written")


if __name__ == "__main__":
    main()
