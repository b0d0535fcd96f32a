//! The browser boundary in a real headless Chromium (wasm-bindgen-test): runs built from
//! JavaScript objects, errors as `JsError`s, and charts drawn onto real canvases.

#![cfg(target_arch = "wasm32")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use relu_obstruction::web::{Run, draw_loss_chart, limits, random_seed};
use wasm_bindgen::JsCast;
use wasm_bindgen::JsValue;
use wasm_bindgen_test::*;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement};

wasm_bindgen_test_configure!(run_in_browser);

fn config(preset: &str, seed: u32, lr: Option<f64>) -> JsValue {
    let obj = js_sys::Object::new();
    js_sys::Reflect::set(&obj, &"preset".into(), &preset.into()).unwrap();
    js_sys::Reflect::set(&obj, &"seed".into(), &seed.into()).unwrap();
    if let Some(lr) = lr {
        js_sys::Reflect::set(&obj, &"lr".into(), &lr.into()).unwrap();
    }
    obj.into()
}

fn get(obj: &JsValue, key: &str) -> JsValue {
    js_sys::Reflect::get(obj, &key.into()).unwrap()
}

fn canvas(w: u32, h: u32) -> HtmlCanvasElement {
    let doc = web_sys::window().unwrap().document().unwrap();
    let c: HtmlCanvasElement = doc.create_element("canvas").unwrap().dyn_into().unwrap();
    c.set_width(w);
    c.set_height(h);
    doc.body().unwrap().append_child(&c).unwrap();
    c
}

/// Fraction of pixels that are neither transparent nor white.
fn ink(c: &HtmlCanvasElement) -> f64 {
    let ctx: CanvasRenderingContext2d = c.get_context("2d").unwrap().unwrap().dyn_into().unwrap();
    let data = ctx
        .get_image_data(0.0, 0.0, c.width() as f64, c.height() as f64)
        .unwrap()
        .data();
    let px = data.len() / 4;
    let inked = data
        .chunks_exact(4)
        .filter(|p| p[3] > 0 && (p[0] < 245 || p[1] < 245 || p[2] < 245))
        .count();
    inked as f64 / px as f64
}

#[wasm_bindgen_test]
fn a_run_steps_and_reports_its_readout() {
    let mut run = Run::new(config("fig3-good-pm", 0, None)).unwrap();
    assert_eq!(run.step(25).unwrap(), 25);
    let r = run.readout().unwrap();
    assert_eq!(get(&r, "step").as_f64(), Some(25.0));
    assert_eq!(get(&r, "components").as_f64(), Some(4.0));
    let label: Vec<f64> = js_sys::Array::from(&get(&r, "component_label"))
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    assert_eq!(label, vec![1.0, -1.0]);
    let verdict = get(&r, "verdict");
    assert_eq!(get(&verdict, "obstructed").as_bool(), Some(false));
    // The loss history is flat [t, L, t, L, …] with one pair per step, decreasing for this run.
    let h = run.loss_history();
    assert_eq!(h.len(), 50);
    assert_eq!(h[0], 0.0);
    assert!(h[49] < h[1]);
}

#[wasm_bindgen_test]
fn bad_settings_become_errors_naming_the_field() {
    for (cfg, needle) in [
        (config("fig7", 0, None), "preset"),
        (config("fig3-good-pm", 0, Some(0.0)), "learning rate"),
        (
            config("fig3-good-pm", 0, Some(f64::INFINITY)),
            "learning rate",
        ),
        (JsValue::from_str("not an object"), "bad run settings"),
    ] {
        let err = Run::new(cfg).err().expect("refused");
        let msg = JsValue::from(err);
        let text = get(&msg, "message").as_string().unwrap();
        assert!(text.contains(needle), "{text}");
    }
}

#[wasm_bindgen_test]
fn divergence_is_an_error_and_the_run_keeps_finite_numbers() {
    let mut run = Run::new(config("fig3-good-pm", 0, Some(10.0))).unwrap();
    let err = run.step(10_000).expect_err("η = 10 diverges");
    let text = get(&JsValue::from(err), "message").as_string().unwrap();
    assert!(text.contains("diverged"), "{text}");
    assert!(run.step(1).is_err(), "a diverged run stays stopped");
    let r = run.readout().unwrap();
    assert!(get(&r, "loss").as_f64().unwrap().is_finite());
    assert!(get(&r, "failure").as_string().is_some());
}

#[wasm_bindgen_test]
fn the_charts_draw_onto_real_canvases() {
    let mut top = Run::new(config("fig3-obstructed-pp", 1, None)).unwrap();
    let mut bottom = Run::new(config("fig3-good-pm", 1, None)).unwrap();
    top.step(40).unwrap();
    bottom.step(40).unwrap();
    let q = canvas(400, 400);
    assert_eq!(ink(&q), 0.0);
    top.draw_neuron(q.clone(), 0, 0.6, 0.35).unwrap();
    let drawn = ink(&q);
    assert!(drawn > 0.02, "quadric panel ink {drawn}");
    let first = q.to_data_url().unwrap();
    top.draw_neuron(q.clone(), 0, 1.6, 0.35).unwrap();
    assert_ne!(
        q.to_data_url().unwrap(),
        first,
        "another yaw draws another view"
    );
    assert!(
        top.draw_neuron(q.clone(), 5, 0.6, 0.35).is_err(),
        "no neuron 6"
    );
    let l = canvas(640, 480);
    draw_loss_chart(l.clone(), &mut top, &mut bottom, true).unwrap();
    assert!(ink(&l) > 0.02);
    draw_loss_chart(l.clone(), &mut top, &mut bottom, false).unwrap();
    assert!(ink(&l) > 0.02);
}

#[wasm_bindgen_test]
fn seeds_and_limits_come_from_the_core() {
    let a = random_seed().unwrap();
    let b = random_seed().unwrap();
    assert!((0.0..=9_007_199_254_740_991.0).contains(&a) && a.fract() == 0.0);
    assert_ne!(a, b);
    let l = limits().unwrap();
    assert_eq!(get(&l, "lrMax").as_f64(), Some(1000.0));
}
