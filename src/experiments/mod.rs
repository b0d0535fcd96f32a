//! The paper's experiments as configurations over the core: the named presets ([`presets`]) and
//! the Fig. 4 sweep as independent jobs ([`sweep`]). Uses only [`crate::core`].

pub mod presets;
pub mod sweep;
