//! The first screen's wasm: the library's browser boundary with only what the first screen uses
//! (the Fig. 3 view, the links, the chart text and the exports of its charts). Every export comes
//! from `relu_obstruction::web`; this crate only links it, without the feature `all-views`.
//!
//! The page (www/index.html) loads this module at start and the whole library's module when a view
//! other than Fig. 3 opens (www/cores.js).

extern crate relu_obstruction;
