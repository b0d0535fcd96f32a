//! The kernels for every shape: a forward pass in register blocks of neurons × samples, then a
//! backward pass that visits only the active units.
//!
//! - Forward: [`NEURONS`] neurons × 4 samples accumulated in registers over the input coordinates
//!   (then 2, then 1 neuron), reading the feature-major inputs, so each input value is loaded once
//!   per block of neurons and z is written once.
//! - Signals: one pass per neuron over its pre-activations gives ∂L/∂v_k and s_k(i), and lists
//!   the samples where the neuron is active (z_k(i) > 0), grouped by partial sum, with their s.
//!   The list is built without branches (every sample is written, the count advances only for
//!   the active ones), so the random pattern of ReLU's signs costs no mispredicted branches.
//! - Weight gradient: ∂L/∂w_k = Σ_i s_k(i) x(i) over the active samples only: for each partial
//!   sum, up to [`ROW_VECTORS`] vectors of x(i)'s row accumulated in registers. An inactive
//!   unit's term s·x is ±0, which leaves a partial sum that starts at +0 unchanged to the bit, so
//!   skipping it changes nothing but the time (about half the units are inactive).

use crate::lanes::F64x2;
use crate::{LANE_SUMS, Samples, Shape, lane_of, lane_total, loss_share, loss_term, relu};

/// Neurons processed together by the forward kernel (4 samples at a time).
const NEURONS: usize = 4;
/// Vectors of a sample's row (2 coordinates each) accumulated together by the weight gradient.
const ROW_VECTORS: usize = 16;

/// The buffers of the blocked kernels.
#[derive(Debug, Clone)]
pub(crate) struct Buffers {
    /// l × n pre-activations.
    z: Vec<f64>,
    /// e × n outputs, then ∂L/∂f.
    f: Vec<f64>,
    /// The weights of one block of neurons, coordinate-major (m entries).
    wt: Vec<[f64; NEURONS]>,
    /// The active samples of one neuron and their s, [`LANE_SUMS`] lists of `cap` entries.
    active: Vec<u32>,
    signal: Vec<f64>,
    cap: usize,
    /// One neuron's partial sums of ∂L/∂w_k: [`LANE_SUMS`] rows of `stride` values.
    partial: Vec<f64>,
    /// One neuron's partial sums of ∂L/∂v_ko, for e > 1.
    gv: Vec<[f64; LANE_SUMS]>,
}

impl Buffers {
    pub(crate) fn new(shape: &Shape, samples: &Samples) -> Self {
        let n = samples.n;
        let cap = n / 4 + 4;
        Self {
            z: vec![0.0; shape.l * n],
            f: vec![0.0; shape.e * n],
            wt: vec![[0.0; NEURONS]; shape.m],
            active: vec![0; LANE_SUMS * cap],
            signal: vec![0.0; LANE_SUMS * cap],
            cap,
            partial: vec![0.0; LANE_SUMS * samples.stride],
            gv: vec![[0.0; LANE_SUMS]; shape.e],
        }
    }
}

/// Forward pass: fills `buf.z` with pre-activations, `buf.f` with ∂L/∂f and returns L.
pub(crate) fn forward(shape: &Shape, params: &[f64], samples: &Samples, buf: &mut Buffers) -> f64 {
    let (n, e) = (samples.n, shape.e);
    let f = &mut buf.f[..e * n];
    if shape.output_bias {
        let bo = shape.output_bias_offset();
        for o in 0..e {
            f[o * n..(o + 1) * n].fill(params[bo + o]);
        }
    } else {
        f.fill(0.0);
    }
    let mut k = 0;
    while k + NEURONS <= shape.l {
        forward_neurons::<NEURONS>(shape, params, samples, k, &mut buf.z, f, &mut buf.wt);
        k += NEURONS;
    }
    if k + 2 <= shape.l {
        forward_neurons::<2>(shape, params, samples, k, &mut buf.z, f, &mut buf.wt);
        k += 2;
    }
    if k < shape.l {
        forward_neurons::<1>(shape, params, samples, k, &mut buf.z, f, &mut buf.wt);
    }
    // The loss terms, and ∂L/∂f written over f.
    let inv_n = 1.0 / n as f64;
    let mut sum = 0.0;
    for o in 0..e {
        let mut p = [0.0f64; LANE_SUMS];
        let fo = &mut f[o * n..(o + 1) * n];
        let yo = &samples.yt[o * n..(o + 1) * n];
        for (i, (fi, yi)) in fo.iter_mut().zip(yo).enumerate() {
            let (term, g) = loss_term(shape.bce, *fi, *yi, inv_n);
            p[lane_of(i, n)] += term;
            *fi = g;
        }
        sum += loss_share(shape.bce, lane_total(&p));
    }
    sum * inv_n
}

/// Pre-activations of neurons k0..k0 + NB, 4 samples at a time, and their terms of f.
fn forward_neurons<const NB: usize>(
    shape: &Shape,
    params: &[f64],
    samples: &Samples,
    k0: usize,
    z: &mut [f64],
    f: &mut [f64],
    wt: &mut [[f64; NEURONS]],
) {
    let (n, m, e) = (samples.n, shape.m, shape.e);
    let vo = shape.v_offset();
    // The block's weights, coordinate-major: wt[j][a] = w_{k0+a, j}.
    let wt = &mut wt[..m];
    for (j, wj) in wt.iter_mut().enumerate() {
        for a in 0..NB {
            wj[a] = params[(k0 + a) * m + j];
        }
    }
    let chunks = n / 4;
    for (c, panel) in samples.xp.chunks_exact(4 * m).take(chunks).enumerate() {
        let mut v = [[F64x2::zero(); 2]; NB];
        for (wj, x) in wt.iter().zip(panel.chunks_exact(4)) {
            let (x0, x1) = (F64x2::load(&[x[0], x[1]]), F64x2::load(&[x[2], x[3]]));
            for a in 0..NB {
                let w = F64x2::splat(wj[a]);
                v[a][0] = v[a][0].add_mul(w, x0);
                v[a][1] = v[a][1].add_mul(w, x1);
            }
        }
        let i0 = 4 * c;
        for a in 0..NB {
            let (lo, hi) = (v[a][0].lanes(), v[a][1].lanes());
            let k = k0 + a;
            z[k * n + i0..k * n + i0 + 4].copy_from_slice(&[lo[0], lo[1], hi[0], hi[1]]);
        }
        for o in 0..e {
            let fo = &mut f[o * n + i0..o * n + i0 + 4];
            let mut f0 = F64x2::load(&[fo[0], fo[1]]);
            let mut f1 = F64x2::load(&[fo[2], fo[3]]);
            for a in 0..NB {
                let vko = F64x2::splat(params[vo + (k0 + a) * e + o]);
                f0 = f0.add_mul(vko, v[a][0].relu());
                f1 = f1.add_mul(vko, v[a][1].relu());
            }
            let (lo, hi) = (f0.lanes(), f1.lanes());
            fo.copy_from_slice(&[lo[0], lo[1], hi[0], hi[1]]);
        }
    }
    for i in 4 * chunks..n {
        let x = samples.x(i);
        for a in 0..NB {
            let k = k0 + a;
            let mut acc = 0.0;
            for (wj, xj) in wt.iter().zip(x) {
                acc += wj[a] * xj;
            }
            z[k * n + i] = acc;
            for o in 0..e {
                f[o * n + i] += params[vo + k * e + o] * relu(acc);
            }
        }
    }
}

/// L(θ) and ∇L(θ): [`forward`], then the signals and the weight gradient of each neuron.
pub(crate) fn loss_and_gradient(
    shape: &Shape,
    params: &[f64],
    samples: &Samples,
    buf: &mut Buffers,
    grad: &mut [f64],
) -> f64 {
    let loss = forward(shape, params, samples, buf);
    let (n, m, e) = (samples.n, shape.m, shape.e);
    let vo = shape.v_offset();
    let Buffers {
        z,
        f,
        active,
        signal,
        cap,
        partial,
        gv: gv_e,
        ..
    } = buf;
    let (cap, g) = (*cap, &f[..e * n]);
    for k in 0..shape.l {
        let z = &z[k * n..(k + 1) * n];
        let vk = &params[vo + k * e..vo + (k + 1) * e];
        let mut count = [0usize; LANE_SUMS];
        if e == 1 {
            let mut gv = [0.0f64; LANE_SUMS];
            let v = vk[0];
            // The chunks of four (each t its own partial sum and list, held in registers), then
            // the tail; a slot is written for every sample, kept only when the unit is active.
            let full = n / 4 * 4;
            for (c, (zc, gc)) in z[..full]
                .chunks_exact(4)
                .zip(g[..full].chunks_exact(4))
                .enumerate()
            {
                for t in 0..4 {
                    gv[t] += gc[t] * relu(zc[t]);
                    let slot = t * cap + count[t];
                    active[slot] = (4 * c + t) as u32;
                    signal[slot] = v * gc[t];
                    count[t] += usize::from(zc[t] > 0.0);
                }
            }
            for i in full..n {
                gv[4] += g[i] * relu(z[i]);
                let slot = 4 * cap + count[4];
                active[slot] = i as u32;
                signal[slot] = v * g[i];
                count[4] += usize::from(z[i] > 0.0);
            }
            grad[vo + k] = lane_total(&gv);
        } else {
            let gv = &mut gv_e[..e];
            gv.fill([0.0; LANE_SUMS]);
            for (i, zi) in z.iter().enumerate() {
                let r = lane_of(i, n);
                let h = relu(*zi);
                let mut s = 0.0;
                for o in 0..e {
                    let go = g[o * n + i];
                    gv[o][r] += go * h;
                    s += vk[o] * go;
                }
                let slot = r * cap + count[r];
                active[slot] = i as u32;
                signal[slot] = s;
                count[r] += usize::from(*zi > 0.0);
            }
            for o in 0..e {
                grad[vo + k * e + o] = lane_total(&gv[o]);
            }
        }
        let lists = Lists {
            active,
            signal,
            cap,
            count,
        };
        weight_gradient(samples, &lists, partial, &mut grad[k * m..(k + 1) * m]);
    }
    if shape.output_bias {
        let bo = shape.output_bias_offset();
        for o in 0..e {
            let mut p = [0.0f64; LANE_SUMS];
            for (i, gi) in g[o * n..(o + 1) * n].iter().enumerate() {
                p[lane_of(i, n)] += gi;
            }
            grad[bo + o] = lane_total(&p);
        }
    }
    loss
}

/// The active samples of one neuron and their signals: `count[r]` entries from `r · cap` for
/// each partial sum r.
struct Lists<'a> {
    active: &'a [u32],
    signal: &'a [f64],
    cap: usize,
    count: [usize; LANE_SUMS],
}

/// ∂L/∂w_k from the active lists of one neuron, through `partial` ([`LANE_SUMS`] rows of the
/// samples' stride).
// Not inlined: one call per neuron costs nothing, and it stays apart in a profile.
#[inline(never)]
fn weight_gradient(samples: &Samples, lists: &Lists, partial: &mut [f64], out: &mut [f64]) {
    let stride = samples.stride;
    let vectors = stride / 2;
    for r in 0..LANE_SUMS {
        let range = r * lists.cap..r * lists.cap + lists.count[r];
        let (list, signal) = (&lists.active[range.clone()], &lists.signal[range]);
        let partial = &mut partial[r * stride..(r + 1) * stride];
        let mut v0 = 0;
        while v0 < vectors {
            let width = (vectors - v0).min(ROW_VECTORS);
            let dst = &mut partial[2 * v0..2 * (v0 + width)];
            match width {
                16 => accumulate::<16>(&samples.xr, stride, v0, list, signal, dst),
                15 => accumulate::<15>(&samples.xr, stride, v0, list, signal, dst),
                14 => accumulate::<14>(&samples.xr, stride, v0, list, signal, dst),
                13 => accumulate::<13>(&samples.xr, stride, v0, list, signal, dst),
                12 => accumulate::<12>(&samples.xr, stride, v0, list, signal, dst),
                11 => accumulate::<11>(&samples.xr, stride, v0, list, signal, dst),
                10 => accumulate::<10>(&samples.xr, stride, v0, list, signal, dst),
                9 => accumulate::<9>(&samples.xr, stride, v0, list, signal, dst),
                8 => accumulate::<8>(&samples.xr, stride, v0, list, signal, dst),
                7 => accumulate::<7>(&samples.xr, stride, v0, list, signal, dst),
                6 => accumulate::<6>(&samples.xr, stride, v0, list, signal, dst),
                5 => accumulate::<5>(&samples.xr, stride, v0, list, signal, dst),
                4 => accumulate::<4>(&samples.xr, stride, v0, list, signal, dst),
                3 => accumulate::<3>(&samples.xr, stride, v0, list, signal, dst),
                2 => accumulate::<2>(&samples.xr, stride, v0, list, signal, dst),
                _ => accumulate::<1>(&samples.xr, stride, v0, list, signal, dst),
            }
            v0 += width;
        }
    }
    for (j, out_j) in out.iter_mut().enumerate() {
        let p: [f64; LANE_SUMS] = std::array::from_fn(|r| partial[r * stride + j]);
        *out_j = lane_total(&p);
    }
}

/// Σ over the listed samples i (in order) of s(i) times vectors v0..v0 + W of x(i)'s row.
#[inline(always)]
fn accumulate<const W: usize>(
    xr: &[f64],
    stride: usize,
    v0: usize,
    list: &[u32],
    signal: &[f64],
    dst: &mut [f64],
) {
    let mut acc = [F64x2::zero(); W];
    for (&i, &s) in list.iter().zip(signal) {
        let start = i as usize * stride + 2 * v0;
        let row = &xr[start..start + 2 * W];
        let sv = F64x2::splat(s);
        for q in 0..W {
            acc[q] = acc[q].add_mul(sv, F64x2::load(&[row[2 * q], row[2 * q + 1]]));
        }
    }
    for q in 0..W {
        let [a, b] = acc[q].lanes();
        dst[2 * q] = a;
        dst[2 * q + 1] = b;
    }
}
