"""The figures of one wrk run of benches/load.sh, from the lines its threads wrote.

    python3 benches/load_summary.py DIR SECONDS

DIR holds thread-N.txt files of "kind milliseconds status" lines (benches/load.lua). Prints one
line per kind, then one for all: kind count p50 p99 max per-second 2xx 3xx 4xx 5xx.
"""

import math
import pathlib
import sys

KINDS = ["dashboard", "standards", "workforce", "api", "save_standard", "add_cpd", "healthz"]


def percentile(sorted_times, p):
    """The nearest-rank percentile: the smallest time with at least p% of the times at or below it."""
    return sorted_times[max(0, math.ceil(len(sorted_times) * p / 100) - 1)]


def main(folder, seconds):
    times = {kind: [] for kind in KINDS}
    classes = {kind: [0, 0, 0, 0] for kind in KINDS}
    for path in sorted(pathlib.Path(folder).glob("thread-*.txt")):
        for line in path.read_text().splitlines():
            parts = line.split()
            if len(parts) != 3 or parts[0] not in times:
                continue
            kind, milliseconds, status = parts[0], float(parts[1]), int(parts[2])
            times[kind].append(milliseconds)
            classes[kind][min(max(status // 100 - 2, 0), 3)] += 1
    everything = []
    for kind in KINDS + ["all"]:
        if kind == "all":
            found, counts = sorted(everything), [sum(c[i] for c in classes.values()) for i in range(4)]
        else:
            found, counts = sorted(times[kind]), classes[kind]
            everything.extend(found)
        if not found:
            continue
        print(
            f"{kind} {len(found)} {percentile(found, 50):.2f} {percentile(found, 99):.2f} {found[-1]:.2f} "
            f"{len(found) / seconds:.1f} {counts[0]} {counts[1]} {counts[2]} {counts[3]}"
        )


if __name__ == "__main__":
    main(sys.argv[1], float(sys.argv[2]))
