"""Full-batch gradient descent on the two-layer ReLU network of relu-obstruction, in numpy.

What a careful numpy user would write: float64 arrays, samples in rows, the analytic gradient
(no autograd), one matrix product per layer and direction. It reads the exact data and initial
parameters that `obstruction export` prints, so it does the same arithmetic as the Rust core:

    python gd_numpy.py EXPORT.json --check-steps N --expect-loss L [--seconds T] [--serve]

1. Correctness: N steps at the preset's learning rate from θ₀; the final loss must equal L (the
   Rust core's `final_loss` of `obstruction train`) to 1e-9 relative, or the script fails.
2. Speed: like `obstruction bench`, steps at η = 1e-6 from θ₀ (the same work per step, and the run
   stays finite however long it lasts), a batch calibrated to a tenth of a window, then 5 timed
   windows; prints the median and the best steps per second.
Prints one JSON object. With --serve (what bench/all.mjs uses), 1. is done once and printed as the
first line, then the process times one window per 'time SECONDS' line on stdin (common.serve), so
that it can be timed in every round without starting again.
"""

import json
import sys

import numpy as np

from common import parse_args, serve, timed_windows, unpack


def loss_and_grad(W, v, X, y, bce):
    """L(θ) and (∂L/∂W, ∂L/∂v) for f(x) = Σ_k v_k relu(w_k · x), L the mean over samples."""
    n = X.shape[0]
    Z = X @ W.T  # (n, l) pre-activations
    H = np.maximum(Z, 0.0)
    f = H @ v  # (n,)
    if bce:
        sp = np.logaddexp(0.0, f)  # log(1 + e^f), no overflow
        L = np.mean(sp - y * f)
        g = (np.exp(f - sp) - y) / n  # sigmoid(f) = e^f / (1 + e^f)
    else:
        r = f - y
        L = 0.5 * np.mean(r * r)
        g = r / n
    gv = H.T @ g
    S = np.where(Z > 0.0, np.outer(g, v), 0.0)  # relu'(0) = 0
    gW = S.T @ X
    return L, gW, gv


def main():
    args = parse_args(__doc__)
    W0, v0, X, y, bce, lr, _ = unpack(json.load(open(args.export)), np.asarray)

    def run(steps, eta):
        W, v = W0.copy(), v0.copy()
        for _ in range(steps):
            _, gW, gv = loss_and_grad(W, v, X, y, bce)
            W -= eta * gW
            v -= eta * gv
        return W, v

    W, v = run(args.check_steps, lr)
    final = float(loss_and_grad(W, v, X, y, bce)[0])
    rel = abs(final - args.expect_loss) / abs(args.expect_loss)

    state = {"W": W0.copy(), "v": v0.copy()}

    def steps(k):
        W, v = state["W"], state["v"]
        for _ in range(k):
            _, gW, gv = loss_and_grad(W, v, X, y, bce)
            W -= 1e-6 * gW
            v -= 1e-6 * gv

    check = {"peer": "numpy", "version": np.__version__, "final_loss": final,
             "expected_loss": args.expect_loss, "relative_difference": rel}
    if not rel <= 1e-9:
        print(json.dumps(check), flush=True)
        sys.exit(f"numpy: final loss {final!r} differs from the Rust core's {args.expect_loss!r}")
    if args.serve:
        serve(steps, check)
        return
    median, best = timed_windows(steps, args.seconds)
    print(json.dumps({**check, "steps_per_s": median, "steps_per_s_best": best}))


if __name__ == "__main__":
    main()
