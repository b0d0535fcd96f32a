"""Shared by the peer benchmarks: arguments, the export's layout, and the timing windows."""

import argparse
import time


def parse_args(doc, threads=False):
    p = argparse.ArgumentParser(description=doc.splitlines()[0])
    if threads:
        p.add_argument("--threads", type=int, default=0, help="torch.set_num_threads (0: the default)")
    p.add_argument("export", help="JSON printed by `obstruction export --preset NAME`")
    p.add_argument("--check-steps", type=int, required=True)
    p.add_argument("--expect-loss", type=float, required=True)
    p.add_argument("--seconds", type=float, default=2.0)
    return p.parse_args()


def unpack(ex, array):
    """(W (l × d), v (l,), X (n × d), y (n,), bce, lr, arch) from an export, e = 1, no biases."""
    a = ex["arch"]
    if a["e"] != 1 or a["hidden_bias"] or a["output_bias"]:
        raise SystemExit("the peers implement e = 1 without biases (the fig3 and fig4 presets)")
    d, l = a["d"], a["l"]
    theta = ex["theta_initial"]
    W = array(theta[: l * d]).reshape(l, d)
    v = array(theta[l * d : l * d + l])
    t = ex["train"]
    X = array(t["x"]).reshape(t["n"], d)
    y = array(t["y"])
    return W, v, X, y, a["loss"] == "bce", ex["lr"], a


def timed_windows(steps, seconds, rounds=5):
    """Like `obstruction bench`: a batch calibrated to a tenth of a window, then `rounds` windows
    of seconds / rounds; returns (median, best) steps per second."""
    window = seconds / rounds
    batch = 16
    while True:
        t = time.perf_counter()
        steps(batch)
        if time.perf_counter() - t >= window / 10:
            break
        batch *= 2
    rates = []
    for _ in range(rounds):
        start = time.perf_counter()
        done = 0
        while time.perf_counter() - start < window:
            steps(batch)
            done += batch
        rates.append(done / (time.perf_counter() - start))
    rates.sort()
    return rates[len(rates) // 2], rates[-1]
