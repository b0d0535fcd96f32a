//! Two f64 lanes: wasm SIMD (`simd128`, enabled for wasm32 in `.cargo/config.toml`) in the
//! browser, a pair of scalars elsewhere (which x86-64 compiles to SSE2). Every operation is
//! lane-wise and rounded once, as its scalar counterpart (no fused multiply-add), so a kernel
//! written with it gives the same bits on every platform as the scalar loop it replaces.

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod imp {
    use core::arch::wasm32::{
        f64x2, f64x2_add, f64x2_extract_lane, f64x2_gt, f64x2_mul, f64x2_pmax, f64x2_splat,
        f64x2_sub, i64x2_bitmask, v128, v128_and,
    };

    /// Two f64 lanes in one v128.
    #[derive(Clone, Copy)]
    pub struct F64x2(v128);

    impl F64x2 {
        /// (0, 0).
        #[inline(always)]
        pub fn zero() -> Self {
            Self(f64x2_splat(0.0))
        }
        /// (x, x).
        #[inline(always)]
        pub fn splat(x: f64) -> Self {
            Self(f64x2_splat(x))
        }
        /// (x[0], x[1]) (LLVM emits one `v128.load`).
        #[inline(always)]
        pub fn load(x: &[f64; 2]) -> Self {
            Self(f64x2(x[0], x[1]))
        }
        /// self + a · b, two roundings per lane.
        #[inline(always)]
        pub fn add_mul(self, a: Self, b: Self) -> Self {
            Self(f64x2_add(self.0, f64x2_mul(a.0, b.0)))
        }
        /// self + a.
        #[inline(always)]
        pub fn add(self, a: Self) -> Self {
            Self(f64x2_add(self.0, a.0))
        }
        /// self − a.
        #[inline(always)]
        pub fn sub(self, a: Self) -> Self {
            Self(f64x2_sub(self.0, a.0))
        }
        /// self · a.
        #[inline(always)]
        pub fn mul(self, a: Self) -> Self {
            Self(f64x2_mul(self.0, a.0))
        }
        /// [`crate::relu`] per lane: `pmax(0, z)` is `if 0 < z { z } else { 0 }`.
        #[inline(always)]
        pub fn relu(self) -> Self {
            Self(f64x2_pmax(f64x2_splat(0.0), self.0))
        }
        /// Per lane: `a` where `self > 0`, else +0.
        #[inline(always)]
        pub fn where_positive(self, a: Self) -> Self {
            Self(v128_and(f64x2_gt(self.0, f64x2_splat(0.0)), a.0))
        }
        /// Bit q set where lane q is > 0 (NaN is not).
        #[inline(always)]
        pub fn positive_mask(self) -> u32 {
            u32::from(i64x2_bitmask(f64x2_gt(self.0, f64x2_splat(0.0))))
        }
        /// The two lanes.
        #[inline(always)]
        pub fn lanes(self) -> [f64; 2] {
            [
                f64x2_extract_lane::<0>(self.0),
                f64x2_extract_lane::<1>(self.0),
            ]
        }
    }
}

#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
mod imp {
    /// Two f64 lanes as a pair of scalars.
    #[derive(Clone, Copy)]
    pub struct F64x2([f64; 2]);

    impl F64x2 {
        /// (0, 0).
        #[inline(always)]
        pub fn zero() -> Self {
            Self([0.0; 2])
        }
        /// (x, x).
        #[inline(always)]
        pub fn splat(x: f64) -> Self {
            Self([x; 2])
        }
        /// (x[0], x[1]).
        #[inline(always)]
        pub fn load(x: &[f64; 2]) -> Self {
            Self(*x)
        }
        /// self + a · b, two roundings per lane.
        #[inline(always)]
        pub fn add_mul(self, a: Self, b: Self) -> Self {
            Self([self.0[0] + a.0[0] * b.0[0], self.0[1] + a.0[1] * b.0[1]])
        }
        /// self + a.
        #[inline(always)]
        pub fn add(self, a: Self) -> Self {
            Self([self.0[0] + a.0[0], self.0[1] + a.0[1]])
        }
        /// self − a.
        #[inline(always)]
        pub fn sub(self, a: Self) -> Self {
            Self([self.0[0] - a.0[0], self.0[1] - a.0[1]])
        }
        /// self · a.
        #[inline(always)]
        pub fn mul(self, a: Self) -> Self {
            Self([self.0[0] * a.0[0], self.0[1] * a.0[1]])
        }
        /// [`crate::relu`] per lane.
        #[inline(always)]
        pub fn relu(self) -> Self {
            Self(self.0.map(crate::relu))
        }
        /// Per lane: `a` where `self > 0`, else +0.
        #[inline(always)]
        pub fn where_positive(self, a: Self) -> Self {
            let pick = |z: f64, a: f64| if z > 0.0 { a } else { 0.0 };
            Self([pick(self.0[0], a.0[0]), pick(self.0[1], a.0[1])])
        }
        /// Bit q set where lane q is > 0 (NaN is not).
        #[inline(always)]
        pub fn positive_mask(self) -> u32 {
            u32::from(self.0[0] > 0.0) | (u32::from(self.0[1] > 0.0) << 1)
        }
        /// The two lanes.
        #[inline(always)]
        pub fn lanes(self) -> [f64; 2] {
            self.0
        }
    }
}

pub use imp::F64x2;
