//! TEMPORARY stand-in (branch vm-topology) for the lead's Fig. 3 handle: only what the topology
//! view needs, [`Fig3View::row_network`]. The lead's `Fig3View` replaces this file on merge.
//!
//! It holds the two Fig. 3 rows as [`Session`]s: built from the Fig. 3 link defaults
//! ([`Fig3View::new`]) or copied from the shell's live runs ([`Fig3View::from_runs`]).

use wasm_bindgen::prelude::*;

use super::Run;
use crate::app::link::View;
use crate::app::live_run::NetworkSummary;
use crate::app::session::{Session, SessionConfig};
use crate::app::view::Settings;

/// The two Fig. 3 rows (temporary, see the module header).
#[wasm_bindgen]
pub struct Fig3View {
    top: Session,
    bottom: Session,
}

#[wasm_bindgen]
impl Fig3View {
    /// Both rows at the Fig. 3 link defaults, at step 0.
    ///
    /// # Errors
    /// When a default run cannot be built.
    #[wasm_bindgen(constructor)]
    pub fn new() -> Result<Fig3View, JsError> {
        let s = Settings::defaults(View::Fig3);
        let row = |key: &str| {
            Session::new(&SessionConfig {
                preset: s.text(key).to_string(),
                seed: s.int("seed"),
                lr: Some(s.float("lr")),
                integrator: Some(s.text("int").to_string()),
            })
        };
        Ok(Fig3View {
            top: row("top")?,
            bottom: row("bottom")?,
        })
    }

    /// A copy of the shell's live runs as they are now.
    #[wasm_bindgen(js_name = fromRuns)]
    pub fn from_runs(top: &Run, bottom: &Run) -> Fig3View {
        Fig3View {
            top: top.session.clone(),
            bottom: bottom.session.clone(),
        }
    }
}

impl Fig3View {
    /// Row `row` (`top` or `bottom`) as the topology view shows it: its name, e.g. "Fig. 3 top run
    /// (fig3-obstructed-pp, step 12)", and its network.
    pub(crate) fn row_network(&self, row: &str) -> Option<(String, NetworkSummary)> {
        let session = match row {
            "top" => &self.top,
            "bottom" => &self.bottom,
            _ => return None,
        };
        let summary = session.run().network_summary();
        let name = format!(
            "Fig. 3 {row} run ({}, step {})",
            session.preset().name(),
            summary.step
        );
        Some((name, summary))
    }
}
