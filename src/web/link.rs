//! Browser boundary of the links ([`crate::app::link`]): parsing a fragment, writing the link of a
//! view's state, the schema (the limits the controls use) and the presets menu. No logic here.

use crate::app::link::{self, PRESETS, View};
use serde::Serialize;
use wasm_bindgen::prelude::*;

/// Serializes with maps as plain objects (the values of a link are read as `values.seed`) and an
/// absent optional value as `null` (the views test `=== null`).
fn to_js<T: Serialize>(value: &T) -> Result<JsValue, JsError> {
    let ser = serde_wasm_bindgen::Serializer::new()
        .serialize_large_number_types_as_bigints(false)
        .serialize_maps_as_objects(true)
        .serialize_missing_as_null(true);
    value
        .serialize(&ser)
        .map_err(|e| JsError::new(&e.to_string()))
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

/// The version-1 link (`#view?v=1&…`) of `view` in `state` (an object key → value as the view's
/// `getState()` returns it).
///
/// # Errors
/// A message naming each unknown key and each value outside its limits.
#[wasm_bindgen(js_name = formatLink)]
pub fn format_link(view: &str, state: JsValue) -> Result<String, JsError> {
    let view = View::parse(view).ok_or_else(|| JsError::new(&format!("unknown view {view:?}")))?;
    let map: serde_json::Map<String, serde_json::Value> = serde_wasm_bindgen::from_value(state)
        .map_err(|e| JsError::new(&format!("bad view state: {e}")))?;
    link::format_json(view, &map).map_err(|e| JsError::new(&e.to_string()))
}

/// The keys of every view with their kinds, limits and defaults: `{fig3: [{key, label, kind,
/// min, max, …, default}], …}`.
///
/// # Errors
/// Only if serialization fails.
#[wasm_bindgen(js_name = linkSchema)]
pub fn link_schema() -> Result<JsValue, JsError> {
    let map: std::collections::BTreeMap<&str, &[link::Param]> = View::ALL
        .iter()
        .map(|v| (v.name(), link::schema(*v)))
        .collect();
    to_js(&map)
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

/// Replay limits that depend on another key: `{fig3FlowReplay}` (the most steps a Fig. 3 link
/// replays with `int=flow`).
///
/// # Errors
/// Only if serialization fails.
#[wasm_bindgen(js_name = linkReplayLimits)]
pub fn link_replay_limits() -> Result<JsValue, JsError> {
    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Limits {
        fig3_flow_replay: u64,
    }
    to_js(&Limits {
        fig3_flow_replay: link::FIG3_MAX_FLOW_REPLAY,
    })
}
