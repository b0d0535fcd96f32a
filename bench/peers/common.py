"""Shared by the peer benchmarks: arguments, the export's layout, the timing windows and the
--serve mode that bench/all.mjs drives round by round."""

import argparse
import json
import sys
import time


def parse_args(doc, threads=False):
    p = argparse.ArgumentParser(description=doc.splitlines()[0])
    if threads:
        p.add_argument("--threads", type=int, default=0, help="torch.set_num_threads (0: the default)")
    p.add_argument("export", help="JSON printed by `obstruction export --preset NAME`")
    p.add_argument("--check-steps", type=int, required=True)
    p.add_argument("--expect-loss", type=float, required=True)
    p.add_argument("--seconds", type=float, default=2.0)
    p.add_argument("--serve", action="store_true",
                   help="after the check, print it as one JSON line, then answer 'time SECONDS' "
                        "lines on stdin with one timed window each (one JSON line)")
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


def calibrate(steps, window):
    """A batch of steps that takes a tenth of a window: doubled from 16 until one batch does."""
    batch = 16
    while True:
        t = time.perf_counter()
        steps(batch)
        if time.perf_counter() - t >= window / 10:
            return batch
        batch *= 2


def one_window(steps, batch, window):
    """Repeats the batch until `window` seconds have passed; (steps per second, steps, seconds)."""
    start = time.perf_counter()
    done = 0
    while time.perf_counter() - start < window:
        steps(batch)
        done += batch
    elapsed = time.perf_counter() - start
    return done / elapsed, done, elapsed


def timed_windows(steps, seconds, rounds=5):
    """Like `obstruction bench`: a batch calibrated to a tenth of a window, then `rounds` windows
    of seconds / rounds; returns (median, best) steps per second."""
    window = seconds / rounds
    batch = calibrate(steps, window)
    rates = sorted(one_window(steps, batch, window)[0] for _ in range(rounds))
    return rates[len(rates) // 2], rates[-1]


def serve(steps, ready):
    """The long-lived mode of bench/all.mjs: the process (interpreter, imports, data, the check)
    starts once and is then timed in every round, like the page that stays open in the browser.
    Prints `ready` (the check's result) as the first line, then reads one command per line:
    'time SECONDS' times one window (the batch is calibrated on the first window of each length, as
    in timed_windows) and prints {"steps_per_s", "steps", "seconds", "batch"}; 'quit' or the end of
    stdin ends the process."""
    print(json.dumps(ready), flush=True)
    batches = {}
    for line in sys.stdin:
        words = line.split()
        if not words:
            continue
        if words[0] == "quit":
            break
        if words[0] != "time" or len(words) != 2:
            sys.exit(f"serve: unknown command {line.strip()!r} (expected 'time SECONDS' or 'quit')")
        window = float(words[1])
        if window not in batches:
            batches[window] = calibrate(steps, window)
        rate, done, elapsed = one_window(steps, batches[window], window)
        print(json.dumps({"steps_per_s": rate, "steps": done, "seconds": elapsed,
                          "batch": batches[window]}), flush=True)
