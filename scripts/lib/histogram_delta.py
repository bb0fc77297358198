#!/usr/bin/env python3
"""What Prometheus histograms recorded between two scrapes of one process.

Usage: histogram_delta.py BEFORE AFTER NAME...
BEFORE and AFTER are /metrics texts of the same admitd; each NAME is a histogram's metric name
without its _bucket/_sum/_count suffix, optionally with one label it must carry:
NAME{route="/api/v1/reservations"}. Prints one line per histogram:
  NAME: n COUNT  mean MEAN ms  p50 <= P50 ms  p99 <= P99 ms
where the percentiles are the upper bounds of the buckets they fall in (a histogram keeps no
more). A histogram that recorded nothing in between prints n 0. Other labels are summed over. Exit 2 on unreadable input.
"""
import re
import sys

LINE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+(\S+)$')
LE = re.compile(r'le="([^"]+)"')


def read(path, wanted):
    """{name: {"buckets": {le: count}, "sum": s, "count": n}} of the histograms in `wanted`
    ({name: required label text or ""}), summed over label sets that carry the label."""
    found = {}
    with open(path, encoding="utf-8") as text:
        for line in text:
            match = LINE.match(line.strip())
            if not match:
                continue
            name, labels, value = match.group(1), match.group(2) or "", float(match.group(3))
            for suffix in ("_bucket", "_sum", "_count"):
                if name.endswith(suffix):
                    base = name[: -len(suffix)]
                    if base not in wanted or wanted[base] not in labels:
                        continue
                    entry = found.setdefault(base, {"buckets": {}, "sum": 0.0, "count": 0.0})
                    if suffix == "_bucket":
                        le = LE.search(labels)
                        if le:
                            bound = float("inf") if le.group(1) == "+Inf" else float(le.group(1))
                            entry["buckets"][bound] = entry["buckets"].get(bound, 0.0) + value
                    else:
                        entry[suffix[1:]] += value
    return found


def percentile_bound(buckets, count, share):
    for bound in sorted(buckets):
        if buckets[bound] >= share * count:
            return bound
    return float("inf")


def main():
    if len(sys.argv) < 4:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    wanted = {}
    for selector in sys.argv[3:]:
        base, _, label = selector.partition("{")
        wanted[base] = label.rstrip("}")
    try:
        before, after = read(sys.argv[1], wanted), read(sys.argv[2], wanted)
    except OSError as error:
        print(f"histogram_delta: {error}", file=sys.stderr)
        return 2
    for selector in sys.argv[3:]:
        name = selector.partition("{")[0]
        old = before.get(name, {"buckets": {}, "sum": 0.0, "count": 0.0})
        new = after.get(name, {"buckets": {}, "sum": 0.0, "count": 0.0})
        count = new["count"] - old["count"]
        if count <= 0:
            print(f"{selector}: n 0")
            continue
        buckets = {b: n - old["buckets"].get(b, 0.0) for b, n in new["buckets"].items()}
        mean_ms = (new["sum"] - old["sum"]) / count * 1000
        p50 = percentile_bound(buckets, count, 0.50) * 1000
        p99 = percentile_bound(buckets, count, 0.99) * 1000
        print(f"{selector}: n {count:.0f}  mean {mean_ms:.1f} ms  p50 <= {p50:g} ms  p99 <= {p99:g} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
