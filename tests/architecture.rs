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

/// Every `.rs` file under `src/`, as (path relative to `src/` with `/`, text).
fn sources() -> Vec<(String, String)> {
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut out = Vec::new();
    let mut stack = vec![src.clone()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let rel = path
                    .strip_prefix(&src)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/");
                out.push((rel, std::fs::read_to_string(&path).unwrap()));
            }
        }
    }
    out.sort();
    out
}

/// The text of `src` without comments (line and doc comments), so that a doc link to another
/// layer is not taken for a use of it.
fn code_of(src: &str) -> String {
    src.lines()
        .map(|l| match l.find("//") {
            Some(i) if !l[..i].contains('"') => &l[..i],
            _ => l,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn the_core_never_names_the_browser() {
    let mut checked = 0;
    for (rel, text) in sources() {
        if rel.starts_with("web/") || rel == "lib.rs" {
            continue;
        }
        for name in ["wasm_bindgen", "web_sys", "js_sys", "plotters_canvas"] {
            assert!(
                !code_of(&text).contains(name),
                "src/{rel} names {name}: only src/web/ may"
            );
        }
        checked += 1;
    }
    assert!(checked >= 30, "only {checked} files outside src/web found");
}

/// The layers of `../shared/architecture.md`: each folder may use only the layers listed. The
/// core's kernels (`src/kernels/`, the `relu-kernels` crate: a crate of its own so that the page
/// can build them for speed and the rest for size) sit below the core and use no layer. The first
/// screen's wasm (`src/first/`, the `relu-first-screen` crate) only links the library.
#[test]
fn every_layer_uses_only_the_layers_below_it() {
    let layers: [(&str, &[&str]); 8] = [
        ("kernels/", &[]),
        ("first/", &[]),
        ("core/", &["core"]),
        ("experiments/", &["core", "experiments"]),
        ("app/", &["core", "experiments", "app"]),
        ("present/", &["core", "experiments", "app", "present"]),
        ("web/", &["core", "experiments", "app", "present", "web"]),
        ("bin/", &["core", "experiments", "app", "present"]),
    ];
    let all = ["core", "experiments", "app", "present", "web"];
    let mut counted = std::collections::BTreeMap::new();
    for (rel, text) in sources() {
        let Some((prefix, allowed)) = layers.iter().find(|(p, _)| rel.starts_with(p)) else {
            assert!(rel == "lib.rs", "src/{rel} is outside the layers");
            continue;
        };
        let code = code_of(&text);
        for layer in all {
            let used = [
                format!("crate::{layer}::"),
                format!("relu_obstruction::{layer}::"),
            ]
            .iter()
            .any(|p| code.contains(p.as_str()));
            assert!(
                !used || allowed.contains(&layer),
                "src/{rel} ({prefix}) uses the {layer} layer, which it may not"
            );
        }
        // The charts and the app never draw into a browser surface, and the core has no I/O
        // beyond its embedded data.
        if *prefix == "core/" {
            for name in ["std::fs", "std::time", "std::net", "plotters"] {
                assert!(!code.contains(name), "src/{rel} (the core) uses {name}");
            }
        }
        if *prefix == "app/" {
            for name in ["plotters", "std::time"] {
                assert!(
                    !code.contains(name),
                    "src/{rel} (the app layer) uses {name}"
                );
            }
        }
        *counted.entry(*prefix).or_insert(0) += 1;
    }
    for (prefix, _) in layers {
        assert!(
            counted.get(prefix).copied().unwrap_or(0) >= 1,
            "no file in src/{prefix}"
        );
    }
}
