"""The Fig. 4 sweep of relu-obstruction in numpy: every (l, l+, seed) job trains for STEPS GD steps
at learning rate LR on the breast cancer training set and reports its test BCE; the rows are the
mean and sample standard deviation over seeds.

What a careful numpy user would write for a 2-core machine: the jobs are independent, so a
multiprocessing.Pool with one process per core runs them (heaviest widths first), each process
with a single-threaded BLAS (two processes that each spawn BLAS threads on 2 cores only get in
each other's way). The jobs' initial θ and the data come from `obstruction export-sweep`, so the
arithmetic is the Rust core's; the rows are checked against `obstruction sweep`'s within 1e-9:

    python sweep_numpy.py EXPORT.json NATIVE_SWEEP.json [--processes P] [--serve]
Prints one JSON object with the wall time (pool start to the last row). With --serve (what
bench/all.mjs uses), it loads once, prints {"ready": ...} and then runs the whole sweep once per
'run' line on stdin (a new pool each time, as the page starts new workers for each run), one JSON
line each; 'quit' or the end of stdin ends it.
"""

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # before numpy is imported
os.environ.setdefault("OMP_NUM_THREADS", "1")

import argparse
import json
import sys
import time
from multiprocessing import Pool

import numpy as np

from gd_numpy import loss_and_grad

DATA = {}


def load(path):
    ex = json.load(open(path))
    for part in ("train", "test"):
        t = ex[part]
        DATA[part] = (np.asarray(t["x"]).reshape(t["n"], t["d"]), np.asarray(t["y"]))
    return ex


def bce(W, v, X, y):
    f = np.maximum(X @ W.T, 0.0) @ v
    return float(np.mean(np.logaddexp(0.0, f) - y * f))


def run_job(job, steps, lr):
    X, y = DATA["train"]
    d = X.shape[1]
    l = job["l"]
    theta = np.asarray(job["theta_initial"])
    W, v = theta[: l * d].reshape(l, d).copy(), theta[l * d :].copy()
    diverged = False
    for _ in range(steps):
        L, gW, gv = loss_and_grad(W, v, X, y, True)
        W_new, v_new = W - lr * gW, v - lr * gv
        if not (np.isfinite(L) and np.isfinite(W_new).all() and np.isfinite(v_new).all()):
            diverged = True
            break
        W, v = W_new, v_new
    return job["l"], job["l_plus"], bce(W, v, *DATA["test"]), diverged


def sweep(jobs, steps, lr, processes, native):
    """One timed run of every job in a fresh pool, checked against the Rust core's rows."""
    t0 = time.perf_counter()
    with Pool(processes) as pool:  # fork: the workers inherit DATA
        results = pool.starmap(run_job, [(j, steps, lr) for j in jobs], chunksize=1)
    rows = {}
    for l, l_plus, test_bce, diverged in results:
        rows.setdefault((l, l_plus), []).append((test_bce, diverged))
    out = []
    for (l, l_plus), runs in rows.items():
        vals = np.array([r[0] for r in runs])
        out.append({"l": l, "l_plus": l_plus, "mean_test_bce": float(vals.mean()),
                    "std_test_bce": float(vals.std(ddof=1)) if len(vals) > 1 else 0.0,
                    "runs": len(vals), "diverged_runs": sum(r[1] for r in runs)})
    seconds = time.perf_counter() - t0

    ours = {(r["l"], r["l_plus"]): r for r in native["rows"]}
    worst = 0.0
    for r in out:
        n = ours[(r["l"], r["l_plus"])]
        worst = max(worst, abs(r["mean_test_bce"] - n["mean_test_bce"]) / abs(n["mean_test_bce"]))
    print(json.dumps({"peer": "numpy", "processes": processes, "jobs": len(jobs),
                      "seconds": seconds, "rows": len(out), "max_relative_difference": worst}), flush=True)
    if len(out) != len(ours) or not worst <= 1e-9:
        sys.exit(f"numpy sweep: rows differ from the Rust core's (worst relative difference {worst})")


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("export")
    p.add_argument("native")
    p.add_argument("--processes", type=int, default=os.cpu_count())
    p.add_argument("--serve", action="store_true")
    args = p.parse_args()
    ex = load(args.export)
    native = json.load(open(args.native))
    steps, lr = native["steps"], native["lr"]
    jobs = sorted(ex["jobs"], key=lambda j: -j["l"])
    if not args.serve:
        sweep(jobs, steps, lr, args.processes, native)
        return
    print(json.dumps({"ready": {"peer": "numpy", "processes": args.processes, "jobs": len(jobs)}}), flush=True)
    for line in sys.stdin:
        command = line.strip()
        if command == "quit":
            break
        if command != "run":
            sys.exit(f"sweep_numpy: unknown command {command!r} (expected 'run' or 'quit')")
        sweep(jobs, steps, lr, args.processes, native)

if __name__ == "__main__":
    main()
