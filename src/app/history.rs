//! A bounded record of a growing series, decimated as it grows: the histories of every live run.
//!
//! When a history reaches its capacity, every other point is dropped and only every 2nd (then
//! 4th, …) later step is recorded, so a run of any length keeps O(capacity) memory. Step 0 and
//! the latest point are always kept, and every kept point carries its true step index, so charts
//! and exports place it at the right step.

/// Default number of points a history keeps before it thins itself.
pub const HISTORY_CAPACITY: usize = 4096;

/// A bounded record of a growing series x_0, x_1, x_2, … (element i is "step i"), decimated as it
/// grows.
///
/// It keeps the elements whose step is a multiple of the current *stride* (1 at first), plus the
/// latest element. When a new element would make it hold more than `capacity`, the stride doubles
/// and every kept element whose step is not a multiple of the new stride is dropped. So it always
/// holds at most `capacity` elements, step 0 and the latest step are always kept, the kept steps are
/// strictly increasing and evenly spaced (except the gap before the latest one), and each kept
/// element carries its true step ([`History::steps`]) so that a chart or an export places it right.
/// Memory is O(capacity) whatever the length of the run; pushing is amortized O(1).
#[derive(Debug, Clone, PartialEq)]
pub struct History<T> {
    steps: Vec<u64>,
    values: Vec<T>,
    capacity: usize,
    stride: u64,
    seen: u64,
}

impl<T: Copy> History<T> {
    /// An empty history keeping at most `capacity` elements (at least 2).
    pub fn new(capacity: usize) -> Self {
        Self {
            steps: Vec::new(),
            values: Vec::new(),
            capacity: capacity.max(2),
            stride: 1,
            seen: 0,
        }
    }

    /// Offers the next element of the series (step [`History::seen`]).
    pub fn push(&mut self, item: T) {
        let step = self.seen;
        self.seen += 1;
        // The previous latest element stays only if it lies on the stride grid.
        if self
            .steps
            .last()
            .is_some_and(|s| !s.is_multiple_of(self.stride))
        {
            self.steps.pop();
            self.values.pop();
        }
        if self.steps.len() >= self.capacity {
            self.stride = self.stride.saturating_mul(2);
            let stride = self.stride;
            let mut keep = 0;
            for i in 0..self.steps.len() {
                if self.steps[i].is_multiple_of(stride) {
                    self.steps[keep] = self.steps[i];
                    self.values[keep] = self.values[i];
                    keep += 1;
                }
            }
            self.steps.truncate(keep);
            self.values.truncate(keep);
        }
        self.steps.push(step);
        self.values.push(item);
    }

    /// Goes back to step `step` with value `item`: drops every kept element at or after `step` and
    /// records `item` as the latest one (used when a diverged run returns to an earlier state).
    /// Does nothing when `step` is beyond the latest step offered.
    pub fn rewind(&mut self, step: u64, item: T) {
        if step > self.seen {
            return;
        }
        let keep = self.steps.partition_point(|s| *s < step);
        self.steps.truncate(keep);
        self.values.truncate(keep);
        self.seen = step;
        self.push(item);
    }

    /// The kept elements, oldest first (the last one is the latest offered).
    pub fn values(&self) -> &[T] {
        &self.values
    }

    /// The step of each kept element: strictly increasing, starting at 0, ending at the latest step.
    pub fn steps(&self) -> &[u64] {
        &self.steps
    }

    /// The kept (step, element) pairs, oldest first.
    pub fn points(&self) -> impl Iterator<Item = (u64, T)> + '_ {
        self.steps.iter().copied().zip(self.values.iter().copied())
    }

    /// The latest element offered.
    pub fn latest(&self) -> Option<T> {
        self.values.last().copied()
    }

    /// The largest number of elements kept.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// How many elements were offered.
    pub fn seen(&self) -> u64 {
        self.seen
    }

    /// The current spacing between kept steps.
    pub fn stride(&self) -> u64 {
        self.stride
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn history_stays_bounded_and_evenly_spaced() {
        for n in [1u64, 2, 7, 8, 9, 16, 17, 100, 1000, 4097] {
            let mut h = History::new(8);
            for i in 0..n {
                h.push(i * 10);
                assert!(h.values().len() <= 8);
                // The values are the steps ×10 (an independent record of which step each one is).
                let pairs: Vec<(u64, u64)> = h.points().collect();
                assert!(pairs.iter().all(|(s, v)| *v == s * 10), "{pairs:?}");
                assert_eq!(h.steps()[0], 0);
                assert_eq!(*h.steps().last().unwrap(), i);
                assert!(h.steps().windows(2).all(|w| w[0] < w[1]));
            }
            assert_eq!(h.seen(), n);
            let s = h.stride();
            let steps = h.steps();
            // Evenly spaced on the stride grid, except the latest step.
            let grid = &steps[..steps.len() - 1];
            assert!(grid.iter().all(|i| i % s == 0));
            assert!(grid.windows(2).all(|w| w[1] - w[0] == s));
            // The grid reaches within one stride of the latest step.
            assert!(steps[steps.len() - 1] - grid.last().copied().unwrap_or(0) <= s);
        }
    }

    #[test]
    fn history_rewind_drops_later_points_and_keeps_the_given_one() {
        let mut h = History::new(8);
        for i in 0..100u64 {
            h.push(i);
        }
        h.rewind(57, 1000);
        assert_eq!(h.seen(), 58);
        assert_eq!(h.latest(), Some(1000));
        assert_eq!(*h.steps().last().unwrap(), 57);
        assert!(h.steps().windows(2).all(|w| w[0] < w[1]));
        h.rewind(500, 0);
        assert_eq!(h.seen(), 58, "a rewind forward is ignored");
    }
}
