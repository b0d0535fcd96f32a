//! What every view handle shares at the boundary: the one serializer for JavaScript, the result
//! record of `set`, and [`view_handle!`], which gives a handle over an [`crate::app::view`] model
//! the four calls the shell makes on every view (`schema`, `set`, `applyLink`, `linkState`).
//! Conversions only.

use serde::Serialize;
use wasm_bindgen::prelude::*;

use crate::app::link::Rejection;
use crate::app::view::Change;

/// Serializes for JavaScript: maps as plain objects, an absent value as `null`, 64- and 128-bit
/// integers as numbers.
///
/// # Errors
/// Only if serialization fails.
pub fn to_js<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, JsError> {
    let ser = serde_wasm_bindgen::Serializer::new()
        .serialize_large_number_types_as_bigints(false)
        .serialize_maps_as_objects(true)
        .serialize_missing_as_null(true);
    Ok(value.serialize(&ser)?)
}

/// What `set(key, text)` returns to JavaScript: `{ok: true, change}` or `{ok: false, rejection:
/// {key, code, message, …}}`. A refusal is a value, not an exception: only a crash throws.
#[derive(Serialize)]
pub struct SetResult {
    ok: bool,
    change: Option<Change>,
    rejection: Option<Rejection>,
}

impl From<Result<Change, Rejection>> for SetResult {
    fn from(r: Result<Change, Rejection>) -> Self {
        match r {
            Ok(change) => Self {
                ok: true,
                change: Some(change),
                rejection: None,
            },
            Err(rejection) => Self {
                ok: false,
                change: None,
                rejection: Some(rejection),
            },
        }
    }
}

/// The shell's four calls on a view handle `$handle` whose view model is its field `model`:
/// `schema()` (every control), `set(key, text)` ([`SetResult`]), `applyLink(fragment)` (the
/// refused pieces) and `linkState()` (`{link, note}`).
macro_rules! view_handle {
    ($handle:ident) => {
        #[wasm_bindgen]
        impl $handle {
            /// Every control of the view: `[{key, label, kind, value, checked, options, hint,
            /// range}]`.
            ///
            /// # Errors
            /// Only if serialization fails.
            pub fn schema(&self) -> Result<JsValue, JsError> {
                $crate::web::view::to_js(&$crate::app::view::controls(&self.model))
            }

            /// Parses and applies the raw text of control `key`: `{ok, change, rejection}`.
            ///
            /// # Errors
            /// Only if serialization fails.
            pub fn set(&mut self, key: &str, text: &str) -> Result<JsValue, JsError> {
                let result = $crate::app::view::set(&mut self.model, key, text);
                $crate::web::view::to_js(&$crate::web::view::SetResult::from(result))
            }

            /// Applies a link to the model: the refused pieces `[{key, value, code, message}]`.
            ///
            /// # Errors
            /// Only if serialization fails.
            #[wasm_bindgen(js_name = applyLink)]
            pub fn apply_link(&mut self, fragment: &str) -> Result<JsValue, JsError> {
                $crate::web::view::to_js(&$crate::app::view::open_link(&mut self.model, fragment))
            }

            /// The link of the current state: `{link, note}`.
            ///
            /// # Errors
            /// Only if serialization fails.
            #[wasm_bindgen(js_name = linkState)]
            pub fn link_state(&self) -> Result<JsValue, JsError> {
                $crate::web::view::to_js(&$crate::app::view::link_state(&self.model))
            }
        }
    };
}

pub(crate) use view_handle;
