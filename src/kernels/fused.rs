//! The kernel for e = 1 and a network small enough (L neurons, M input coordinates) to keep its
//! partial sums in registers: the Fig. 3 shape. Two samples per vector:
//! the lanes of a chunk of four samples are (0, 1) and (2, 3), exactly the crate's four
//! interleaved partial sums, so nothing is written per sample and nothing is reordered. The two
//! halves of the chunks (lanes (0, 1), then (2, 3)) are two passes over the samples, so that a
//! pass keeps only its own partial sums live: one pass over both halves, with twice as many live
//! beside the weights (more than V8's 16 vector registers), took 0.71 against 0.57 µs a
//! `fig3-good-pm` step in Chromium.

use crate::lanes::F64x2;
use crate::{LANE_SUMS, Samples, Shape, lane_total, loss_share, loss_term, relu};

/// Partial sums of one quantity: the two vectors of lanes (0, 1) and (2, 3), and the tail.
#[derive(Clone, Copy)]
struct Partial {
    lanes: [F64x2; 2],
    tail: f64,
}

impl Partial {
    fn zero() -> Self {
        Self {
            lanes: [F64x2::zero(); 2],
            tail: 0.0,
        }
    }

    fn total(&self) -> f64 {
        let (lo, hi) = (self.lanes[0].lanes(), self.lanes[1].lanes());
        let p: [f64; LANE_SUMS] = [lo[0], lo[1], hi[0], hi[1], self.tail];
        lane_total(&p)
    }
}

/// See the module header.
///
/// # Panics
/// If the shape is not (e = 1, l = L, m = M) or θ has the wrong length.
pub(crate) fn loss_and_gradient<const L: usize, const M: usize>(
    shape: &Shape,
    params: &[f64],
    samples: &Samples,
    grad: &mut [f64],
) -> f64 {
    let n = samples.n;
    assert!(shape.e == 1 && shape.l == L && shape.m == M);
    let vo = shape.v_offset();
    let w: [[f64; M]; L] = std::array::from_fn(|k| std::array::from_fn(|j| params[k * M + j]));
    let v: [f64; L] = std::array::from_fn(|k| params[vo + k]);
    let f0 = if shape.output_bias {
        params[shape.output_bias_offset()]
    } else {
        0.0
    };
    let bce = shape.bce;
    let inv_n = 1.0 / n as f64;
    let y = &samples.yt[..n];

    let mut loss = Partial::zero();
    let mut bias = Partial::zero();
    let mut gv = [Partial::zero(); L];
    let mut gw = [[Partial::zero(); M]; L];

    let chunks = n / 4;
    let wv: [[F64x2; M]; L] = std::array::from_fn(|k| w[k].map(F64x2::splat));
    let vv = v.map(F64x2::splat);
    // Two samples (one half of a chunk): inputs, then (loss term, g, σ(z_k), s_k).
    let inputs = |panel: &[f64], half: usize| -> [F64x2; M] {
        std::array::from_fn(|j| {
            F64x2::load(&[panel[4 * j + 2 * half], panel[4 * j + 2 * half + 1]])
        })
    };
    let terms = |x: &[F64x2; M], i: usize| {
        let mut z = [F64x2::zero(); L];
        let mut h = [F64x2::zero(); L];
        let mut f = F64x2::splat(f0);
        for k in 0..L {
            for j in 0..M {
                z[k] = z[k].add_mul(wv[k][j], x[j]);
            }
            h[k] = z[k].relu();
            f = f.add_mul(vv[k], h[k]);
        }
        let yv = F64x2::load(&[y[i], y[i + 1]]);
        let (term, g) = if bce {
            let (fl, yl) = (f.lanes(), yv.lanes());
            let (t0, g0) = loss_term(true, fl[0], yl[0], inv_n);
            let (t1, g1) = loss_term(true, fl[1], yl[1], inv_n);
            (F64x2::load(&[t0, t1]), F64x2::load(&[g0, g1]))
        } else {
            let r = f.sub(yv);
            (r.mul(r), r.mul(F64x2::splat(inv_n)))
        };
        let s: [F64x2; L] = std::array::from_fn(|k| z[k].where_positive(vv[k].mul(g)));
        (term, g, h, s)
    };
    // Each half of the chunks in a pass of its own, so that only its partial sums are live.
    for half in 0..2 {
        let (mut loss_h, mut bias_h) = (F64x2::zero(), F64x2::zero());
        let mut gv_h = [F64x2::zero(); L];
        let mut gw_h = [[F64x2::zero(); M]; L];
        let panels = samples.xp.chunks_exact(4 * M).take(chunks);
        for (c, panel) in panels.enumerate() {
            let x = inputs(panel, half);
            let (term, g, h, s) = terms(&x, 4 * c + 2 * half);
            loss_h = loss_h.add(term);
            bias_h = bias_h.add(g);
            for k in 0..L {
                gv_h[k] = gv_h[k].add_mul(g, h[k]);
                for j in 0..M {
                    gw_h[k][j] = gw_h[k][j].add_mul(s[k], x[j]);
                }
            }
        }
        loss.lanes[half] = loss_h;
        bias.lanes[half] = bias_h;
        for k in 0..L {
            gv[k].lanes[half] = gv_h[k];
            for j in 0..M {
                gw[k][j].lanes[half] = gw_h[k][j];
            }
        }
    }
    for i in 4 * chunks..n {
        let x = samples.x(i);
        let mut z = [0.0f64; L];
        let mut f = f0;
        for k in 0..L {
            for j in 0..M {
                z[k] += w[k][j] * x[j];
            }
            f += v[k] * relu(z[k]);
        }
        let (term, g) = loss_term(bce, f, y[i], inv_n);
        loss.tail += term;
        bias.tail += g;
        for k in 0..L {
            gv[k].tail += g * relu(z[k]);
            let s = if z[k] > 0.0 { v[k] * g } else { 0.0 };
            for j in 0..M {
                gw[k][j].tail += s * x[j];
            }
        }
    }
    for k in 0..L {
        for j in 0..M {
            grad[k * M + j] = gw[k][j].total();
        }
        grad[vo + k] = gv[k].total();
    }
    if shape.output_bias {
        grad[shape.output_bias_offset()] = bias.total();
    }
    // The reference's Σ_o from 0, of one output here.
    (0.0 + loss_share(bce, loss.total())) * inv_n
}
