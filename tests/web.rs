//! The browser boundary in a real headless Chromium (wasm-bindgen-test): a view handle driven by
//! raw text and links, refusals as `{key, code, message}` records, and charts drawn onto real
//! canvases.

#![cfg(target_arch = "wasm32")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use relu_obstruction::web::fig3::Fig3View;
use relu_obstruction::web::heatmaps::HeatmapsView;
use relu_obstruction::web::random_seed;
use wasm_bindgen::JsCast;
use wasm_bindgen::JsValue;
use wasm_bindgen_test::*;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement};

wasm_bindgen_test_configure!(run_in_browser);

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

/// The field `key` of row `row` (0 top, 1 bottom) of a Fig. 3 readout.
fn field(r: &JsValue, row: u32, key: &str) -> JsValue {
    let rows = js_sys::Array::from(&get(r, "rows"));
    let fields = js_sys::Array::from(&get(&rows.get(row), "fields"));
    fields
        .iter()
        .find(|f| get(f, "key").as_string().as_deref() == Some(key))
        .unwrap()
}

#[wasm_bindgen_test]
fn a_view_replays_a_link_and_reports_its_readout() {
    let mut view = Fig3View::new();
    let refused = view.apply_link("#fig3?v=1&top=fig3-good-pm&step=25");
    assert_eq!(js_sys::Array::from(&refused.unwrap()).length(), 0);
    let r = view.readout().unwrap();
    assert_eq!(get(&r, "step").as_f64(), Some(25.0));
    assert_eq!(
        get(&field(&r, 0, "components"), "value")
            .as_string()
            .unwrap(),
        "4"
    );
    assert_eq!(
        get(&field(&r, 0, "label"), "value").as_string().unwrap(),
        "[1,-1]"
    );
    assert_eq!(
        get(&field(&r, 0, "label"), "text").as_string().unwrap(),
        "(+,−)"
    );
    let rows = js_sys::Array::from(&get(&r, "rows"));
    assert_eq!(get(&rows.get(0), "obstructed").as_bool(), Some(false));
    let link = get(&view.link_state().unwrap(), "link")
        .as_string()
        .unwrap();
    assert!(link.contains("&step=25&"), "{link}");
}

#[wasm_bindgen_test]
fn refusals_are_records_and_keep_the_previous_value() {
    let mut view = Fig3View::new();
    for (text, code) in [
        ("0x10", "not_a_number"),
        ("0", "out_of_range"),
        ("1e999", "not_finite"),
    ] {
        let out = view.set("lr", text).unwrap();
        assert_eq!(get(&out, "ok").as_bool(), Some(false));
        let rejection = get(&out, "rejection");
        assert_eq!(get(&rejection, "key").as_string().unwrap(), "lr");
        assert_eq!(get(&rejection, "code").as_string().unwrap(), code);
        assert!(
            get(&rejection, "message")
                .as_string()
                .unwrap()
                .contains("still in use")
        );
    }
    let link = get(&view.link_state().unwrap(), "link")
        .as_string()
        .unwrap();
    assert!(link.contains("&lr=0.05&"), "{link}");
    let out = view.set("preset-nope", "1").unwrap();
    assert_eq!(
        get(&get(&out, "rejection"), "code").as_string().unwrap(),
        "unknown_key"
    );
}

#[wasm_bindgen_test]
fn divergence_stops_the_frames_and_the_readout_says_it_in_words() {
    let mut view = Fig3View::new();
    assert_eq!(
        get(&view.set("lr", "10").unwrap(), "ok").as_bool(),
        Some(true)
    );
    assert_eq!(
        get(&view.set("speed", "1000").unwrap(), "ok").as_bool(),
        Some(true)
    );
    assert_eq!(
        get(&view.set("pause", "0").unwrap(), "ok").as_bool(),
        Some(true)
    );
    let mut stopped = false;
    for _ in 0..20 {
        if get(&view.frame().unwrap(), "stop").as_bool() == Some(true) {
            stopped = true;
            break;
        }
    }
    assert!(stopped, "η = 10 diverges");
    assert!(!view.can_play(), "a diverged run stays stopped");
    let r = view.readout().unwrap();
    let message = get(&r, "message").as_string().unwrap();
    assert!(message.contains("diverged"), "{message}");
    assert!(!message.contains("NaN"), "{message}");
    let loss = get(&field(&r, 0, "loss"), "text").as_string().unwrap();
    assert!(!loss.contains("NaN"), "{loss}");
}

#[wasm_bindgen_test]
fn the_charts_draw_onto_real_canvases() {
    let mut view = Fig3View::new();
    view.apply_link("#fig3?v=1&seed=1&step=40").unwrap();
    let q = canvas(400, 400);
    assert_eq!(ink(&q), 0.0);
    view.draw(q.clone(), "top-0").unwrap();
    let drawn = ink(&q);
    assert!(drawn > 0.02, "quadric panel ink {drawn}");
    let first = q.to_data_url().unwrap();
    view.rotate("top", 100.0, 0.0);
    view.draw(q.clone(), "top-0").unwrap();
    assert_ne!(
        q.to_data_url().unwrap(),
        first,
        "another yaw draws another view"
    );
    assert!(view.draw(q.clone(), "top-5").is_err(), "no neuron 6");
    let l = canvas(640, 480);
    view.draw(l.clone(), "loss").unwrap();
    assert!(ink(&l) > 0.02);
    view.set("log", "0").unwrap();
    view.draw(l.clone(), "loss").unwrap();
    assert!(ink(&l) > 0.02);
}

#[wasm_bindgen_test]
fn seeds_come_from_the_browser() {
    let a = random_seed().unwrap();
    let b = random_seed().unwrap();
    assert!((0.0..=9_007_199_254_740_991.0).contains(&a) && a.fract() == 0.0);
    assert_ne!(a, b);
}

#[wasm_bindgen_test]
fn a_heatmap_draws_maps_a_pointer_to_its_cell_and_a_click_starts_a_run() {
    let mut view = HeatmapsView::new().unwrap();
    let c = canvas(560, 500);
    let layout: serde_json::Value =
        serde_json::from_str(&view.draw(c.clone(), "kaiming").unwrap().unwrap()).unwrap();
    assert!(ink(&c) > 0.3);
    let num = |k: &str| layout[k].as_f64().unwrap();
    // The centre of cell d = 3, l = 5 (row 0 at the bottom).
    let x = num("left") + 4.5 * num("width") / num("cols");
    let y = num("top") + num("height") - 2.5 * num("height") / num("rows");
    let out = view.point_at("kaiming", x, y, true).unwrap();
    assert_eq!(get(&out, "cell"), JsValue::TRUE);
    assert_eq!(get(&out, "run"), JsValue::TRUE);
    let link = get(&view.link_state().unwrap(), "link")
        .as_string()
        .unwrap();
    assert!(link.contains("sel=kaiming&d=3&l=5&"), "{link}");
    assert!(view.step(), "the run plays");
    let l = canvas(640, 360);
    view.draw(l.clone(), "loss").unwrap();
    assert!(ink(&l) > 0.01);
    assert!(
        view.svg("xavier", 300, 260)
            .unwrap()
            .contains("Xavier normal: P(obstruction)")
    );
    assert!(view.draw(c.clone(), "fig3").is_err(), "no such part");
    let refused = view.set("n", "0x10").unwrap();
    assert_eq!(get(&refused, "ok"), JsValue::FALSE);
    assert_eq!(
        get(&get(&refused, "rejection"), "code")
            .as_string()
            .as_deref(),
        Some("not_a_number")
    );
}
