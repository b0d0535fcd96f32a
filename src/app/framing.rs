//! The cube a Fig. 3 panel shows: framed on what the neuron's run has visited, so that its motion
//! fills the panel instead of crawling a few pixels inside a fixed cube.
//!
//! # Conventions
//! - Points are (w₁, w₂, v); the cube is `centre ± extent` on every axis (equal scales, so the
//!   quadric keeps its true shape).
//! - Every finite point visited since step 0 lies inside the cube at all times: the frame is
//!   recomputed only when a point leaves its *inner* cube `centre ± extent / (1 + FRAME_MARGIN)`,
//!   and then around the bounding box of everything visited, with twice that margin. So the frame does
//!   not move while the run stays inside, and when it moves the extent never shrinks and takes the
//!   values of the ladder 1, 1.1, 1.25, 1.4, 1.6, 1.8, 2, 2.2, 2.5, 2.8, 3.2, 3.6, 4, 4.5, 5, 5.6,
//!   6.3, 7.1, 8, 9 × 10ᵏ only: the picture changes in a few steps, never jitters.
//! - The extent is at least [`frame_floor`] of c, so a run that barely moves is not blown up to
//!   a meaningless patch.
//! - A frame belongs to one run: a rebuilt run (Reset, a new setting) starts a new one at its
//!   start point. Nothing here allocates after construction (it is on the per-step path).

/// Relative room left around the visited points.
pub const FRAME_MARGIN: f64 = 0.06;
/// The smallest half-width of a frame for |c| ≤ 1 (see [`frame_floor`]).
pub const MIN_FRAME_EXTENT: f64 = 0.25;

/// The smallest half-width a panel of Q(c) is framed at: [`MIN_FRAME_EXTENT`]·max(1, √|c|).
pub fn frame_floor(c: f64) -> f64 {
    let scale = if c.is_finite() { c.abs().sqrt() } else { 1.0 };
    MIN_FRAME_EXTENT * scale.max(1.0)
}

/// The least value of the ladder of the module header that is ≥ `x` (for `x` > 0 and finite;
/// otherwise [`MIN_FRAME_EXTENT`]).
pub fn nice_ceil(x: f64) -> f64 {
    const LADDER: [f64; 20] = [
        1.0, 1.1, 1.25, 1.4, 1.6, 1.8, 2.0, 2.2, 2.5, 2.8, 3.2, 3.6, 4.0, 4.5, 5.0, 5.6, 6.3, 7.1,
        8.0, 9.0,
    ];
    if !(x.is_finite() && x > 0.0) {
        return MIN_FRAME_EXTENT;
    }
    // The decade k with 10^k ≤ x < 10^(k+1), by exact powers of ten rather than `log10`, whose
    // last bit may differ between the native and the wasm maths library.
    let mut k: i32 = 0;
    while k < 308 && pow10(k + 1) <= x {
        k += 1;
    }
    while k > -308 && pow10(k) > x {
        k -= 1;
    }
    // Dividing by a power of ten keeps 3.6 × 10⁻¹ the double nearest 0.36.
    let scaled = |m: f64| {
        if k >= 0 { m * pow10(k) } else { m / pow10(-k) }
    };
    LADDER
        .iter()
        .map(|&m| scaled(m))
        .find(|v| *v >= x * (1.0 - 1e-12))
        .unwrap_or_else(|| scaled(10.0))
}

/// 10^k for |k| ≤ 308 by repeated multiplication (exact up to 10²², and the same sequence of IEEE
/// operations on every target, unlike a maths library's `powi`).
fn pow10(k: i32) -> f64 {
    let mut p = 1.0;
    for _ in 0..k.unsigned_abs().min(308) {
        p *= 10.0;
    }
    if k < 0 { 1.0 / p } else { p }
}

/// The frame of one neuron's panel and the bounding box of the points it has visited.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Framing {
    lo: [f64; 3],
    hi: [f64; 3],
    centre: [f64; 3],
    extent: f64,
    floor: f64,
}

impl Framing {
    /// The frame of a run of a neuron with conserved quantity `c` starting at `start`. A
    /// non-finite start is framed at the origin until a finite point is visited.
    pub fn new(c: f64, start: [f64; 3]) -> Self {
        let floor = frame_floor(c);
        let finite = start.iter().all(|x| x.is_finite());
        let mut f = Self {
            lo: [f64::INFINITY; 3],
            hi: [f64::NEG_INFINITY; 3],
            centre: [0.0; 3],
            extent: nice_ceil(floor),
            floor,
        };
        if finite {
            f.lo = start;
            f.hi = start;
            f.centre = start;
        }
        f
    }

    /// Records a visited point (non-finite points are ignored) and moves the frame if the point
    /// left its inner cube (see the module header).
    pub fn visit(&mut self, p: [f64; 3]) {
        if !p.iter().all(|x| x.is_finite()) {
            return;
        }
        for i in 0..3 {
            self.lo[i] = self.lo[i].min(p[i]);
            self.hi[i] = self.hi[i].max(p[i]);
        }
        let inner = self.extent / (1.0 + FRAME_MARGIN);
        if (0..3).all(|i| (p[i] - self.centre[i]).abs() <= inner) {
            return;
        }
        let half = (0..3)
            .map(|i| 0.5 * (self.hi[i] - self.lo[i]))
            .fold(0.0, f64::max);
        // Twice the margin when moving, so that a run going on the same way has room again
        // before the next move.
        self.extent = self.extent.max(nice_ceil(
            (half * (1.0 + 2.0 * FRAME_MARGIN)).max(self.floor),
        ));
        self.centre = std::array::from_fn(|i| 0.5 * (self.lo[i] + self.hi[i]));
    }

    /// The centre (w₁, w₂, v) of the cube.
    pub fn centre(&self) -> [f64; 3] {
        self.centre
    }

    /// The half-width of the cube on every axis.
    pub fn extent(&self) -> f64 {
        self.extent
    }

    /// Whether `p` lies in the cube (with a relative slack for rounding).
    pub fn contains(&self, p: [f64; 3]) -> bool {
        let slack = 1e-9 * self.extent;
        (0..3).all(|i| (p[i] - self.centre[i]).abs() <= self.extent + slack)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ladder_rounds_up_to_nice_values() {
        assert_eq!(nice_ceil(0.33), 0.36);
        assert_eq!(nice_ceil(1.0), 1.0);
        assert_eq!(nice_ceil(1.01), 1.1);
        assert_eq!(nice_ceil(9.5), 10.0);
        assert_eq!(nice_ceil(f64::NAN), MIN_FRAME_EXTENT);
        assert_eq!(frame_floor(-4.0), 0.5);
        assert_eq!(frame_floor(0.0), MIN_FRAME_EXTENT);
    }

    /// A walk outwards along a spiral: every point stays framed, the extent never shrinks, and
    /// the frame moves far fewer times than there are steps.
    #[test]
    fn every_visited_point_stays_inside_and_the_frame_moves_rarely() {
        let path: Vec<[f64; 3]> = (0..2000)
            .map(|i| {
                let t = i as f64 / 1999.0;
                let r = 0.2 + 1.5 * t;
                [r * (3.0 * t).cos(), r * (3.0 * t).sin(), 1.0 + t]
            })
            .collect();
        let mut f = Framing::new(-1.0, path[0]);
        let mut moves = 0;
        let mut last = (f.centre(), f.extent());
        for (i, &p) in path.iter().enumerate() {
            f.visit(p);
            assert!(f.extent() >= last.1, "the extent shrank at step {i}");
            if (f.centre(), f.extent()) != last {
                moves += 1;
                last = (f.centre(), f.extent());
            }
            assert!(path[..=i].iter().all(|q| f.contains(*q)), "step {i}");
        }
        assert!(moves > 0 && moves < 60, "{moves} moves");
        // The frame ends around what was visited, not around the origin at a fixed size.
        assert!(
            f.extent() < 2.5 && f.extent() >= 1.5 * 0.5,
            "{}",
            f.extent()
        );
    }

    #[test]
    fn a_still_run_is_framed_at_the_floor_and_non_finite_points_are_ignored() {
        let mut f = Framing::new(-1.0, [0.1, 0.2, 1.1]);
        for _ in 0..10 {
            f.visit([0.1, 0.2, 1.1]);
        }
        f.visit([f64::NAN, 0.0, 0.0]);
        assert_eq!(f.extent(), nice_ceil(MIN_FRAME_EXTENT));
        assert_eq!(f.centre(), [0.1, 0.2, 1.1]);
        let mut g = Framing::new(1.0, [f64::INFINITY, 0.0, 0.0]);
        g.visit([3.0, 0.0, 0.0]);
        assert!(g.contains([3.0, 0.0, 0.0]));
    }
}
