#!/usr/bin/env python3
"""What replacing a file costs on this file system, apart from writing the new one.

    python3 scripts/fs_replace_cost.py [DIR] [MEGABYTES]

Writes MEGABYTES (default 12.3, the bench session's size) of data to a new file in DIR (default
the workspace's target directory), then times, as medians of 15 runs:
- writing a new file of that size;
- renaming a new file over an existing one of that size (the old file is freed in the rename);
- the same rename while the old file is held open, and closing it afterwards (where the old
  file is freed instead: memor-core closes it on a background thread).
"""
import os
import pathlib
import statistics
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1e3


def write(path: str, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        os.write(fd, data)
    finally:
        os.close(fd)


def main() -> None:
    folder = pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "target" / "fs-replace"
    size = int(float(sys.argv[2]) * 1e6) if len(sys.argv) > 2 else 12_300_000
    folder.mkdir(parents=True, exist_ok=True)
    data = os.urandom(size)
    target = str(folder / "file.json")
    temp = str(folder / "file.json.tmp")
    write(target, data)
    new_file, rename, held_rename, held_close = [], [], [], []
    for _ in range(15):
        a = time.perf_counter()
        write(temp, data)
        b = time.perf_counter()
        os.rename(temp, target)
        c = time.perf_counter()
        new_file.append(b - a)
        rename.append(c - b)
    for _ in range(15):
        write(temp, data)
        old = os.open(target, os.O_RDONLY)
        a = time.perf_counter()
        os.rename(temp, target)
        b = time.perf_counter()
        os.close(old)
        c = time.perf_counter()
        held_rename.append(b - a)
        held_close.append(c - b)
    for name in (target, temp):
        if os.path.exists(name):
            os.remove(name)
    print(f"{size:,} bytes in {folder}")
    print(f"write a new file             {median_ms(new_file):7.2f} ms")
    print(f"rename over an existing one  {median_ms(rename):7.2f} ms")
    print(f"the same, old file held open {median_ms(held_rename):7.2f} ms "
          f"(+ {median_ms(held_close):.2f} ms to close it afterwards)")


if __name__ == "__main__":
    main()
