//! The kernels for every shape: a forward pass in register blocks of neurons × samples that also
//! lists each neuron's active units, then a backward pass that visits only those.
//!
//! - Forward: [`NEURONS`] neurons × 4 samples accumulated in registers over the input coordinates
//!   (then 2, then 1 neuron), reading the packed panels, so each input value is loaded once per
//!   block of neurons and z is written once. From the same registers it lists, for each neuron and
//!   each partial sum, the samples where the neuron is active (z_k(i) > 0). The lists are built
//!   without branches (every sample is written, the count advances only for the active ones), so
//!   the random pattern of ReLU's signs costs no mispredicted branches.
//! - ∂L/∂v_k = Σ_i g(i) σ(z_k(i)) over every sample, two samples per vector (e = 1).
//! - Weight gradient: ∂L/∂w_k = Σ_i s_k(i) x(i) over the active samples only, s_k(i) = v_k g(i)
//!   formed as each row is read (e = 1) or read from a buffer (e > 1): for each partial sum, up
//!   to [`ROW_VECTORS`] vectors of x(i)'s row accumulated in registers. An inactive unit's term
//!   s·x is ±0, which leaves a partial sum that starts at +0 unchanged to the bit, so skipping it
//!   changes nothing but the time (about half the units are inactive).

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
    /// The active samples of each neuron: for neuron k and partial sum r, `count[k][r]` sample
    /// indices from `(k · LANE_SUMS + r) · cap`.
    active: Vec<u32>,
    count: Vec<[usize; LANE_SUMS]>,
    cap: usize,
    /// s_k(i) of one neuron for every sample (e > 1).
    signal: Vec<f64>,
    /// One neuron's partial sums of ∂L/∂w_k: [`LANE_SUMS`] rows of `stride` values.
    partial: Vec<f64>,
    /// One neuron's partial sums of ∂L/∂v_ko, for e > 1.
    gv: Vec<[f64; LANE_SUMS]>,
}

impl Buffers {
    pub(crate) fn new(shape: &Shape, samples: &Samples) -> Self {
        let n = samples.n;
        // A partial sum's list has one slot per sample of its lane (n / 4, or up to 3 for the
        // tail), plus the slot every sample writes before the count decides whether it stays.
        let cap = n / 4 + 4;
        Self {
            z: vec![0.0; shape.l * n],
            f: vec![0.0; shape.e * n],
            wt: vec![[0.0; NEURONS]; shape.m],
            active: vec![0; shape.l * LANE_SUMS * cap],
            count: vec![[0; LANE_SUMS]; shape.l],
            cap,
            signal: vec![0.0; if shape.e > 1 { n } else { 0 }],
            partial: vec![0.0; LANE_SUMS * samples.stride],
            gv: vec![[0.0; LANE_SUMS]; shape.e],
        }
    }
}

/// Where the forward pass lists the active units (when the gradient is wanted).
struct ListsMut<'a> {
    active: &'a mut [u32],
    count: &'a mut [[usize; LANE_SUMS]],
    cap: usize,
}

/// Forward pass: fills `buf.z` with pre-activations, `buf.f` with ∂L/∂f and returns L.
pub(crate) fn forward(shape: &Shape, params: &[f64], samples: &Samples, buf: &mut Buffers) -> f64 {
    forward_into(shape, params, samples, buf, false)
}

/// [`forward`], which also lists the active units in `buf` when `lists` is set.
fn forward_into(
    shape: &Shape,
    params: &[f64],
    samples: &Samples,
    buf: &mut Buffers,
    lists: bool,
) -> f64 {
    let (n, e) = (samples.n, shape.e);
    let Buffers {
        z,
        f,
        wt,
        active,
        count,
        cap,
        ..
    } = buf;
    let f = &mut f[..e * n];
    if shape.output_bias {
        let bo = shape.output_bias_offset();
        for o in 0..e {
            f[o * n..(o + 1) * n].fill(params[bo + o]);
        }
    } else {
        f.fill(0.0);
    }
    let mut lists = lists.then(|| ListsMut {
        active,
        count,
        cap: *cap,
    });
    let mut k = 0;
    while k + NEURONS <= shape.l {
        forward_neurons::<NEURONS>(shape, params, samples, k, z, f, wt, lists.as_mut());
        k += NEURONS;
    }
    if k + 2 <= shape.l {
        forward_neurons::<2>(shape, params, samples, k, z, f, wt, lists.as_mut());
        k += 2;
    }
    if k < shape.l {
        forward_neurons::<1>(shape, params, samples, k, z, f, wt, lists.as_mut());
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

/// Pre-activations of neurons k0..k0 + NB, 4 samples at a time, their terms of f and, with
/// `lists`, their lists of active units.
#[allow(clippy::too_many_arguments)]
fn forward_neurons<const NB: usize>(
    shape: &Shape,
    params: &[f64],
    samples: &Samples,
    k0: usize,
    z: &mut [f64],
    f: &mut [f64],
    wt: &mut [[f64; NEURONS]],
    mut lists: Option<&mut ListsMut>,
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
    if let Some(l) = lists.as_deref_mut() {
        l.count[k0..k0 + NB].fill([0; LANE_SUMS]);
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
        // Sample i0 + t of the chunk goes to list t of each neuron: every sample is written to
        // its list's next slot, and the count advances only when z > 0.
        if let Some(l) = lists.as_deref_mut() {
            for a in 0..NB {
                let k = k0 + a;
                let mask = v[a][0].positive_mask() | (v[a][1].positive_mask() << 2);
                let base = k * LANE_SUMS * l.cap;
                let count = &mut l.count[k];
                for t in 0..4 {
                    l.active[base + t * l.cap + count[t]] = (i0 + t) as u32;
                    count[t] += ((mask >> t) & 1) as usize;
                }
            }
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
            if let Some(l) = lists.as_deref_mut() {
                let count = &mut l.count[k][4];
                l.active[(k * LANE_SUMS + 4) * l.cap + *count] = i as u32;
                *count += usize::from(acc > 0.0);
            }
            for o in 0..e {
                f[o * n + i] += params[vo + k * e + o] * relu(acc);
            }
        }
    }
}

/// L(θ) and ∇L(θ): the forward pass with its lists, then ∂L/∂v and the weight gradient of each
/// neuron.
pub(crate) fn loss_and_gradient(
    shape: &Shape,
    params: &[f64],
    samples: &Samples,
    buf: &mut Buffers,
    grad: &mut [f64],
) -> f64 {
    let loss = forward_into(shape, params, samples, buf, true);
    let (n, m, e) = (samples.n, shape.m, shape.e);
    let vo = shape.v_offset();
    let Buffers {
        z,
        f,
        active,
        count,
        cap,
        signal,
        partial,
        gv: gv_e,
        ..
    } = buf;
    let (cap, g) = (*cap, &f[..e * n]);
    for k in 0..shape.l {
        let z = &z[k * n..(k + 1) * n];
        let vk = &params[vo + k * e..vo + (k + 1) * e];
        let lists = Lists {
            active: &active[k * LANE_SUMS * cap..(k + 1) * LANE_SUMS * cap],
            cap,
            count: count[k],
        };
        if e == 1 {
            // The chunks' lanes are (0, 1) and (2, 3): partial sums 0 to 3, then the tail.
            let mut lanes = [F64x2::zero(); 2];
            let full = n / 4 * 4;
            for (zc, gc) in z[..full].chunks_exact(4).zip(g[..full].chunks_exact(4)) {
                for h in 0..2 {
                    let zh = F64x2::load(&[zc[2 * h], zc[2 * h + 1]]);
                    let gh = F64x2::load(&[gc[2 * h], gc[2 * h + 1]]);
                    lanes[h] = lanes[h].add_mul(gh, zh.relu());
                }
            }
            let mut tail = 0.0;
            for i in full..n {
                tail += g[i] * relu(z[i]);
            }
            let (lo, hi) = (lanes[0].lanes(), lanes[1].lanes());
            grad[vo + k] = lane_total(&[lo[0], lo[1], hi[0], hi[1], tail]);
            let v = vk[0];
            weight_gradient(
                samples,
                &lists,
                |i| v * g[i],
                partial,
                &mut grad[k * m..(k + 1) * m],
            );
        } else {
            let gv = &mut gv_e[..e];
            gv.fill([0.0; LANE_SUMS]);
            for (i, (zi, si)) in z.iter().zip(signal.iter_mut()).enumerate() {
                let r = lane_of(i, n);
                let h = relu(*zi);
                let mut s = 0.0;
                for o in 0..e {
                    let go = g[o * n + i];
                    gv[o][r] += go * h;
                    s += vk[o] * go;
                }
                *si = s;
            }
            for o in 0..e {
                grad[vo + k * e + o] = lane_total(&gv[o]);
            }
            let signal = &signal[..];
            weight_gradient(
                samples,
                &lists,
                |i| signal[i],
                partial,
                &mut grad[k * m..(k + 1) * m],
            );
        }
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

/// The active samples of one neuron: `count[r]` entries from `r · cap` for each partial sum r.
struct Lists<'a> {
    active: &'a [u32],
    cap: usize,
    count: [usize; LANE_SUMS],
}

/// ∂L/∂w_k from the active lists of one neuron and its signal s(i), through `partial`
/// ([`LANE_SUMS`] rows of the samples' stride).
#[inline(never)]
fn weight_gradient(
    samples: &Samples,
    lists: &Lists,
    signal: impl Fn(usize) -> f64 + Copy,
    partial: &mut [f64],
    out: &mut [f64],
) {
    let stride = samples.stride;
    let vectors = stride / 2;
    for r in 0..LANE_SUMS {
        let list = &lists.active[r * lists.cap..r * lists.cap + lists.count[r]];
        let partial = &mut partial[r * stride..(r + 1) * stride];
        let mut v0 = 0;
        while v0 < vectors {
            let width = (vectors - v0).min(ROW_VECTORS);
            let dst = &mut partial[2 * v0..2 * (v0 + width)];
            let xr = &samples.xr;
            match width {
                16 => accumulate::<16>(xr, stride, v0, list, signal, dst),
                15 => accumulate::<15>(xr, stride, v0, list, signal, dst),
                14 => accumulate::<14>(xr, stride, v0, list, signal, dst),
                13 => accumulate::<13>(xr, stride, v0, list, signal, dst),
                12 => accumulate::<12>(xr, stride, v0, list, signal, dst),
                11 => accumulate::<11>(xr, stride, v0, list, signal, dst),
                10 => accumulate::<10>(xr, stride, v0, list, signal, dst),
                9 => accumulate::<9>(xr, stride, v0, list, signal, dst),
                8 => accumulate::<8>(xr, stride, v0, list, signal, dst),
                7 => accumulate::<7>(xr, stride, v0, list, signal, dst),
                6 => accumulate::<6>(xr, stride, v0, list, signal, dst),
                5 => accumulate::<5>(xr, stride, v0, list, signal, dst),
                4 => accumulate::<4>(xr, stride, v0, list, signal, dst),
                3 => accumulate::<3>(xr, stride, v0, list, signal, dst),
                2 => accumulate::<2>(xr, stride, v0, list, signal, dst),
                _ => accumulate::<1>(xr, stride, v0, list, signal, dst),
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
    signal: impl Fn(usize) -> f64,
    dst: &mut [f64],
) {
    let mut acc = [F64x2::zero(); W];
    for &i in list {
        let i = i as usize;
        let start = i * stride + 2 * v0;
        let row = &xr[start..start + 2 * W];
        let sv = F64x2::splat(signal(i));
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
