//! The lab's conserved-quantities chart: c_k of every hidden neuron at the start (a ring) and now
//! (a dot), joined by a segment that is the drift, with the line c = 0 that separates the
//! pathological neurons (below it, with a scalar output) from the free ones.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::ticks::{Keyed, linear_ticks};
use super::{ChartError, FontSizes, GOOD, GRID, INK, OBSTRUCTED, fitted_title, y_label_area};

/// What [`draw_conserved_chart`] shows.
#[derive(Debug, Clone, Copy)]
pub struct ConservedChart<'a> {
    /// Title drawn above the chart.
    pub title: &'a str,
    /// c_k(0), one per neuron.
    pub start: &'a [f64],
    /// c_k now (same length).
    pub now: &'a [f64],
    /// Whether neuron k is pathological (drawn in [`OBSTRUCTED`], the others in [`GOOD`]).
    pub pathological: &'a [bool],
}

/// Draws the chart, filling `area` white first. Non-finite values are skipped.
///
/// # Errors
/// [`ChartError`] with the backend's message if the backend fails to draw.
pub fn draw_conserved_chart<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    chart: &ConservedChart,
) -> Result<(), ChartError> {
    area.fill(&WHITE)?;
    let (_, height) = area.dim_in_pixel();
    let fonts = FontSizes::for_height(height);
    let body = fonts.body;
    let l = chart.start.len().min(chart.now.len());
    let values = chart.start[..l]
        .iter()
        .chain(&chart.now[..l])
        .copied()
        .filter(|v| v.is_finite());
    let (lo, hi) = values.fold((0.0f64, 0.0f64), |(a, b), v| (a.min(v), b.max(v)));
    let pad = if hi > lo {
        0.08 * (hi / 2.0 - lo / 2.0) * 2.0
    } else {
        1.0
    };
    let (y_lo, y_hi) = ((lo - pad).max(f64::MIN), (hi + pad).min(f64::MAX));
    let x_hi = l.max(1) as f64 + 0.5;
    let x_ticks = linear_ticks(0.5, x_hi, 8, 1.0);
    let y_ticks = linear_ticks(y_lo, y_hi, 6, 0.0);

    let mut builder = ChartBuilder::on(area);
    builder
        .margin_top((body * 0.6) as u32)
        .margin_right((body * 1.2) as u32)
        .margin_left((body * 0.4) as u32)
        .margin_bottom((body * 0.4) as u32)
        .x_label_area_size((body * 2.9) as u32)
        .y_label_area_size(y_label_area(area, &y_ticks, body).max((body * 4.6) as u32));
    if !chart.title.is_empty() {
        let (title, font) = fitted_title(area, chart.title, fonts.title);
        builder.caption(title, font.color(&INK));
    }
    let mut c = builder.build_cartesian_2d(
        Keyed::new(
            plotters::coord::types::RangedCoordf64::from(0.5..x_hi),
            &x_ticks,
        ),
        Keyed::new(
            plotters::coord::types::RangedCoordf64::from(y_lo..y_hi),
            &y_ticks,
        ),
    )?;
    let x_format = |v: &f64| x_ticks.label(*v);
    let y_format = |v: &f64| y_ticks.label(*v);
    let text = (FontFamily::SansSerif, body).into_font().color(&INK);
    let ticks = (FontFamily::SansSerif, body * 0.85).into_font().color(&INK);
    c.configure_mesh()
        .x_desc("neuron k")
        .y_desc("c_k")
        .axis_desc_style(text)
        .label_style(ticks)
        .x_label_formatter(&x_format)
        .y_label_formatter(&y_format)
        .bold_line_style(GRID.stroke_width(1))
        .light_line_style(TRANSPARENT)
        .axis_style(INK.stroke_width(1))
        .draw()?;
    c.draw_series(std::iter::once(PathElement::new(
        vec![(0.5, 0.0), (x_hi, 0.0)],
        INK.stroke_width(1),
    )))?;
    let r = ((body * 0.35).round() as i32).max(3);
    for k in 0..l {
        let (a, b) = (chart.start[k], chart.now[k]);
        let color = if chart.pathological.get(k).copied().unwrap_or(false) {
            OBSTRUCTED
        } else {
            GOOD
        };
        let x = (k + 1) as f64;
        if a.is_finite() && b.is_finite() {
            c.draw_series(std::iter::once(PathElement::new(
                vec![(x, a), (x, b)],
                color.stroke_width(2),
            )))?;
        }
        if a.is_finite() {
            c.draw_series(std::iter::once(Circle::new(
                (x, a),
                r,
                color.stroke_width(2),
            )))?;
        }
        if b.is_finite() {
            c.draw_series(std::iter::once(Circle::new((x, b), r - 1, color.filled())))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_every_neuron_and_survives_bad_values() {
        let mut svg = String::new();
        {
            let area = SVGBackend::with_string(&mut svg, (600, 300)).into_drawing_area();
            let chart = ConservedChart {
                title: "c_k",
                start: &[1.0, -0.5, f64::NAN],
                now: &[0.9, -0.4, 2.0],
                pathological: &[false, true, false],
            };
            draw_conserved_chart(&area, &chart).expect("draws");
        }
        // Two rings and three dots (the NaN start is skipped).
        assert_eq!(svg.matches("<circle").count(), 5);
        let mut empty = String::new();
        let area = SVGBackend::with_string(&mut empty, (300, 200)).into_drawing_area();
        let chart = ConservedChart {
            title: "",
            start: &[],
            now: &[],
            pathological: &[],
        };
        draw_conserved_chart(&area, &chart).expect("an empty chart draws");
    }
}
