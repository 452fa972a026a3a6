"""Turns bench/run.sh's results.tsv into the Markdown table of the README, with
each target checked: page throughput as a share of the stylesheet's, peak RSS at
most 100 MiB, and scale 100 at most 2x the latency of scale 1."""
import sys
from collections import defaultdict

TARGETS = {"home": 0.50, "article": 0.40, "tag page": 0.40, "monthly report": 0.40, "yearly report": 0.25}
RSS_LIMIT_MIB = 100

rows = [line.rstrip("\n").split("\t") for line in open(sys.argv[1]) if line.strip()]
pages = defaultdict(dict)  # (backend, scale) -> name -> (rps, p50, p99, errors)
extra = {}
for backend, scale, name, a, b, c, d in rows:
    if name == "peak RSS":
        extra[(backend, scale)] = (int(a) / 1024, int(b))
    else:
        pages[(backend, scale)][name] = (float(a), float(b), float(c), int(d or 0))

print("| backend | data | page | req/s | p50 ms | p99 ms | share of stylesheet | target | met |")
print("|---|---|---|---:|---:|---:|---:|---:|---|")
missed = []
for (backend, scale), by_name in pages.items():
    css = by_name.get("stylesheet", (0, 0, 0, 0))[0] or 1
    for name, (rps, p50, p99, errors) in by_name.items():
        share = rps / css
        target = TARGETS.get(name)
        met = "" if target is None else ("yes" if share >= target else "**no**")
        if target is not None and share < target:
            missed.append(f"{backend} x{scale} {name}: {share:.2f} of the stylesheet's throughput (target {target:.2f})")
        if errors:
            missed.append(f"{backend} x{scale} {name}: {errors} non-2xx answers")
        print(f"| {backend} | x{scale} | {name} | {rps:.0f} | {p50:.2f} | {p99:.2f} | {share:.2f} | "
              f"{'' if target is None else f'{target:.2f}'} | {met} |")

print()
print("| backend | data | peak RSS MiB | cold start to first 200, ms |")
print("|---|---|---:|---:|")
for (backend, scale), (rss, cold) in extra.items():
    print(f"| {backend} | x{scale} | {rss:.1f} | {cold} |")
    if rss > RSS_LIMIT_MIB:
        missed.append(f"{backend} x{scale}: peak RSS {rss:.1f} MiB (limit {RSS_LIMIT_MIB})")

scales = sorted({s for (_, s) in pages}, key=int)
if len(scales) > 1:
    small, big = scales[0], scales[-1]
    print()
    print(f"| backend | page | p50 at x{big} / p50 at x{small} | within 2x |")
    print("|---|---|---:|---|")
    for backend in sorted({b for (b, _) in pages}):
        a, b = pages.get((backend, small), {}), pages.get((backend, big), {})
        for name in a:
            if name in b and a[name][1] > 0:
                ratio = b[name][1] / a[name][1]
                ok = "yes" if ratio <= 2 else "**no**"
                if ratio > 2:
                    missed.append(f"{backend} {name}: x{big} has {ratio:.1f}x the p50 latency of x{small}")
                print(f"| {backend} | {name} | {ratio:.2f} | {ok} |")

print()
if missed:
    print("Targets missed:")
    for m in missed:
        print(f"- {m}")
else:
    print("Every target is met.")
