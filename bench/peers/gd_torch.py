"""Full-batch gradient descent on the two-layer ReLU network of relu-obstruction, in PyTorch (CPU).

The same loop as gd_numpy.py with torch tensors: float64 on the CPU, the analytic gradient written
out by hand (autograd off, under torch.inference_mode(): what a careful user writes for a model
this small, and faster than autograd), torch.set_num_threads from --threads (the benchmark script
tries 1 and every core and reports the faster). Same data and initial θ as the Rust core (from
`obstruction export`), same checks and timing windows:

    python gd_torch.py EXPORT.json --check-steps N --expect-loss L [--seconds T] [--threads K] [--serve]
Prints one JSON object; with --serve, the check as the first line, then one timed window per
'time SECONDS' line on stdin (common.serve), as gd_numpy.py.
"""

import json
import sys

import torch

from common import parse_args, serve, timed_windows, unpack


def loss_and_grad(W, v, X, y, bce):
    """L(θ) and (∂L/∂W, ∂L/∂v) for f(x) = Σ_k v_k relu(w_k · x), L the mean over samples."""
    n = X.shape[0]
    Z = X @ W.T  # (n, l) pre-activations
    H = torch.relu(Z)
    f = H @ v  # (n,)
    if bce:
        sp = torch.nn.functional.softplus(f, threshold=1e9)  # log(1 + e^f)
        L = torch.mean(sp - y * f)
        g = (torch.sigmoid(f) - y) / n
    else:
        r = f - y
        L = 0.5 * torch.mean(r * r)
        g = r / n
    gv = H.T @ g
    S = torch.where(Z > 0.0, torch.outer(g, v), 0.0)  # relu'(0) = 0
    gW = S.T @ X
    return L, gW, gv


def main():
    args = parse_args(__doc__, threads=True)
    torch.set_num_threads(args.threads or torch.get_num_threads())
    tensor = lambda a: torch.tensor(a, dtype=torch.float64)
    W0, v0, X, y, bce, lr, _ = unpack(json.load(open(args.export)), tensor)

    with torch.inference_mode():
        W, v = W0.clone(), v0.clone()
        for _ in range(args.check_steps):
            _, gW, gv = loss_and_grad(W, v, X, y, bce)
            W -= lr * gW
            v -= lr * gv
        final = float(loss_and_grad(W, v, X, y, bce)[0])
        rel = abs(final - args.expect_loss) / abs(args.expect_loss)

        W, v = W0.clone(), v0.clone()

        def steps(k):
            for _ in range(k):
                _, gW, gv = loss_and_grad(W, v, X, y, bce)
                W.sub_(1e-6 * gW)
                v.sub_(1e-6 * gv)

        check = {"peer": "pytorch", "version": torch.__version__, "threads": torch.get_num_threads(),
                 "final_loss": final, "expected_loss": args.expect_loss, "relative_difference": rel}
        if not rel <= 1e-9:
            print(json.dumps(check), flush=True)
            sys.exit(f"pytorch: final loss {final!r} differs from the Rust core's {args.expect_loss!r}")
        if args.serve:
            # Inside inference_mode: the served windows run under the same mode as the check.
            serve(steps, check)
            return
        median, best = timed_windows(steps, args.seconds)
    print(json.dumps({**check, "steps_per_s": median, "steps_per_s_best": best}))


if __name__ == "__main__":
    main()
