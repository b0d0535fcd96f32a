//! Browser boundary of the links ([`crate::app::link`]): which view a fragment opens, the parsed
//! fragment (for the console and the tests) and the presets menu. Each view's handle applies a
//! link to its own model and writes its own link (see [`super::view`]). No logic here.

use crate::app::link::{self, PRESETS, View};
use serde::Serialize;
use wasm_bindgen::prelude::*;

use super::view::to_js;

/// The view a URL fragment opens (`fig3` for an unknown one, which its view then reports).
#[wasm_bindgen(js_name = linkView)]
pub fn link_view(fragment: &str) -> String {
    link::parse_link(fragment).view.name().to_string()
}

/// Parses a URL fragment: `{view, version, values, given, rejections: [{key, value, code,
/// message, …}]}`. Never throws on a bad link; every problem is a rejection.
///
/// # Errors
/// Only if serialization fails.
#[wasm_bindgen(js_name = parseLink)]
pub fn parse_link(fragment: &str) -> Result<JsValue, JsError> {
    to_js(&link::parse_link(fragment))
}

/// The presets named after the paper's figures: `[{id, label, view, link}]`.
///
/// # Errors
/// Only if serialization fails.
#[wasm_bindgen(js_name = linkPresets)]
pub fn link_presets() -> Result<JsValue, JsError> {
    #[derive(Serialize)]
    struct Entry {
        id: &'static str,
        label: &'static str,
        view: View,
        link: String,
    }
    let list: Vec<Entry> = PRESETS
        .iter()
        .map(|p| Entry {
            id: p.id,
            label: p.label,
            view: p.view,
            link: p.link(),
        })
        .collect();
    to_js(&list)
}
