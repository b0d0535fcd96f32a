//! The lab's weights file: a researcher's own two-layer ReLU network, in the shapes of PyTorch's
//! `nn.Linear`.
//!
//! # Format
//! One JSON object:
//! `{"W": [[d numbers] × l rows], "v": [[l numbers] × e rows], "b": [l numbers], "b_out": [e numbers]}`
//! - `W` is `hidden.weight` (l × d): row k holds the input weights w_k of hidden neuron k.
//! - `v` is `out.weight` (e × l): column k holds the output weights v_k of neuron k, so
//!   v_k = (v[0][k], …, v[e−1][k]). Even for e = 1 it is a list of rows: `[[v_1, …, v_l]]`.
//! - `b` (optional) is `hidden.bias`: b_k is one more input coordinate (the crate's layout puts it
//!   last in w_k, `hidden_bias: true`), so it enters c_k = ‖w_k‖² + b_k² − ‖v_k‖².
//! - `b_out` (optional) is `out.bias`: it enters no conserved quantity (`output_bias: true`).
//! - `null` for `b` or `b_out` means absent (a layer built with `bias=False`). Any other key is
//!   refused, by name. The loss stays the default (½·MSE).
//! - Limits: the file at most [`MAX_WEIGHTS_BYTES`], d ≤ [`LAB_MAX_D`], l ≤ [`LAB_MAX_L`],
//!   e ≤ [`LAB_MAX_E`]. Every number finite, and every c_k too (weights near 1e154 overflow ‖w_k‖²).
//! - [`weights_json`] writes the same format with the shortest numbers that read back bit for bit
//!   (serde_json's `float_roundtrip`), one row per line.

use crate::core::error::InputError;
use crate::core::network::{Architecture, Network};
use serde::Deserialize;

/// Largest weights file the lab reads, in bytes (16 MB).
pub const MAX_WEIGHTS_BYTES: u64 = 16 * 1024 * 1024;
/// Largest input dimension d of a lab network (without the bias).
pub const LAB_MAX_D: usize = 1000;
/// Largest hidden width l of a lab network.
pub const LAB_MAX_L: usize = 256;
/// Largest output dimension e of a lab network.
pub const LAB_MAX_E: usize = 16;

/// `n thing` or `n things`.
pub(crate) fn count_of(n: usize, thing: &str) -> String {
    if n == 1 {
        format!("1 {thing}")
    } else {
        format!("{n} {thing}s")
    }
}

/// "60.0 MB" (MiB, as the limits are written); exact bytes when one decimal would hide the excess.
pub(crate) fn size_phrase(bytes: u64, limit: u64) -> String {
    let mb = bytes as f64 / (1024.0 * 1024.0);
    let shown = format!("{mb:.1} MB");
    if (mb * 10.0).round() / 10.0 <= limit as f64 / (1024.0 * 1024.0) {
        format!("{shown} ({bytes} bytes)")
    } else {
        shown
    }
}

/// Refuses a weights file larger than [`MAX_WEIGHTS_BYTES`]; call it before reading the file.
///
/// # Errors
/// [`InputError`] `too_large`, naming the size and the limit.
pub fn check_weights_size(bytes: u64) -> Result<(), InputError> {
    if bytes > MAX_WEIGHTS_BYTES {
        return Err(InputError::new(
            "too_large",
            format!(
                "The file is {}; weights files are read up to {} MB.",
                size_phrase(bytes, MAX_WEIGHTS_BYTES),
                MAX_WEIGHTS_BYTES / (1024 * 1024)
            ),
        ));
    }
    Ok(())
}

/// The file as serde reads it, before any shape check.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawWeights {
    #[serde(rename = "W")]
    w: Vec<Vec<f64>>,
    v: Vec<Vec<f64>>,
    #[serde(default)]
    b: Option<Vec<f64>>,
    #[serde(default)]
    b_out: Option<Vec<f64>>,
}

/// One step of a path into the JSON document.
#[derive(Debug, Clone, PartialEq)]
enum Seg {
    Key(String),
    Index(usize),
}

/// The path of containers open at byte `offset` of `text` (which serde_json read up to there, so
/// the prefix is well-formed JSON): the key of every object, the index of every array.
fn json_path_at(text: &str, offset: usize) -> Vec<Seg> {
    enum Frame {
        Object { key: Option<String>, value: bool },
        Array(usize),
    }
    let bytes = text.as_bytes();
    let end = offset.min(bytes.len());
    let mut stack: Vec<Frame> = Vec::new();
    let mut i = 0;
    while i < end {
        match bytes[i] {
            b'{' => stack.push(Frame::Object {
                key: None,
                value: false,
            }),
            b'[' => stack.push(Frame::Array(0)),
            b'}' | b']' => {
                stack.pop();
            }
            b',' => match stack.last_mut() {
                Some(Frame::Array(n)) => *n += 1,
                Some(Frame::Object { key, value }) => {
                    *key = None;
                    *value = false;
                }
                None => {}
            },
            b':' => {
                if let Some(Frame::Object { value, .. }) = stack.last_mut() {
                    *value = true;
                }
            }
            b'"' => {
                let start = i + 1;
                i += 1;
                while i < end && bytes[i] != b'"' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
                if let Some(Frame::Object { key, value: false }) = stack.last_mut() {
                    let raw = &bytes[start..i.min(end)];
                    let parsed: Option<String> =
                        serde_json::from_slice(&[b"\"", raw, b"\""].concat()).ok();
                    *key = Some(parsed.unwrap_or_else(|| String::from_utf8_lossy(raw).into()));
                }
            }
            _ => {}
        }
        i += 1;
    }
    stack
        .into_iter()
        .filter_map(|f| match f {
            Frame::Object { key, .. } => key.map(Seg::Key),
            Frame::Array(n) => Some(Seg::Index(n)),
        })
        .collect()
}

/// "W row 2, entry 5", "b entry 3", "v row 1", "W": where a path points, for messages.
fn path_phrase(path: &[Seg]) -> String {
    match path {
        [] => "The file".to_string(),
        [Seg::Key(k)] => k.clone(),
        [Seg::Key(k), Seg::Index(i)] if k == "b" || k == "b_out" => {
            format!("{k} entry {}", i + 1)
        }
        [Seg::Key(k), Seg::Index(i)] => format!("{k} row {}", i + 1),
        [Seg::Key(k), Seg::Index(i), Seg::Index(j), ..] => {
            format!("{k} row {}, entry {}", i + 1, j + 1)
        }
        [Seg::Key(k), ..] => k.clone(),
        [Seg::Index(_), ..] => "The file".to_string(),
    }
}

/// Byte offset of serde_json's (1-based line, column) position in `text`.
fn offset_of(text: &str, line: usize, column: usize) -> usize {
    let line_start = if line <= 1 {
        0
    } else {
        text.match_indices('\n')
            .nth(line - 2)
            .map_or(text.len(), |(i, _)| i + 1)
    };
    // serde_json counts the column in bytes; keep the offset on a character boundary.
    let mut offset = (line_start + column).min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// The word (letters, digits, `+-.`) that ends at or starts at byte `offset`.
fn token_near(text: &str, offset: usize) -> &str {
    let bytes = text.as_bytes();
    let is_tok = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.');
    let mut start = offset.min(bytes.len());
    while start > 0 && is_tok(bytes[start - 1]) {
        start -= 1;
    }
    let mut end = start;
    while end < bytes.len() && is_tok(bytes[end]) {
        end += 1;
    }
    &text[start..end]
}

/// The known keys and what they hold, for the unknown-key message.
const KEYS_HELP: &str = "the keys are W (hidden.weight, l × d), v (out.weight, e × l), \
                         b (hidden.bias, optional) and b_out (out.bias, optional)";

/// Turns a serde_json error into the lab's message, with the path it points at.
fn json_error(text: &str, err: &serde_json::Error) -> InputError {
    let (line, column) = (err.line(), err.column());
    let full = err.to_string();
    let suffix = format!(" at line {line} column {column}");
    let bare = full.strip_suffix(&suffix).unwrap_or(&full).to_string();
    let offset = offset_of(text, line, column);
    let path = json_path_at(text, offset);
    let place = path_phrase(&path);
    let at = format!("line {line}, column {column}");
    if bare.starts_with("number out of range") {
        let token = token_near(text, offset);
        return InputError::new(
            "not_finite",
            format!(
                "{place} is not finite: {token} is beyond the largest 64-bit float \
                 (about 1.8e308) ({at})."
            ),
        );
    }
    if bare.starts_with("unknown field") {
        let key = match path.last() {
            Some(Seg::Key(k)) => k.clone(),
            _ => bare
                .split('`')
                .nth(1)
                .map_or_else(String::new, str::to_string),
        };
        let hint = ["W", "v", "b", "b_out"]
            .iter()
            .find(|known| known.eq_ignore_ascii_case(&key))
            .map(|known| format!(" Keys are case-sensitive: did you mean \"{known}\"?"))
            .unwrap_or_default();
        return InputError::new(
            "unknown_key",
            format!("The weights file has an unknown key \"{key}\": {KEYS_HELP}.{hint}"),
        );
    }
    if let Some(rest) = bare.strip_prefix("missing field `") {
        let key = rest.split('`').next().unwrap_or_default();
        let what = if key == "W" {
            "W, the hidden layer's input weights (hidden.weight, l × d)"
        } else {
            "v, the output weights (out.weight, e × l)"
        };
        return InputError::new(
            "missing",
            format!("The weights file has no {what}; {KEYS_HELP}."),
        );
    }
    if let Some(rest) = bare.strip_prefix("duplicate field `") {
        let key = rest.split('`').next().unwrap_or_default();
        return InputError::new(
            "shape",
            format!("The key \"{key}\" appears twice in the weights file ({at})."),
        );
    }
    match err.classify() {
        serde_json::error::Category::Data => {
            let expected = match path.as_slice() {
                [] => "a JSON object with the keys W and v (and optionally b and b_out)",
                [Seg::Key(k)] if k == "b" || k == "b_out" => "a list of numbers",
                [Seg::Key(_)] => "a list of rows, each a list of numbers",
                [Seg::Key(k), Seg::Index(_)] if k == "b" || k == "b_out" => "a number",
                [Seg::Key(k), Seg::Index(_)] if k == "v" => {
                    "a row of numbers (v is e × l, a list of rows even for one output: [[v_1, …, v_l]])"
                }
                [Seg::Key(_), Seg::Index(_)] => "a row of numbers",
                _ => "a number",
            };
            let found = bare
                .strip_prefix("invalid type: ")
                .and_then(|r| r.split(", expected").next())
                .map(|f| format!(", found {f}"))
                .unwrap_or_else(|| format!(" ({bare})"));
            InputError::new(
                "shape",
                format!("{place} must be {expected}{found} ({at})."),
            )
        }
        _ => {
            let token = token_near(text, offset).to_ascii_lowercase();
            let token = token.trim_start_matches(['-', '+']);
            let hint = if token.starts_with("nan") || token.starts_with("inf") {
                " (NaN and Infinity are not JSON numbers)"
            } else {
                ""
            };
            InputError::new("not_json", format!("Not valid JSON at {at}{hint}: {bare}."))
        }
    }
}

/// Checks that every row of `rows` has `want` numbers (the first row's count when `want` is
/// `None`); returns the common length.
fn row_length(
    name: &str,
    rows: &[Vec<f64>],
    why: &str,
    want: Option<usize>,
) -> Result<usize, InputError> {
    let first = rows.first().map_or(0, Vec::len);
    let want = want.unwrap_or(first);
    for (i, row) in rows.iter().enumerate().skip(usize::from(want == first)) {
        if row.len() != want {
            return Err(InputError::new(
                "shape",
                format!(
                    "{name} row {} has {}; row 1 has {want} ({why}).",
                    i + 1,
                    count_of(row.len(), "number"),
                ),
            ));
        }
    }
    Ok(want)
}

/// Reads a weights file (see the module header) into a network.
///
/// # Errors
/// [`InputError`] with a message naming the problem: `empty` (nothing but whitespace),
/// `too_large` (the text above [`MAX_WEIGHTS_BYTES`], or a dimension above the lab's limits),
/// `not_json`, `unknown_key`, `missing` (no W or no v), `not_finite` (a number beyond the f64
/// range, or a c_k that overflows), `shape` (ragged rows, v or b of the wrong size, a value of the
/// wrong type, an empty layer).
pub fn parse_weights(text: &str) -> Result<Network, InputError> {
    check_weights_size(text.len() as u64)?;
    if text.trim().is_empty() {
        return Err(InputError::new("empty", "The weights file is empty."));
    }
    let raw: RawWeights = serde_json::from_str(text).map_err(|e| json_error(text, &e))?;
    let l = raw.w.len();
    if l == 0 {
        return Err(InputError::new(
            "shape",
            "W has no rows; a network needs at least one hidden neuron (W is l × d, hidden.weight).",
        ));
    }
    if l > LAB_MAX_L {
        return Err(InputError::new(
            "too_large",
            format!("W has {l} rows; the lab takes networks up to {LAB_MAX_L} hidden neurons."),
        ));
    }
    let d = row_length(
        "W",
        &raw.w,
        "every row of W holds the d input weights of one neuron",
        None,
    )?;
    if d == 0 {
        return Err(InputError::new(
            "shape",
            "The rows of W are empty; each must hold the d ≥ 1 input weights of one neuron.",
        ));
    }
    if d > LAB_MAX_D {
        return Err(InputError::new(
            "too_large",
            format!("W has {d} columns; the lab takes up to {LAB_MAX_D} inputs."),
        ));
    }
    let e = raw.v.len();
    if e == 0 {
        return Err(InputError::new(
            "shape",
            format!(
                "v has no rows; it must be e × l (out.weight), for one output [[v_1, …, v_{l}]]."
            ),
        ));
    }
    if e > LAB_MAX_E {
        return Err(InputError::new(
            "too_large",
            format!("v has {e} rows; the lab takes up to {LAB_MAX_E} outputs."),
        ));
    }
    let v_cols = raw.v[0].len();
    if v_cols != l {
        let transposed = if e == l && v_cols <= LAB_MAX_E {
            " It looks transposed (l × e): out.weight has one row per output, \
             [[v_1, …, v_l]] for a single output."
                .to_string()
        } else {
            String::new()
        };
        return Err(InputError::new(
            "shape",
            format!(
                "v has {} but W has {}: v must be e × l (out.weight).{transposed}",
                count_of(v_cols, "column"),
                count_of(l, "row"),
            ),
        ));
    }
    row_length(
        "v",
        &raw.v,
        "v is e × l: every row holds one output's weights from the l neurons",
        Some(l),
    )?;
    if let Some(b) = &raw.b
        && b.len() != l
    {
        return Err(InputError::new(
            "shape",
            format!(
                "b has {} but W has {}.",
                count_of(b.len(), "number"),
                count_of(l, "row")
            ),
        ));
    }
    if let Some(b_out) = &raw.b_out
        && b_out.len() != e
    {
        return Err(InputError::new(
            "shape",
            format!(
                "b_out has {} but v has {} (one output bias per output).",
                count_of(b_out.len(), "number"),
                count_of(e, "row")
            ),
        ));
    }
    let arch = Architecture {
        hidden_bias: raw.b.is_some(),
        output_bias: raw.b_out.is_some(),
        ..Architecture::new(d, l, e)
    };
    let mut params = Vec::with_capacity(arch.n_params());
    for (k, row) in raw.w.iter().enumerate() {
        params.extend_from_slice(row);
        if let Some(b) = &raw.b {
            params.push(b[k]);
        }
    }
    for k in 0..l {
        params.extend(raw.v.iter().map(|row| row[k]));
    }
    if let Some(b_out) = &raw.b_out {
        params.extend_from_slice(b_out);
    }
    let net = Network::from_params(arch, params).map_err(|e| {
        InputError::new("shape", format!("The weights do not form a network: {e}."))
    })?;
    let c = net.conserved_quantities();
    if let Some(k) = c.iter().position(|ck| !ck.is_finite()) {
        return Err(InputError::new(
            "not_finite",
            format!(
                "Neuron {}'s weights are too large: c_{} = ‖w_k‖²{} − ‖v_k‖² overflows the 64-bit \
                 float range.",
                k + 1,
                k + 1,
                if arch.hidden_bias { " + b_k²" } else { "" }
            ),
        ));
    }
    Ok(net)
}

/// `[x, y, …]` with numbers that read back bit for bit.
fn push_row(out: &mut String, row: impl Iterator<Item = f64>) {
    out.push('[');
    for (j, x) in row.enumerate() {
        if j > 0 {
            out.push_str(", ");
        }
        // serde_json writes the shortest decimal that reads back to the same f64; it never fails
        // on a finite number, and a network holds only finite numbers.
        out.push_str(&serde_json::to_string(&x).unwrap_or_else(|_| "null".into()));
    }
    out.push(']');
}

/// The network as a weights file (the module header's format): `b` only with a hidden bias,
/// `b_out` only with an output bias, one row of W (and of v) per line. Numbers are written so
/// that [`parse_weights`] reads back exactly the same network.
pub fn weights_json(net: &Network) -> String {
    let a = net.arch();
    let mut out = String::from("{\n  \"W\": [\n");
    for k in 0..a.l {
        out.push_str("    ");
        push_row(&mut out, net.w(k)[..a.d].iter().copied());
        out.push_str(if k + 1 < a.l { ",\n" } else { "\n" });
    }
    out.push_str("  ],\n  \"v\": [\n");
    for o in 0..a.e {
        out.push_str("    ");
        push_row(&mut out, (0..a.l).map(|k| net.v(k)[o]));
        out.push_str(if o + 1 < a.e { ",\n" } else { "\n" });
    }
    out.push_str("  ]");
    if a.hidden_bias {
        out.push_str(",\n  \"b\": ");
        push_row(&mut out, (0..a.l).map(|k| net.w(k)[a.d]));
    }
    if a.output_bias {
        out.push_str(",\n  \"b_out\": ");
        push_row(
            &mut out,
            net.params()[a.output_bias_offset()..].iter().copied(),
        );
    }
    out.push_str("\n}\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_follow_the_open_containers() {
        let text = r#"{"W": [[1, 2], [3, "#;
        assert_eq!(
            json_path_at(text, text.len()),
            vec![Seg::Key("W".into()), Seg::Index(1), Seg::Index(1)]
        );
        let text = r#"{"W": [[1]], "v": [[1]], "b": [0, "#;
        assert_eq!(path_phrase(&json_path_at(text, text.len())), "b entry 2");
        let text = r#"{"a\"b": [1, "#;
        assert_eq!(
            json_path_at(text, text.len()),
            vec![Seg::Key("a\"b".into()), Seg::Index(1)]
        );
    }

    #[test]
    fn sizes_are_named_with_the_limit() {
        let err = check_weights_size(60 * 1024 * 1024).unwrap_err();
        assert_eq!(
            err.message,
            "The file is 60.0 MB; weights files are read up to 16 MB."
        );
        let err = check_weights_size(MAX_WEIGHTS_BYTES + 1).unwrap_err();
        assert!(err.message.contains("16777217 bytes"), "{}", err.message);
        assert!(check_weights_size(MAX_WEIGHTS_BYTES).is_ok());
    }
}
