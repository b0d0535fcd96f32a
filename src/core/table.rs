//! The lab's data file: a researcher's own table of numbers as CSV.
//!
//! # Format
//! - Comma-separated, UTF-8, quoting as RFC 4180 (read by the `csv` crate); blank lines are
//!   skipped. Every row has the same number of columns: the features x_1, …, x_d, then the target
//!   y in the last column (so d = columns − 1, e = 1).
//! - Header: the first record is a header when none of its cells parses as a number; otherwise it
//!   is data, and a bad cell in it is an error like any other.
//! - A cell is trimmed of surrounding whitespace, then read by Rust's `f64::from_str`; anything
//!   non-finite (`NaN`, `inf`, `Infinity`, `1e999`) is refused by name, and so are empty cells and
//!   anything else (`0x10`, `1,5` inside quotes).
//! - Limits: [`MAX_CSV_BYTES`], [`MAX_CSV_ROWS`] data rows (reading stops at the first row past the
//!   limit), [`MAX_CSV_FEATURES`] feature columns plus y.
//! - Every error names the 1-based line of the file (counting the header) and, for a cell, the
//!   1-based column, and quotes the cell (shortened when long). Cell problems have the code
//!   `bad_cell`.

use crate::core::data::Dataset;
use crate::core::error::InputError;
use crate::core::weights::{count_of, size_phrase};

/// Largest CSV file the lab reads, in bytes (50 MB).
pub const MAX_CSV_BYTES: u64 = 50 * 1024 * 1024;
/// Largest number of data rows.
pub const MAX_CSV_ROWS: usize = 100_000;
/// Largest number of feature columns (the y column comes on top).
pub const MAX_CSV_FEATURES: usize = 1_000;

/// Refuses a CSV file larger than [`MAX_CSV_BYTES`]; call it before reading the file.
///
/// # Errors
/// [`InputError`] `too_large`, naming the size and the limit.
pub fn check_csv_size(bytes: u64) -> Result<(), InputError> {
    if bytes > MAX_CSV_BYTES {
        return Err(InputError::new(
            "too_large",
            format!(
                "The file is {}; CSV files are read up to {} MB.",
                size_phrase(bytes, MAX_CSV_BYTES),
                MAX_CSV_BYTES / (1024 * 1024)
            ),
        ));
    }
    Ok(())
}

/// The cell as it appears in a message: quoted, escaped, cut after 40 characters.
fn quoted(cell: &str) -> String {
    const MAX: usize = 40;
    if cell.chars().count() > MAX {
        let cut: String = cell.chars().take(MAX - 1).collect();
        format!("{:?}", format!("{cut}…"))
    } else {
        format!("{cell:?}")
    }
}

/// A cell's number, or the error naming its line and column.
fn number(cell: &[u8], line: u64, column: usize) -> Result<f64, InputError> {
    let text = std::str::from_utf8(cell.trim_ascii()).map_err(|_| {
        InputError::new(
            "not_utf8",
            format!("Line {line}, column {column} is not UTF-8 text."),
        )
    })?;
    if text.is_empty() {
        return Err(InputError::new(
            "bad_cell",
            format!("Line {line}, column {column} is empty."),
        ));
    }
    match text.parse::<f64>() {
        Ok(x) if x.is_finite() => Ok(x),
        Ok(_) => Err(InputError::new(
            "bad_cell",
            format!(
                "Line {line}, column {column}: {} is not a finite number.",
                quoted(text)
            ),
        )),
        Err(_) => Err(InputError::new(
            "bad_cell",
            format!(
                "Line {line}, column {column}: {} is not a number.",
                quoted(text)
            ),
        )),
    }
}

/// Line breaks in `bytes`: `\n`, `\r\n` and a lone `\r` (all end a CSV record).
fn line_breaks(bytes: &[u8]) -> u64 {
    let mut n = 0;
    for (i, b) in bytes.iter().enumerate() {
        if *b == b'\n' || (*b == b'\r' && bytes.get(i + 1) != Some(&b'\n')) {
            n += 1;
        }
    }
    n
}

/// Whether a cell reads as a number (finite or not), for the header rule.
fn parses(cell: &[u8]) -> bool {
    std::str::from_utf8(cell.trim_ascii()).is_ok_and(|t| t.parse::<f64>().is_ok())
}

/// Reads a CSV table (see the module header) into a data set with d = columns − 1 features and
/// the last column as the scalar target y.
///
/// # Errors
/// [`InputError`] naming the line (and column and cell): `too_large` (above [`MAX_CSV_BYTES`]),
/// `empty` (no data row), `not_utf8`, `bad_cell` (an empty, non-numeric or non-finite cell),
/// `ragged` (a row with another number of columns than the first), `too_many_rows` (more than
/// [`MAX_CSV_ROWS`] data rows), `too_many_columns` (more than [`MAX_CSV_FEATURES`] features),
/// `too_few_columns` (fewer than two columns).
pub fn parse_csv(bytes: &[u8]) -> Result<Dataset, InputError> {
    check_csv_size(bytes.len() as u64)?;
    if bytes.trim_ascii().is_empty() {
        return Err(InputError::new("empty", "The file is empty."));
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if let Err(e) = std::str::from_utf8(bytes) {
        let at = e.valid_up_to();
        let line = 1 + bytes[..at].iter().filter(|b| **b == b'\n').count();
        return Err(InputError::new(
            "not_utf8",
            format!(
                "The file is not UTF-8 text: line {line} has a byte that is not UTF-8 \
                 (save the table as UTF-8 CSV)."
            ),
        ));
    }
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
    let mut record = csv::ByteRecord::new();
    // (line, columns, is a header) of the first record.
    let mut first: Option<(u64, usize, bool)> = None;
    let mut x = Vec::new();
    let mut y = Vec::new();
    let mut rows = 0usize;
    let (mut line, mut counted_to) = (1u64, 0usize);
    loop {
        let more = reader.read_byte_record(&mut record).map_err(|e| {
            InputError::new("bad_cell", format!("The file cannot be read as CSV: {e}."))
        })?;
        if !more {
            break;
        }
        // The csv crate's own line count skips blank lines: count from the record's byte offset.
        // The offset may point at the blank lines skipped before the record.
        let mut start = record
            .position()
            .map_or(0, |p| p.byte() as usize)
            .min(bytes.len());
        while matches!(bytes.get(start), Some(b'\n' | b'\r')) {
            start += 1;
        }
        if start > counted_to {
            line += line_breaks(&bytes[counted_to..start]);
            counted_to = start;
        }
        if record.len() == 1 && record[0].trim_ascii().is_empty() {
            continue; // a blank line
        }
        let columns = record.len();
        let (first_line, width, has_header) = match first {
            Some(f) => f,
            None => {
                if columns < 2 {
                    return Err(InputError::new(
                        "too_few_columns",
                        format!(
                            "Line {line} has {}; the lab needs at least two: one or more \
                             features, then y in the last column.",
                            count_of(columns, "column")
                        ),
                    ));
                }
                if columns > MAX_CSV_FEATURES + 1 {
                    return Err(InputError::new(
                        "too_many_columns",
                        format!(
                            "Line {line} has {columns} columns; the lab reads up to \
                             {MAX_CSV_FEATURES} features plus y ({} columns).",
                            MAX_CSV_FEATURES + 1
                        ),
                    ));
                }
                let header = !record.iter().any(parses);
                first = Some((line, columns, header));
                x.reserve(columns.saturating_sub(1) * 1024);
                y.reserve(1024);
                if header {
                    continue;
                }
                (line, columns, false)
            }
        };
        if columns != width {
            return Err(InputError::new(
                "ragged",
                format!(
                    "Line {line} has {}; line {first_line}{} has {width} (every row needs the \
                     same columns).",
                    count_of(columns, "column"),
                    if has_header { " (the header)" } else { "" }
                ),
            ));
        }
        if rows == MAX_CSV_ROWS {
            return Err(InputError::new(
                "too_many_rows",
                format!(
                    "The file has more than {MAX_CSV_ROWS} data rows; the lab reads up to \
                     {MAX_CSV_ROWS}."
                ),
            ));
        }
        for (j, cell) in record.iter().enumerate() {
            let value = number(cell, line, j + 1)?;
            if j + 1 < width {
                x.push(value);
            } else {
                y.push(value);
            }
        }
        rows += 1;
    }
    let Some((_, width, _)) = first.filter(|_| rows > 0) else {
        return Err(InputError::new(
            "empty",
            "The file has no data rows (only a header or blank lines).",
        ));
    };
    Dataset::new(width - 1, 1, x, y)
        .map_err(|e| InputError::new("bad_cell", format!("The table is not a data set: {e}.")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_cells_are_cut_in_messages() {
        let cell = "x".repeat(100);
        let q = quoted(&cell);
        assert_eq!(q.chars().count(), 40 + 2);
        assert!(q.ends_with("…\""));
        assert_eq!(quoted("a\"b"), "\"a\\\"b\"");
    }

    #[test]
    fn header_rule_and_positions() {
        let d = parse_csv(b"a,b,y\n1,2,3\n\n4,5,6\n").unwrap();
        assert_eq!((d.n, d.d, d.e), (2, 2, 1));
        assert_eq!(d.x, vec![1.0, 2.0, 4.0, 5.0]);
        assert_eq!(d.y, vec![3.0, 6.0]);
        let err = parse_csv(b"a,b,y\n1,2,3\n\n4,,6\n").unwrap_err();
        assert_eq!(err.message, "Line 4, column 2 is empty.");
        let err = parse_csv(b"x1,2,3\n").unwrap_err();
        assert_eq!(err.message, "Line 1, column 1: \"x1\" is not a number.");
        let err = parse_csv(b"\r\n\na,y\r\n1,2\r\n\"3\n\",4\r\n\r\n5,x\r\n").unwrap_err();
        // A quoted cell spans lines 5 and 6 (and reads as 3 once trimmed).
        assert_eq!(err.message, "Line 8, column 2: \"x\" is not a number.");
        let err = parse_csv(b"a,y\r1,2\r\r5,x\r").unwrap_err();
        assert_eq!(err.message, "Line 4, column 2: \"x\" is not a number.");
    }
}
