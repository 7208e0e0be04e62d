#!/usr/bin/env python3
"""Plots the flash-crash harness's figures (docs/FLASH-CRASH.md).

    plot.py timeline OUT.svg LABEL=DIR [LABEL=DIR ...]
    plot.py review OUT.svg LABEL=DIR [LABEL=DIR ...]

draws, for each run folder `teo-swarm run --out DIR` wrote, Layer 1's load (mesh messages the
services validated per second, from `mesh.csv`) above Layer 2's admissions (pull requests that
entered the veto window, cumulative, from `admissions.csv`), over the seconds since the agents
started, with D_max per epoch (from `epochs.csv`) as the bound the admissions must keep to.
Several runs (with and without TEO's rules, say) share the axes, one colour each.

`review` draws what the runs ask of the humans against the swarm's size N (from each folder's
`summary.json`): the pull requests admitted per epoch, each of which every verified member of
the group is asked to review, and the most proposals pending review at once. Folders with the
same label (TEO at N = 100, 1,000 and 10,000, say) make one line.

matplotlib, pinned by requirements.txt beside this file, draws them: a well-kept library whose
wheels bring their own fonts, so the plots look the same on every machine.
"""

import csv
import sys
from pathlib import Path

import matplotlib

matplotlib.use("svg")
import matplotlib.pyplot as plt  # noqa: E402  (after choosing the backend)

# Same picture, same bytes: no date or random ids in the SVG.
matplotlib.rcParams["svg.hashsalt"] = "teo-swarm"
matplotlib.rcParams["svg.fonttype"] = "none"


def rows(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def run(folder):
    """A run's series: mesh load, admissions and D_max per epoch."""
    folder = Path(folder)
    mesh = rows(folder / "mesh.csv")
    admissions = rows(folder / "admissions.csv")
    epochs = rows(folder / "epochs.csv")
    # A run without a cap (the single layer) leaves the field empty.
    d_max = max((int(e["d_max"]) for e in epochs if e["d_max"]), default=0)
    return {
        "seconds": [float(r["seconds"]) for r in mesh],
        "accepted": [float(r["accepted_per_s"]) for r in mesh],
        "ignored": [float(r["ignored_per_s"]) for r in mesh],
        "admitted_at": sorted(float(r["seconds"]) for r in admissions),
        "admission_epochs": sorted({int(r["epoch"]) for r in admissions}),
        "d_max": d_max,
    }


def timeline(out, labelled):
    figure, (load, admitted) = plt.subplots(
        2, 1, sharex=True, figsize=(9, 6), gridspec_kw={"height_ratios": [3, 2]}
    )
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    totals = []
    for i, (label, folder) in enumerate(labelled):
        series = run(folder)
        colour = colours[i % len(colours)]
        load.plot(series["seconds"], series["accepted"], color=colour, label=f"{label}: accepted")
        load.plot(
            series["seconds"],
            series["ignored"],
            color=colour,
            linestyle=":",
            label=f"{label}: ignored",
        )
        times = series["admitted_at"]
        totals.append(len(times))
        if times:
            counts = list(range(1, len(times) + 1))
            admitted.step([0.0] + times, [0] + counts, where="post", color=colour, label=label)
        epochs = len(series["admission_epochs"])
        if series["d_max"] and epochs:
            cap = series["d_max"] * epochs
            admitted.axhline(cap, color=colour, linestyle="--", linewidth=0.8)
            admitted.annotate(
                f"D_max x {epochs} epochs = {cap}",
                (0, cap),
                textcoords="offset points",
                xytext=(4, 3),
                fontsize=8,
                color=colour,
            )
    load.set_ylabel("mesh messages validated / s\n(three services together)")
    load.set_title("Layer 1 load against Layer 2 admissions")
    load.legend(fontsize=8, loc="upper right")
    load.grid(alpha=0.3)
    # Runs orders of magnitude apart (TEO's cap against none) share the axis on a log scale.
    if totals and min(totals) > 0 and max(totals) > 20 * min(totals):
        admitted.set_yscale("log")
    admitted.set_ylabel("pull requests admitted\n(cumulative)")
    admitted.set_xlabel("seconds since the agents started")
    admitted.legend(fontsize=8, loc="lower right")
    admitted.grid(alpha=0.3)
    figure.tight_layout()
    figure.savefig(out, metadata={"Date": None})


def review(out, labelled):
    import json

    lines = {}
    for label, folder in labelled:
        with open(Path(folder) / "summary.json") as f:
            summary = json.load(f)
        per_epoch = list(summary["admitted_per_epoch"].values())
        mean = sum(per_epoch) / len(per_epoch) if per_epoch else 0.0
        lines.setdefault(label, []).append(
            (summary["agents"], mean, summary["pending_max"], summary["d_max"])
        )
    figure, (admitted, pending) = plt.subplots(1, 2, figsize=(10, 4.5))
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for i, (label, points) in enumerate(lines.items()):
        points.sort(key=lambda p: p[0])
        colour = colours[i % len(colours)]
        agents = [p[0] for p in points]
        admitted.plot(agents, [p[1] for p in points], marker="o", color=colour, label=label)
        pending.plot(agents, [p[2] for p in points], marker="o", color=colour, label=label)
        caps = {p[3] for p in points if p[3]}
        for cap in sorted(caps):
            admitted.axhline(cap, color=colour, linestyle="--", linewidth=0.8)
    for axes in (admitted, pending):
        axes.set_xscale("log")
        axes.set_yscale("log")
        axes.set_xlabel("agents in the swarm (N)")
        axes.grid(alpha=0.3, which="both")
        axes.legend(fontsize=8)
    admitted.set_ylabel("pull requests admitted per epoch\n(each human asked to review all)")
    pending.set_ylabel("proposals pending review at once (most)")
    admitted.set_title("Review demanded of each human")
    pending.set_title("The queue before the humans")
    figure.tight_layout()
    figure.savefig(out, metadata={"Date": None})


def main(argv):
    commands = {"timeline": timeline, "review": review}
    if len(argv) < 4 or argv[1] not in commands or any("=" not in a for a in argv[3:]):
        sys.exit(__doc__)
    labelled = [tuple(a.split("=", 1)) for a in argv[3:]]
    commands[argv[1]](argv[2], labelled)


if __name__ == "__main__":
    main(sys.argv)
