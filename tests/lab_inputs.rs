//! The lab's inputs: weights files (`core::weights`) and CSV tables (`core::table`). Every error
//! code from a hand-written bad file, exact read-back of valid files, and proptest fuzzing
//! (arbitrary bytes never panic; generated valid matrices round-trip exactly).

#![cfg(not(target_arch = "wasm32"))]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use proptest::prelude::*;
use relu_obstruction::core::error::InputError;
use relu_obstruction::core::network::{Architecture, Network};
use relu_obstruction::core::table::{MAX_CSV_BYTES, MAX_CSV_ROWS, check_csv_size, parse_csv};
use relu_obstruction::core::weights::{
    LAB_MAX_L, MAX_WEIGHTS_BYTES, check_weights_size, parse_weights, weights_json,
};

fn weights_err(text: &str) -> InputError {
    match parse_weights(text) {
        Ok(net) => panic!("accepted {text:?} as {net:?}"),
        Err(e) => e,
    }
}

fn csv_err(bytes: &[u8]) -> InputError {
    match parse_csv(bytes) {
        Ok(d) => panic!("accepted {:?} as {d:?}", String::from_utf8_lossy(bytes)),
        Err(e) => e,
    }
}

// ---------------------------------------------------------------------------------------------
// Weights files

#[test]
fn a_pytorch_shaped_file_reads_into_the_crate_layout() {
    // l = 3 neurons, d = 2 inputs, e = 2 outputs, both biases.
    let text = r#"{"W": [[1, 2], [3, 4], [5, 6]],
                   "v": [[0.1, 0.2, 0.3], [-1, -2, -3]],
                   "b": [7, 8, 9], "b_out": [0.5, -0.5]}"#;
    let net = parse_weights(text).unwrap();
    let a = net.arch();
    assert_eq!(
        (a.d, a.l, a.e, a.hidden_bias, a.output_bias),
        (2, 3, 2, true, true)
    );
    // w_k = (W[k], b_k); v_k = column k of v.
    assert_eq!(net.w(1), &[3.0, 4.0, 8.0]);
    assert_eq!(net.v(2), &[0.3, -3.0]);
    // c_2 = 3² + 4² + 8² − (0.2² + 2²), by hand.
    let c = net.conserved_quantities();
    assert_eq!(c[1], 9.0 + 16.0 + 64.0 - (0.2 * 0.2 + 4.0));
    // The output bias enters f, not c: f(x) at x = (1, 0) by hand.
    let f = net.predict(&[1.0, 0.0]);
    let h = [1.0 + 7.0, 3.0 + 8.0, 5.0 + 9.0];
    assert_eq!(f[0], 0.5 + 0.1 * h[0] + 0.2 * h[1] + 0.3 * h[2]);
    assert_eq!(f[1], -0.5 - h[0] - 2.0 * h[1] - 3.0 * h[2]);
    // Without biases: null or absent.
    let net = parse_weights(r#"{"W": [[1]], "v": [[2]], "b": null}"#).unwrap();
    assert!(!net.arch().hidden_bias && !net.arch().output_bias);
    assert_eq!(net.params(), &[1.0, 2.0]);
}

#[test]
fn weights_round_trip_bit_for_bit() {
    let arch = Architecture {
        hidden_bias: true,
        output_bias: true,
        ..Architecture::new(3, 2, 2)
    };
    let params = vec![
        0.1,
        -0.0,
        1e-300,
        f64::MIN_POSITIVE,
        1.0 / 3.0,
        -2.5e10,
        f64::MAX / 1e160,
        5e-324,
        -1.0,
        std::f64::consts::PI,
        0.2,
        0.30000000000000004,
        -7.0,
        1e21,
    ];
    let net = Network::from_params(arch, params.clone()).unwrap();
    let text = weights_json(&net);
    let back = parse_weights(&text).unwrap();
    assert_eq!(back.arch(), net.arch());
    let bits = |p: &[f64]| p.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
    assert_eq!(bits(back.params()), bits(&params));
    // A valid JSON document, one row of W per line, and no b when there is no bias.
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["W"].as_array().unwrap().len(), 2);
    let plain = Network::from_params(Architecture::new(1, 2, 1), vec![1.0, 2.0, 3.0, 4.0]).unwrap();
    let text = weights_json(&plain);
    assert!(!text.contains("\"b\"") && !text.contains("b_out"), "{text}");
    assert_eq!(
        text.lines().filter(|l| l.trim().starts_with('[')).count(),
        3
    );
    assert_eq!(parse_weights(&text).unwrap(), plain);
}

#[test]
fn each_weights_error_names_its_problem() {
    let cases: [(&str, &str, &str); 16] = [
        ("", "empty", "The weights file is empty."),
        (" \n\t ", "empty", "The weights file is empty."),
        (
            r#"{"W": [[1, 2, 3], [4, 5, 6], [7, 8]], "v": [[1, 1, 1]]}"#,
            "shape",
            "W row 3 has 2 numbers; row 1 has 3 (every row of W holds the d input weights of one neuron).",
        ),
        (
            r#"{"W": [[1], [2], [3], [4]], "v": [[1, 2, 3, 4, 5]]}"#,
            "shape",
            "v has 5 columns but W has 4 rows: v must be e × l (out.weight).",
        ),
        (
            r#"{"W": [[1], [2], [3], [4]], "v": [[1, 2, 3, 4]], "b": [0, 0, 0]}"#,
            "shape",
            "b has 3 numbers but W has 4 rows.",
        ),
        (
            r#"{"W": [[1], [2]], "v": [[1, 2]], "b_out": [0, 0]}"#,
            "shape",
            "b_out has 2 numbers but v has 1 row (one output bias per output).",
        ),
        (
            r#"{"W": [[1]], "v": [[1]], "bias": [0]}"#,
            "unknown_key",
            "The weights file has an unknown key \"bias\"",
        ),
        (
            r#"{"W": [[1]], "V": [[1]]}"#,
            "unknown_key",
            "did you mean \"v\"?",
        ),
        (
            r#"{"W": NaN, "v": [[1]]}"#,
            "not_json",
            "Not valid JSON at line 1, column 7 (NaN and Infinity are not JSON numbers): expected value.",
        ),
        (
            "{\"W\": [[1, 2, 3, 4, 5],\n [1, 2, 3, 4, 1e400]], \"v\": [[1, 1]]}",
            "not_finite",
            "W row 2, entry 5 is not finite: 1e400 is beyond the largest 64-bit float",
        ),
        (
            r#"{"W": [[1]], "v": [[1]], "b": [-1e999]}"#,
            "not_finite",
            "b entry 1 is not finite: -1e999",
        ),
        (
            "W = [[1]]",
            "not_json",
            "Not valid JSON at line 1, column 1: expected value.",
        ),
        (r#"{"v": [[1]]}"#, "missing", "The weights file has no W"),
        (
            r#"{"W": [[1, "a"]], "v": [[1]]}"#,
            "shape",
            "W row 1, entry 2 must be a number, found string \"a\"",
        ),
        (
            r#"{"W": [[1], [2]], "v": [1, 2]}"#,
            "shape",
            "v row 1 must be a row of numbers (v is e × l, a list of rows even for one output",
        ),
        (
            r#"{"W": [[1e200]], "v": [[1]]}"#,
            "not_finite",
            "Neuron 1's weights are too large",
        ),
    ];
    for (text, code, message) in cases {
        let err = weights_err(text);
        assert_eq!(err.code, code, "{text}: {}", err.message);
        assert!(
            err.message.starts_with(message) || err.message.contains(message),
            "{text}:\n  got  {}\n  want {message}",
            err.message
        );
        assert!(err.message.ends_with(['.', '?']), "{}", err.message);
    }
}

#[test]
fn weights_limits_are_named() {
    let rows = vec!["[1]"; LAB_MAX_L + 44].join(",");
    let v = vec!["1"; LAB_MAX_L + 44].join(",");
    let err = weights_err(&format!(r#"{{"W": [{rows}], "v": [[{v}]]}}"#));
    assert_eq!(err.code, "too_large");
    assert_eq!(
        err.message,
        "W has 300 rows; the lab takes networks up to 256 hidden neurons."
    );
    let wide = vec!["0.5"; 1001].join(",");
    let err = weights_err(&format!(r#"{{"W": [[{wide}]], "v": [[1]]}}"#));
    assert_eq!(err.code, "too_large");
    assert!(err.message.contains("1001 columns"), "{}", err.message);
    let tall = vec!["[1]"; 17].join(",");
    let err = weights_err(&format!(r#"{{"W": [[1]], "v": [{tall}]}}"#));
    assert_eq!(err.code, "too_large");
    assert!(err.message.contains("17 rows"), "{}", err.message);
    // The exact limits are accepted.
    let rows = vec!["[1]"; LAB_MAX_L].join(",");
    let v = vec!["1"; LAB_MAX_L].join(",");
    assert!(parse_weights(&format!(r#"{{"W": [{rows}], "v": [[{v}]]}}"#)).is_ok());
    // The size check, before and at reading.
    let err = check_weights_size(60 * 1024 * 1024).unwrap_err();
    assert_eq!(
        (err.code, err.message.as_str()),
        (
            "too_large",
            "The file is 60.0 MB; weights files are read up to 16 MB."
        )
    );
    assert!(check_weights_size(MAX_WEIGHTS_BYTES).is_ok());
    let big = " ".repeat(MAX_WEIGHTS_BYTES as usize + 1);
    assert_eq!(weights_err(&big).code, "too_large");
}

// ---------------------------------------------------------------------------------------------
// CSV tables

#[test]
fn csv_with_and_without_header_reads_back_exactly() {
    let body = "0.1,-2.5e-3,1\n1e300,  7 ,0\n-0,5e-324,-1.25\n";
    for text in [body.to_string(), format!("x1, x2 ,label\n{body}")] {
        let d = parse_csv(text.as_bytes()).unwrap();
        assert_eq!((d.n, d.d, d.e), (3, 2, 1));
        let want_x: [f64; 6] = [0.1, -2.5e-3, 1e300, 7.0, -0.0, 5e-324];
        let want_y = [1.0, 0.0, -1.25];
        assert_eq!(
            d.x.iter().map(|x| x.to_bits()).collect::<Vec<_>>(),
            want_x.iter().map(|x| x.to_bits()).collect::<Vec<_>>()
        );
        assert_eq!(d.y, want_y);
    }
    // Quoted cells, CRLF line ends, a byte-order mark, blank lines.
    let d = parse_csv(b"\xEF\xBB\xBF\"a\",\"y\"\r\n\"1.5\",2\r\n\r\n3,\" 4 \"\r\n").unwrap();
    assert_eq!((d.x, d.y), (vec![1.5, 3.0], vec![2.0, 4.0]));
}

#[test]
fn each_csv_error_names_its_line_column_and_cell() {
    let cases: [(&[u8], &str, &str); 13] = [
        (b"", "empty", "The file is empty."),
        (b"a,b,y\n", "empty", "The file has no data rows"),
        (
            b"a,b,y\n1,2,3\n4,5,6\n7,,9\n",
            "bad_cell",
            "Line 4, column 2 is empty.",
        ),
        (
            b"1,2,3\n1,2,3\n1,2,3\n1,2,3\n1,2,3\n1,2,3\n1,2,NaN\n",
            "bad_cell",
            "Line 7, column 3: \"NaN\" is not a finite number.",
        ),
        (
            b"1,2\ninf,3\n",
            "bad_cell",
            "Line 2, column 1: \"inf\" is not a finite number.",
        ),
        (
            b"1,2\n3,Infinity\n",
            "bad_cell",
            "Line 2, column 2: \"Infinity\" is not a finite number.",
        ),
        (
            b"1,2\n1e999,3\n",
            "bad_cell",
            "Line 2, column 1: \"1e999\" is not a finite number.",
        ),
        (
            b"x,y\n0x10,1\n",
            "bad_cell",
            "Line 2, column 1: \"0x10\" is not a number.",
        ),
        (
            b"x,y\n\"1,5\",1\n",
            "bad_cell",
            "Line 2, column 1: \"1,5\" is not a number.",
        ),
        (
            b"a,b,c,d,y\n1,2,3,4,5\n1,2,3,4,5\n1,2,3,4,5\n1,2,3,4\n",
            "ragged",
            "Line 5 has 4 columns; line 1 (the header) has 5 (every row needs the same columns).",
        ),
        (
            b"1,2,3,4,5\n1,2,3,4,5,6\n",
            "ragged",
            "Line 2 has 6 columns; line 1 has 5 (every row needs the same columns).",
        ),
        (
            b"y\n1\n",
            "too_few_columns",
            "Line 1 has 1 column; the lab needs at least two",
        ),
        (
            b"1,2\n\xff,3\n",
            "not_utf8",
            "line 2 has a byte that is not UTF-8",
        ),
    ];
    for (bytes, code, message) in cases {
        let err = csv_err(bytes);
        assert_eq!(
            err.code,
            code,
            "{:?}: {}",
            String::from_utf8_lossy(bytes),
            err.message
        );
        assert!(
            err.message.starts_with(message) || err.message.contains(message),
            "got  {}\nwant {message}",
            err.message
        );
    }
    let long = format!("x,y\n{},1\n", "9".repeat(30) + &"z".repeat(60));
    let err = csv_err(long.as_bytes());
    assert!(
        err.message.contains('…') && err.message.len() < 120,
        "{}",
        err.message
    );
}

#[test]
fn csv_limits_are_named() {
    let rows = "1,2\n".repeat(MAX_CSV_ROWS + 1);
    let err = csv_err(rows.as_bytes());
    assert_eq!(err.code, "too_many_rows");
    assert_eq!(
        err.message,
        "The file has more than 100000 data rows; the lab reads up to 100000."
    );
    // Reading stops at the limit: a bad cell after it is never reached.
    let rows = "1,2\n".repeat(MAX_CSV_ROWS + 1) + "x,NaN\n";
    assert_eq!(csv_err(rows.as_bytes()).code, "too_many_rows");
    // Exactly the limit, with a header, is accepted.
    let rows = "a,y\n".to_string() + &"1,2\n".repeat(MAX_CSV_ROWS);
    assert_eq!(parse_csv(rows.as_bytes()).unwrap().n, MAX_CSV_ROWS);
    let wide = vec!["1"; 1002].join(",") + "\n";
    let err = csv_err(wide.as_bytes());
    assert_eq!(err.code, "too_many_columns");
    assert!(err.message.contains("1002 columns"), "{}", err.message);
    let widest = vec!["1"; 1001].join(",") + "\n";
    assert_eq!(parse_csv(widest.as_bytes()).unwrap().d, 1000);
    let err = check_csv_size(60 * 1024 * 1024).unwrap_err();
    assert_eq!(
        (err.code, err.message.as_str()),
        (
            "too_large",
            "The file is 60.0 MB; CSV files are read up to 50 MB."
        )
    );
    assert!(check_csv_size(MAX_CSV_BYTES).is_ok());
}

// ---------------------------------------------------------------------------------------------
// Fuzzing

fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// A finite f64 from anywhere in the range: arbitrary bits, non-finite ones folded to finite.
fn finite() -> impl Strategy<Value = f64> {
    prop_oneof![
        any::<u64>().prop_map(|b| {
            let x = f64::from_bits(b);
            if x.is_finite() {
                x
            } else {
                f64::from_bits(b & !(1 << 62))
            }
        }),
        -10.0..10.0f64,
        Just(0.0),
        Just(-0.0),
    ]
}

/// The same numbers, as bits (−0 and 0 differ).
fn bits(xs: &[f64]) -> Vec<u64> {
    xs.iter().map(|x| x.to_bits()).collect()
}

/// An independent CSV writer: Rust's `{:?}` of each value (shortest round-trip form).
fn write_csv(header: bool, d: usize, x: &[f64], y: &[f64]) -> String {
    let mut out = String::new();
    if header {
        let names: Vec<String> = (1..=d).map(|j| format!("x{j}")).collect();
        out.push_str(&format!("{},y\n", names.join(",")));
    }
    for (row, yi) in x.chunks(d).zip(y) {
        let cells: Vec<String> = row.iter().map(|v| format!("{v:?}")).collect();
        out.push_str(&format!("{},{yi:?}\n", cells.join(",")));
    }
    out
}

proptest! {
    #![proptest_config(config(2000))]

    #[test]
    fn arbitrary_text_never_panics(text in ".{0,200}") {
        match parse_weights(&text) {
            Ok(net) => prop_assert!(net.params().iter().all(|p| p.is_finite())),
            Err(e) => prop_assert!(!e.code.is_empty() && e.message.len() > 10),
        }
        match parse_csv(text.as_bytes()) {
            Ok(d) => prop_assert!(d.n > 0 && d.x.iter().chain(&d.y).all(|v| v.is_finite())),
            Err(e) => prop_assert!(!e.code.is_empty() && e.message.len() > 10),
        }
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
        if let Err(e) = parse_csv(&bytes) {
            prop_assert!(e.message.len() > 10);
        }
        if let Ok(text) = std::str::from_utf8(&bytes) && let Err(e) = parse_weights(text) {
            prop_assert!(e.message.len() > 10);
        }
    }

    #[test]
    fn near_valid_weights_never_panic(
        tokens in proptest::collection::vec(
            prop_oneof![
                Just("{"), Just("}"), Just("["), Just("]"), Just(","), Just(":"),
                Just("\"W\""), Just("\"v\""), Just("\"b\""), Just("\"b_out\""), Just("\"x\""),
                Just("1"), Just("-2.5"), Just("1e400"), Just("NaN"), Just("null"), Just("\"s\""),
            ],
            0..40,
        )
    ) {
        let text = tokens.concat();
        if let Err(e) = parse_weights(&text) {
            prop_assert!(e.message.len() > 10, "{text}: {}", e.message);
        }
    }

    #[test]
    fn valid_networks_round_trip(
        d in 1usize..5, l in 1usize..6, e in 1usize..3,
        hidden_bias in any::<bool>(), output_bias in any::<bool>(),
        seed in proptest::collection::vec(finite(), 64),
    ) {
        let arch = Architecture { hidden_bias, output_bias, ..Architecture::new(d, l, e) };
        // Keep c_k finite: scale huge draws down (the lab refuses overflowing c_k).
        let params: Vec<f64> = (0..arch.n_params())
            .map(|i| { let x = seed[i % 64]; if x.abs() > 1e150 { x * 1e-160 } else { x } })
            .collect();
        let net = Network::from_params(arch, params).unwrap();
        let back = parse_weights(&weights_json(&net)).unwrap();
        prop_assert_eq!(back.arch(), net.arch());
        prop_assert_eq!(bits(back.params()), bits(net.params()));
    }

    #[test]
    fn valid_tables_round_trip(
        d in 1usize..6, n in 1usize..20, header in any::<bool>(),
        values in proptest::collection::vec(finite(), 120),
    ) {
        let x: Vec<f64> = (0..n * d).map(|i| values[i % 120]).collect();
        let y: Vec<f64> = (0..n).map(|i| values[(i * 7 + 3) % 120]).collect();
        let data = parse_csv(write_csv(header, d, &x, &y).as_bytes()).unwrap();
        prop_assert_eq!((data.n, data.d, data.e), (n, d, 1));
        prop_assert_eq!(bits(&data.x), bits(&x));
        prop_assert_eq!(bits(&data.y), bits(&y));
    }
}
