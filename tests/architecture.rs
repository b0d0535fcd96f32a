//! House rules that keep the core pure and the steps allocation-free.

#![allow(clippy::unwrap_used, clippy::expect_used)]
// The counting allocator below is the only unsafe code of the repository, and it is test-only.
#![allow(unsafe_code)]

use relu_obstruction::core::train::{Integrator, Trainer};
use relu_obstruction::experiments::presets::Preset;
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

/// Counts allocations made by this test binary.
struct Counting;

static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

thread_local! {
    /// Only the measuring thread counts (the test harness runs other tests in parallel).
    static COUNTING: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

// SAFETY: forwards to the system allocator unchanged; only counts calls.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if COUNTING.with(std::cell::Cell::get) {
            ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        }
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

#[test]
fn training_steps_allocate_nothing() {
    for (preset, integrator) in [
        (Preset::Fig3GoodPM, Integrator::Gd),
        (Preset::Fig3ObstructedPP, Integrator::Flow),
        (Preset::Fig3GoodNonPathological, Integrator::Conserving),
        (Preset::parse("fig4").unwrap(), Integrator::Gd),
    ] {
        let ex = preset.build(0).unwrap();
        let mut t = Trainer::new(ex.net, &ex.train, ex.lr, integrator).unwrap();
        t.step().unwrap();
        let before = ALLOCATIONS.load(Ordering::Relaxed);
        COUNTING.with(|c| c.set(true));
        for _ in 0..50 {
            t.step().unwrap();
        }
        COUNTING.with(|c| c.set(false));
        let after = ALLOCATIONS.load(Ordering::Relaxed);
        assert_eq!(
            after - before,
            0,
            "{} with {}: allocations during 50 steps",
            preset.name(),
            integrator.name()
        );
    }
    // The counter works: a Vec allocates.
    COUNTING.with(|c| c.set(true));
    let v = std::hint::black_box(vec![1u8; 64]);
    COUNTING.with(|c| c.set(false));
    drop(v);
    assert!(ALLOCATIONS.load(Ordering::Relaxed) > 0);
}

#[test]
fn the_core_never_names_the_browser() {
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut checked = 0;
    let mut stack = vec![src.clone()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let rel = path
                .strip_prefix(&src)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            if rel.starts_with("web/")
                || rel == "lib.rs"
                || path.extension().is_none_or(|e| e != "rs")
            {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            for name in ["wasm_bindgen", "web_sys", "js_sys", "plotters_canvas"] {
                assert!(
                    !text.contains(name),
                    "src/{rel} names {name}: only src/web.rs may"
                );
            }
            checked += 1;
        }
    }
    assert!(checked >= 12, "only {checked} core files found");
}
