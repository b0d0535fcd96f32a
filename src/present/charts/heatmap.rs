//! Heatmap: values on a grid of columns (x) and rows (y), one filled rectangle per cell, with a
//! colour bar (the appendix heatmaps of P(obstruction) over width l and input dimension d).
//!
//! Conventions:
//! - `values` is row-major, `values[row * cols + col]`; row 0 is drawn at the bottom, column 0 at
//!   the left; a NaN (or any non-finite value) means "no data" and is drawn light grey;
//! - colours come from viridis (perceptually uniform, safe for the common forms of colour
//!   blindness, readable in grey scale), linearly interpolated in sRGB between its 11 published
//!   anchor points at 0, 0.1, …, 1 (matplotlib's `viridis` sampled at those points); a value is
//!   mapped through `range` and clamped to it for the colour only;
//! - cells are square when the area allows it (up to 3:1 wide when there are at most half as many
//!   columns as rows), never drawn with per-cell text, so a 50 × 50 map is
//!   2 500 rectangles and nothing else;
//! - tick labels of both axes are thinned to a "nice" stride (1, 2, 5, 10, 20, 25, 50, …) chosen so
//!   neighbouring labels never overlap; integer-valued axes are labelled at multiples of the stride;
//! - [`draw_heatmap`] returns the [`HeatmapLayout`] of the cells in pixels of the area, so a caller
//!   can map a pointer position to a cell with [`HeatmapLayout::cell_at`].

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use serde::Serialize;

use super::loss::linear_tick;
use super::ticks::linear_ticks;
use super::{ChartError, FontSizes, INK, fitted_title_size};

/// Viridis at 0, 0.1, …, 1 (matplotlib's published colour map, sampled at 11 points).
const VIRIDIS: [(u8, u8, u8); 11] = [
    (0x44, 0x01, 0x54),
    (0x48, 0x24, 0x75),
    (0x41, 0x44, 0x87),
    (0x35, 0x5f, 0x8d),
    (0x2a, 0x78, 0x8e),
    (0x21, 0x91, 0x8c),
    (0x22, 0xa8, 0x84),
    (0x44, 0xbf, 0x70),
    (0x7a, 0xd1, 0x51),
    (0xbd, 0xdf, 0x26),
    (0xfd, 0xe7, 0x25),
];

/// Colour of a cell without data.
pub const NO_DATA: RGBColor = RGBColor(225, 225, 225);

/// The viridis colour of `t` ∈ [0, 1] (clamped; NaN gives [`NO_DATA`]).
pub fn viridis(t: f64) -> RGBColor {
    if t.is_nan() {
        return NO_DATA;
    }
    let s = t.clamp(0.0, 1.0) * (VIRIDIS.len() - 1) as f64;
    let i = (s.floor() as usize).min(VIRIDIS.len() - 2);
    let f = s - i as f64;
    let (a, b) = (VIRIDIS[i], VIRIDIS[i + 1]);
    let mix = |x: u8, y: u8| (f64::from(x) + (f64::from(y) - f64::from(x)) * f).round() as u8;
    RGBColor(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

/// A heatmap of values on a grid of columns (x) and rows (y).
#[derive(Debug, Clone, Copy)]
pub struct Heatmap<'a> {
    /// Title drawn above the map (nothing if empty).
    pub title: &'a str,
    /// Description of the x axis.
    pub x_label: &'a str,
    /// Description of the y axis.
    pub y_label: &'a str,
    /// Column values (e.g. l = 1..=50), shown as tick labels; one column per entry.
    pub x_values: &'a [f64],
    /// Row values (e.g. d = 1..=50); one row per entry, the first at the bottom.
    pub y_values: &'a [f64],
    /// Row-major: values[row * x_values.len() + col]; NaN = no data (drawn as a light grey cell).
    pub values: &'a [f64],
    /// Colour scale range (values outside are clamped for colour only).
    pub range: (f64, f64),
    /// Description of the colour bar.
    pub colorbar_label: &'a str,
    /// (col, row) of a cell to outline, if any.
    pub highlight: Option<(usize, usize)>,
}

/// Where the cells were drawn, in pixels of the area, so a caller can map a pointer to a cell.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct HeatmapLayout {
    /// Left edge of the cell grid.
    pub left: f64,
    /// Top edge of the cell grid.
    pub top: f64,
    /// Width of the cell grid.
    pub width: f64,
    /// Height of the cell grid.
    pub height: f64,
    /// Number of columns.
    pub cols: usize,
    /// Number of rows.
    pub rows: usize,
}

impl HeatmapLayout {
    /// The (col, row) under pixel (x, y), if any (row 0 is the bottom row).
    pub fn cell_at(&self, x: f64, y: f64) -> Option<(usize, usize)> {
        if self.cols == 0 || self.rows == 0 || !(self.width > 0.0 && self.height > 0.0) {
            return None;
        }
        let fx = (x - self.left) / self.width;
        let fy = (y - self.top) / self.height;
        if !((0.0..1.0).contains(&fx) && (0.0..1.0).contains(&fy)) {
            return None;
        }
        let col = ((fx * self.cols as f64) as usize).min(self.cols - 1);
        let from_top = ((fy * self.rows as f64) as usize).min(self.rows - 1);
        Some((col, self.rows - 1 - from_top))
    }

    /// Pixel x of the left edge of column `col` (`col = cols` gives the right edge).
    fn x_edge(&self, col: usize) -> i32 {
        (self.left + self.width * col as f64 / self.cols.max(1) as f64).round() as i32
    }

    /// Pixel y of the top edge of row `row` counted from the top (`rows` gives the bottom edge).
    fn y_edge(&self, from_top: usize) -> i32 {
        (self.top + self.height * from_top as f64 / self.rows.max(1) as f64).round() as i32
    }
}

/// Draws the heatmap with its title, labelled axes and colour bar, filling `area` white first.
/// Returns where the cells are.
///
/// # Errors
/// [`ChartError`] when `values` does not hold one value per cell, when `range` is not finite and
/// increasing, or when the backend fails to draw.
pub fn draw_heatmap<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    map: &Heatmap,
) -> Result<HeatmapLayout, ChartError> {
    let (cols, rows) = (map.x_values.len(), map.y_values.len());
    if map.values.len() != cols * rows {
        return Err(ChartError(format!(
            "heatmap has {} values for {cols} × {rows} cells",
            map.values.len()
        )));
    }
    let (lo, hi) = map.range;
    if !(lo.is_finite() && hi.is_finite() && hi > lo) {
        return Err(ChartError(format!(
            "heatmap colour range ({lo}, {hi}) is not finite and increasing"
        )));
    }
    area.fill(&WHITE)?;
    let (w_px, h_px) = area.dim_in_pixel();
    let (w_px, h_px) = (f64::from(w_px), f64::from(h_px));
    let fonts = FontSizes::for_height(h_px.min(w_px * 1.2) as u32);
    let body = fonts.body;
    let text = (FontFamily::SansSerif, body).into_font().color(&INK);
    let size = |s: &str| -> f64 {
        area.estimate_text_size(s, &text)
            .map(|(w, _)| f64::from(w))
            .unwrap_or(body * 0.6 * s.chars().count() as f64)
    };

    let x_labels: Vec<String> = map.x_values.iter().map(linear_tick).collect();
    let y_labels: Vec<String> = map.y_values.iter().map(linear_tick).collect();
    let bar = linear_ticks(lo, hi, 5, 0.0);
    let (bar_ticks, bar_labels) = (bar.values, bar.labels);
    // Measuring text is slow on some backends (in the browser plotters lays every string out on a
    // fresh canvas), so only the longest label (by characters) of each axis is measured.
    let widest = |labels: &[String]| {
        labels
            .iter()
            .max_by_key(|s| s.chars().count())
            .map_or(0.0, |s| size(s))
    };

    let margin = body * 0.6;
    let tick = body * 0.35;
    let title_h = if map.title.is_empty() {
        0.0
    } else {
        fonts.title * 1.6
    };
    // Left: the rotated y description, the tick labels, the ticks.
    let left_space = margin + body * 1.4 + widest(&y_labels) + tick + body * 0.3;
    // Bottom: ticks, tick labels, the x description.
    let bottom_space = tick + body * 1.4 + body * 1.5 + margin;
    // Right: gap, colour bar, its ticks and labels, its rotated description.
    let bar_w = (body * 1.1).max(8.0);
    let right_space =
        body * 1.2 + bar_w + tick + body * 0.3 + widest(&bar_labels) + body * 1.6 + margin;
    let avail_w = (w_px - left_space - right_space).max(1.0);
    let avail_h = (h_px - margin - title_h - bottom_space).max(1.0);
    // Square cells when possible: the grid takes the largest size with cell width = cell height.
    // A map with far fewer columns than rows (Fig. 4: 5 widths × 17 values of l+) may widen its
    // cells up to 3:1, so its column labels fit.
    let (grid_w, grid_h) = if cols > 0 && rows > 0 {
        let cell_h = (avail_w / cols as f64).min(avail_h / rows as f64);
        let max_aspect = if rows >= 2 * cols { 3.0 } else { 1.0 };
        let cell_w = (avail_w / cols as f64).min(cell_h * max_aspect);
        (cell_w * cols as f64, cell_h * rows as f64)
    } else {
        (avail_w, avail_h)
    };
    // Centre the whole block (grid + colour bar) horizontally.
    let slack = (avail_w - grid_w).max(0.0) / 2.0;
    let layout = HeatmapLayout {
        left: (left_space + slack).round(),
        top: (margin + title_h).round(),
        width: grid_w.round(),
        height: grid_h.round(),
        cols,
        rows,
    };

    if !map.title.is_empty() {
        // Centred over the grid where it fits, moved (and if need be made smaller) so it never
        // leaves the area: a clipped title would run into the y description.
        let size = fitted_title_size(area, map.title, fonts.title, w_px - 2.0 * margin);
        let style = (FontFamily::SansSerif, size).into_font().color(&INK);
        let width = area
            .estimate_text_size(map.title, &style)
            .map(|(w, _)| f64::from(w))
            .unwrap_or(size * 0.6 * map.title.chars().count() as f64);
        let half = (width / 2.0).min(w_px / 2.0);
        let centre = (layout.left + layout.width / 2.0)
            .max(margin + half)
            .min(w_px - margin - half);
        area.draw_text(
            map.title,
            &style.pos(Pos::new(HPos::Center, VPos::Center)),
            (centre.round() as i32, (margin + title_h / 2.0) as i32),
        )?;
    }

    // The cells, from the top row down, as few rectangles as possible: neighbours of exactly the
    // same colour are merged into horizontal runs, and equal runs of consecutive rows into one
    // rectangle (a canvas backend pays per call, not per pixel).
    for (color, (c0, c1), (r0, r1)) in merged_cells(map.values, cols, rows, |v| {
        if v.is_finite() {
            viridis((v - lo) / (hi - lo))
        } else {
            NO_DATA
        }
    }) {
        area.draw(&Rectangle::new(
            [
                (layout.x_edge(c0), layout.y_edge(r0)),
                (layout.x_edge(c1), layout.y_edge(r1)),
            ],
            color.filled(),
        ))?;
    }
    let (gl, gt) = (layout.x_edge(0), layout.y_edge(0));
    let (gr, gb) = (layout.x_edge(cols), layout.y_edge(rows));
    area.draw(&Rectangle::new([(gl, gt), (gr, gb)], INK.stroke_width(1)))?;

    if let Some((col, row)) = map.highlight.filter(|&(c, r)| c < cols && r < rows) {
        let from_top = rows - 1 - row;
        let (x0, x1) = (layout.x_edge(col), layout.x_edge(col + 1));
        let (y0, y1) = (layout.y_edge(from_top), layout.y_edge(from_top + 1));
        let outer = ((body / 8.0).round() as u32).max(2);
        let pad = outer as i32;
        area.draw(&Rectangle::new(
            [(x0 - pad, y0 - pad), (x1 + pad, y1 + pad)],
            INK.stroke_width(outer),
        ))?;
        area.draw(&Rectangle::new([(x0, y0), (x1, y1)], WHITE.stroke_width(1)))?;
    }

    // Axis ticks and labels, thinned so neighbours never overlap.
    let tick_px = tick.round() as i32;
    let label_gap = body * 0.3;
    let cell_w = if cols > 0 {
        layout.width / cols as f64
    } else {
        0.0
    };
    let x_need = widest(&x_labels) + body * 0.8;
    for i in labelled_indices(map.x_values, cell_w, x_need) {
        let x = ((layout.x_edge(i) + layout.x_edge(i + 1)) as f64 / 2.0).round() as i32;
        area.draw(&PathElement::new(
            vec![(x, gb), (x, gb + tick_px)],
            INK.stroke_width(1),
        ))?;
        area.draw_text(
            &x_labels[i],
            &text.pos(Pos::new(HPos::Center, VPos::Top)),
            (x, gb + tick_px + label_gap as i32),
        )?;
    }
    let cell_h = if rows > 0 {
        layout.height / rows as f64
    } else {
        0.0
    };
    for i in labelled_indices(map.y_values, cell_h, body * 1.3) {
        let from_top = rows - 1 - i;
        let y =
            ((layout.y_edge(from_top) + layout.y_edge(from_top + 1)) as f64 / 2.0).round() as i32;
        area.draw(&PathElement::new(
            vec![(gl - tick_px, y), (gl, y)],
            INK.stroke_width(1),
        ))?;
        area.draw_text(
            &y_labels[i],
            &text.pos(Pos::new(HPos::Right, VPos::Center)),
            (gl - tick_px - label_gap as i32, y),
        )?;
    }
    let grid_mid_x = ((gl + gr) / 2, (gt + gb) / 2);
    // The x description just below the tick labels (not at the bottom of the area: square cells
    // may leave free space there).
    area.draw_text(
        map.x_label,
        &text.pos(Pos::new(HPos::Center, VPos::Top)),
        (
            grid_mid_x.0,
            (f64::from(gb) + tick + label_gap + body * 1.5) as i32,
        ),
    )?;
    area.draw_text(
        map.y_label,
        &text
            .transform(FontTransform::Rotate270)
            .pos(Pos::new(HPos::Center, VPos::Top)),
        (
            (layout.left - left_space + margin).round() as i32,
            grid_mid_x.1,
        ),
    )?;

    // The colour bar: strips of about 4 pixels (at most 96; viridis changes little within one),
    // ticks at nice values.
    let bar_left = gr + (body * 1.2).round() as i32;
    let bar_right = bar_left + bar_w.round() as i32;
    let strips = ((gb - gt) / 4).clamp(1, 96);
    for s in 0..strips {
        let y0 = gt + ((gb - gt) * s) / strips;
        let y1 = gt + ((gb - gt) * (s + 1)) / strips;
        let t = 1.0 - (f64::from(s) + 0.5) / f64::from(strips);
        area.draw(&Rectangle::new(
            [(bar_left, y0), (bar_right, y1)],
            viridis(t).filled(),
        ))?;
    }
    area.draw(&Rectangle::new(
        [(bar_left, gt), (bar_right, gb)],
        INK.stroke_width(1),
    ))?;
    for (v, label) in bar_ticks.iter().zip(&bar_labels) {
        let y = (f64::from(gb) - (v - lo) / (hi - lo) * f64::from(gb - gt)).round() as i32;
        area.draw(&PathElement::new(
            vec![(bar_right, y), (bar_right + tick_px, y)],
            INK.stroke_width(1),
        ))?;
        area.draw_text(
            label,
            &text.pos(Pos::new(HPos::Left, VPos::Center)),
            (bar_right + tick_px + label_gap as i32, y),
        )?;
    }
    let bar_desc_x = f64::from(bar_right) + tick + label_gap + widest(&bar_labels) + body * 0.3;
    area.draw_text(
        map.colorbar_label,
        &text
            .transform(FontTransform::Rotate270)
            .pos(Pos::new(HPos::Center, VPos::Top)),
        (bar_desc_x.round() as i32, grid_mid_x.1),
    )?;
    Ok(layout)
}

/// A rectangle of cells of one colour: (colour, columns c0..c1, rows-from-top r0..r1).
type CellRect = (RGBColor, (usize, usize), (usize, usize));

/// The cells as rectangles of one colour: (colour, columns c0..c1, rows-from-top r0..r1), half-open
/// ranges, covering every cell exactly once, emitted top row first.
fn merged_cells(
    values: &[f64],
    cols: usize,
    rows: usize,
    color_of: impl Fn(f64) -> RGBColor,
) -> Vec<CellRect> {
    let mut done = Vec::new();
    // Open rectangles: runs of the previous row that may continue downwards.
    let mut open: Vec<(RGBColor, (usize, usize), usize)> = Vec::new();
    for from_top in 0..rows {
        let row = rows - 1 - from_top;
        let mut runs: Vec<(RGBColor, (usize, usize))> = Vec::new();
        for col in 0..cols {
            let color = color_of(values[row * cols + col]);
            match runs.last_mut() {
                Some((c, (_, end))) if *c == color => *end = col + 1,
                _ => runs.push((color, (col, col + 1))),
            }
        }
        let mut next = Vec::with_capacity(runs.len());
        for (color, span) in runs {
            let start = open
                .iter()
                .position(|(c, s, _)| *c == color && *s == span)
                .map_or(from_top, |i| open.swap_remove(i).2);
            next.push((color, span, start));
        }
        done.extend(open.drain(..).map(|(c, s, r0)| (c, s, (r0, from_top))));
        open = next;
    }
    done.extend(open.into_iter().map(|(c, s, r0)| (c, s, (r0, rows))));
    done
}

/// The indices of the axis values to label when a cell is `cell_px` pixels long and two labels
/// need `need_px` pixels between their centres: a nice stride (1, 2, 5, 10, 20, 25, 50, 100, …)
/// just large enough; integer-valued axes are labelled at multiples of the stride (and at their
/// first value when it is far enough from the next label), others at every stride-th index.
fn labelled_indices(values: &[f64], cell_px: f64, need_px: f64) -> Vec<usize> {
    let n = values.len();
    if n == 0 || cell_px.is_nan() || cell_px <= 0.0 {
        return Vec::new();
    }
    let min_stride = (need_px / cell_px).ceil().max(1.0) as usize;
    let stride = nice_strides()
        .find(|&s| s >= min_stride)
        .unwrap_or(min_stride);
    let integral = values
        .iter()
        .all(|v| v.is_finite() && v.fract() == 0.0 && v.abs() < 1e15);
    // Multiples of a nice stride only make sense on evenly spaced values (1..=50, not 1, 2, 4, 8, 16).
    let evenly_spaced = values
        .windows(2)
        .all(|w| w[1] - w[0] == values[1] - values[0]);
    if !integral || !evenly_spaced || stride == 1 {
        return (0..n)
            .step_by(if evenly_spaced { stride } else { min_stride })
            .collect();
    }
    let mut picked: Vec<usize> = (0..n)
        .filter(|&i| (values[i] as i64).rem_euclid(stride as i64) == 0)
        .collect();
    // Thin again if the values are not evenly spaced (never two labels closer than the stride).
    let mut kept: Vec<usize> = Vec::with_capacity(picked.len());
    for i in picked.drain(..) {
        if kept.last().is_none_or(|&j| i - j >= min_stride) {
            kept.push(i);
        }
    }
    match kept.first() {
        Some(&first) if first >= min_stride => kept.insert(0, 0),
        None => kept.push(0),
        _ => {}
    }
    kept
}

/// 1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, …
fn nice_strides() -> impl Iterator<Item = usize> {
    [1usize, 2, 5].into_iter().chain((1..18u32).flat_map(|k| {
        let p = 10usize.pow(k);
        [p, 2 * p, 5 * p / 2, 5 * p]
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::present::charts::{svg_text_position, svg_texts};

    fn hex(c: RGBColor) -> String {
        format!("#{:02X}{:02X}{:02X}", c.0, c.1, c.2)
    }

    fn grid(n: usize) -> Vec<f64> {
        (1..=n).map(|i| i as f64).collect()
    }

    fn render(map: &Heatmap, size: (u32, u32)) -> Result<(String, HeatmapLayout), ChartError> {
        let mut svg = String::new();
        let layout;
        {
            let root = SVGBackend::with_string(&mut svg, size).into_drawing_area();
            layout = draw_heatmap(&root, map)?;
            root.present()?;
        }
        Ok((svg, layout))
    }

    /// Fill colours of the SVG rects, in drawing order.
    fn rect_fills(svg: &str) -> Vec<String> {
        svg.split("<rect")
            .skip(1)
            .filter_map(|chunk| {
                let tag = chunk.split_once("/>")?.0;
                let fill = tag.split("fill=\"").nth(1)?.split('"').next()?;
                (fill != "none").then(|| fill.to_string())
            })
            .collect()
    }

    /// (x, y, width, height, fill) of every filled SVG rect, in drawing order.
    fn rects(svg: &str) -> Vec<(f64, f64, f64, f64, String)> {
        svg.split("<rect")
            .skip(1)
            .filter_map(|chunk| {
                let tag = chunk.split_once("/>")?.0;
                let attr = |name: &str| -> Option<String> {
                    Some(
                        tag.split(&format!(" {name}=\""))
                            .nth(1)?
                            .split('"')
                            .next()?
                            .to_string(),
                    )
                };
                let num = |name: &str| attr(name)?.parse::<f64>().ok();
                let fill = attr("fill")?;
                (fill != "none").then_some((
                    num("x")?,
                    num("y")?,
                    num("width")?,
                    num("height")?,
                    fill,
                ))
            })
            .collect()
    }

    fn assert_cells_painted(
        svg: &str,
        layout: &HeatmapLayout,
        values: &[f64],
        cols: usize,
        rows: usize,
    ) {
        let all = rects(svg);
        for row in 0..rows {
            for col in 0..cols {
                let x = layout.left + (col as f64 + 0.5) * layout.width / cols as f64;
                let y =
                    layout.top + layout.height - (row as f64 + 0.5) * layout.height / rows as f64;
                let painted = all
                    .iter()
                    .rev()
                    .find(|(rx, ry, w, h, _)| x >= *rx && x < rx + w && y >= *ry && y < ry + h)
                    .map(|r| r.4.clone());
                let v = values[row * cols + col];
                let want = if v.is_nan() {
                    hex(NO_DATA)
                } else {
                    hex(viridis(v))
                };
                assert_eq!(painted, Some(want), "cell ({col}, {row})");
            }
        }
    }

    #[test]
    fn equal_neighbours_are_merged_and_every_cell_is_covered_once() {
        // A 4 × 3 grid (row 0 at the bottom): the top two rows are one colour, the bottom row two.
        let values = [1.0, 1.0, 2.0, 2.0, 5.0, 5.0, 5.0, 5.0, 5.0, 5.0, 5.0, 5.0];
        let color_of = |v: f64| RGBColor(v as u8, 0, 0);
        let rects = merged_cells(&values, 4, 3, color_of);
        assert_eq!(rects.len(), 3, "{rects:?}");
        assert!(rects.contains(&(RGBColor(5, 0, 0), (0, 4), (0, 2))));
        assert!(rects.contains(&(RGBColor(1, 0, 0), (0, 2), (2, 3))));
        assert!(rects.contains(&(RGBColor(2, 0, 0), (2, 4), (2, 3))));
        // Brute force on pseudo-random grids: each cell covered exactly once, in its colour.
        let mut state = 12345u64;
        for (cols, rows) in [(1, 1), (7, 5), (50, 50), (3, 9)] {
            let values: Vec<f64> = (0..cols * rows)
                .map(|_| {
                    state = state
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    ((state >> 61) % 3) as f64
                })
                .collect();
            let rects = merged_cells(&values, cols, rows, color_of);
            let mut hits = vec![0; cols * rows];
            for (color, (c0, c1), (r0, r1)) in rects {
                for from_top in r0..r1 {
                    for col in c0..c1 {
                        let row = rows - 1 - from_top;
                        hits[row * cols + col] += 1;
                        assert_eq!(color, color_of(values[row * cols + col]));
                    }
                }
            }
            assert!(hits.iter().all(|&h| h == 1), "{cols} × {rows}: {hits:?}");
        }
        assert!(merged_cells(&[], 0, 0, color_of).is_empty());
    }

    #[test]
    fn viridis_hits_its_anchor_points_and_is_monotone_in_lightness() {
        assert_eq!(viridis(0.0), RGBColor(0x44, 0x01, 0x54));
        assert_eq!(viridis(0.5), RGBColor(0x21, 0x91, 0x8c));
        assert_eq!(viridis(1.0), RGBColor(0xfd, 0xe7, 0x25));
        assert_eq!(viridis(-3.0), viridis(0.0));
        assert_eq!(viridis(7.0), viridis(1.0));
        assert_eq!(viridis(f64::NAN), NO_DATA);
        // Halfway between two anchors is their mean (rounded).
        let mid = viridis(0.05);
        assert_eq!(mid, RGBColor(0x46, 0x13, 0x65));
        // Relative luminance (Rec. 709 weights) increases along the map: readable in grey scale.
        let lum = |c: RGBColor| {
            0.2126 * f64::from(c.0) + 0.7152 * f64::from(c.1) + 0.0722 * f64::from(c.2)
        };
        let mut last = -1.0;
        for i in 0..=100 {
            let l = lum(viridis(f64::from(i) / 100.0));
            assert!(l >= last - 0.5, "luminance drops at {i}: {l} < {last}");
            last = l;
        }
    }

    #[test]
    fn draws_one_rect_per_cell_in_its_colour_with_title_labels_and_colorbar()
    -> Result<(), ChartError> {
        let (cols, rows) = (4, 3);
        // Values 0, 1/11, …, 1 so the colours are distinct and known; one NaN cell.
        let mut values: Vec<f64> = (0..cols * rows).map(|i| i as f64 / 11.0).collect();
        values[5] = f64::NAN;
        let xs = grid(cols);
        let ys = vec![10.0, 20.0, 30.0];
        let map = Heatmap {
            title: "P(obstruction), Xavier normal",
            x_label: "hidden width l",
            y_label: "input dimension d",
            x_values: &xs,
            y_values: &ys,
            values: &values,
            range: (0.0, 1.0),
            colorbar_label: "P(obstruction)",
            highlight: None,
        };
        let (svg, layout) = render(&map, (640, 480))?;
        let texts = svg_texts(&svg);
        for t in [
            "P(obstruction), Xavier normal",
            "hidden width l",
            "input dimension d",
            "P(obstruction)",
            "0.0",
            "0.2",
            "0.8",
            "1.0",
            "4",
            "30",
        ] {
            assert!(
                texts.iter().any(|s| s == t),
                "missing text {t:?} in {texts:?}"
            );
        }
        let fills = rect_fills(&svg);
        // The white background, the cells, the colour bar strips.
        for (i, v) in values.iter().enumerate() {
            let want = if v.is_nan() {
                hex(NO_DATA)
            } else {
                hex(viridis(*v))
            };
            assert!(fills.contains(&want), "cell {i} colour {want} missing");
        }
        assert!(fills.contains(&hex(NO_DATA)));
        assert_eq!((layout.cols, layout.rows), (cols, rows));
        // Square cells.
        let (cw, ch) = (layout.width / cols as f64, layout.height / rows as f64);
        assert!((cw - ch).abs() <= 1.0, "{cw} × {ch}");
        // The top row is drawn first: its first cell (col 0, row 2) has value 8/11.
        let cells: Vec<&String> = fills.iter().skip(1).take(cols * rows).collect();
        assert_eq!(cells[0], &hex(viridis(8.0 / 11.0)));
        assert_eq!(cells[cols * rows - 1], &hex(viridis(3.0 / 11.0)));
        // Value 1 would be the last anchor colour: the colour bar's top strip is near it.
        assert!(
            fills.len() > 1 + cols * rows + 50,
            "colour bar strips missing"
        );
        // The y tick "10" (bottom row) is below the y tick "30" (top row).
        let (_, y1) = svg_text_position(&svg, "10").ok_or(ChartError("no 10".into()))?;
        let (_, y3) = svg_text_position(&svg, "30").ok_or(ChartError("no 30".into()))?;
        assert!(y1 > y3);
        Ok(())
    }

    #[test]
    fn layout_maps_pixels_to_cells_with_row_zero_at_the_bottom() -> Result<(), ChartError> {
        let xs = grid(50);
        let ys = grid(50);
        let values: Vec<f64> = (0..2500).map(|i| f64::from(i) / 2500.0).collect();
        let map = Heatmap {
            title: "t",
            x_label: "l",
            y_label: "d",
            x_values: &xs,
            y_values: &ys,
            values: &values,
            range: (0.0, 1.0),
            colorbar_label: "P",
            highlight: Some((7, 3)),
        };
        let (svg, layout) = render(&map, (600, 600))?;
        let cw = layout.width / 50.0;
        let ch = layout.height / 50.0;
        let centre = |col: usize, row: usize| {
            (
                layout.left + (col as f64 + 0.5) * cw,
                layout.top + layout.height - (row as f64 + 0.5) * ch,
            )
        };
        for (col, row) in [(0, 0), (49, 49), (7, 3), (0, 49), (49, 0), (20, 31)] {
            let (x, y) = centre(col, row);
            assert_eq!(layout.cell_at(x, y), Some((col, row)));
        }
        assert_eq!(layout.cell_at(layout.left - 1.0, layout.top + 5.0), None);
        assert_eq!(
            layout.cell_at(layout.left + 5.0, layout.top + layout.height + 1.0),
            None
        );
        assert_eq!(layout.cell_at(f64::NAN, 3.0), None);
        // The grid lies inside the area, and leaves room for the labels.
        assert!(layout.left > 20.0 && layout.left + layout.width < 600.0);
        assert!(layout.top > 10.0 && layout.top + layout.height < 600.0);
        // The highlighted cell has an outline (an unfilled rect stroked in ink).
        assert!(svg.contains("stroke=\"#222222\""));
        // Every cell's centre is painted in its own colour by the last rectangle covering it.
        assert_cells_painted(&svg, &layout, &values, 50, 50);
        Ok(())
    }

    #[test]
    fn tick_labels_are_thinned_so_they_do_not_overlap() -> Result<(), ChartError> {
        let xs = grid(50);
        let ys = grid(50);
        let values = vec![0.5; 2500];
        let map = Heatmap {
            title: "",
            x_label: "hidden width l",
            y_label: "input dimension d",
            x_values: &xs,
            y_values: &ys,
            values: &values,
            range: (0.0, 1.0),
            colorbar_label: "P(obstruction)",
            highlight: None,
        };
        for size in [(400, 360), (800, 700)] {
            let (svg, _) = render(&map, size)?;
            // Positions of the x tick labels (numbers drawn below the grid).
            let mut xs_px: Vec<f64> = (1..=50)
                .filter_map(|v| {
                    let (x, y) = svg_text_position(&svg, &v.to_string())?;
                    (y > f64::from(size.1) * 0.7).then_some(x)
                })
                .collect();
            xs_px.sort_by(f64::total_cmp);
            assert!(xs_px.len() >= 3, "{size:?}: too few x labels {xs_px:?}");
            assert!(xs_px.len() < 50, "{size:?}: every label drawn");
            for pair in xs_px.windows(2) {
                assert!(
                    pair[1] - pair[0] >= 12.0,
                    "{size:?}: labels overlap {xs_px:?}"
                );
            }
        }
        // The stride rule directly: multiples of the stride, the first value when far enough.
        assert_eq!(
            labelled_indices(&grid(50), 10.0, 45.0),
            vec![4, 9, 14, 19, 24, 29, 34, 39, 44, 49]
        );
        assert_eq!(
            labelled_indices(&grid(50), 10.0, 30.0),
            vec![0, 4, 9, 14, 19, 24, 29, 34, 39, 44, 49]
        );
        assert_eq!(labelled_indices(&grid(5), 100.0, 10.0), vec![0, 1, 2, 3, 4]);
        assert_eq!(labelled_indices(&[0.5, 1.5, 2.5], 10.0, 15.0), vec![0, 2]);
        assert!(labelled_indices(&[], 10.0, 15.0).is_empty());
        Ok(())
    }

    #[test]
    fn colorbar_ticks_are_nice() {
        let ticks = |lo, hi| linear_ticks(lo, hi, 5, 0.0).values;
        let close = |a: &[f64], b: &[f64]| {
            a.len() == b.len() && a.iter().zip(b).all(|(x, y)| (x - y).abs() < 1e-12)
        };
        assert!(close(&ticks(0.0, 1.0), &[0.0, 0.2, 0.4, 0.6, 0.8, 1.0]));
        assert!(close(
            &ticks(0.0, 50.0),
            &[0.0, 10.0, 20.0, 30.0, 40.0, 50.0]
        ));
        let t = ticks(-0.3, 0.7);
        assert!(t.contains(&0.0) && t.len() >= 4, "{t:?}");
    }

    #[test]
    fn bad_inputs_are_errors_and_empty_grids_draw() -> Result<(), ChartError> {
        let xs = grid(3);
        let ys = grid(2);
        let base = Heatmap {
            title: "t",
            x_label: "x",
            y_label: "y",
            x_values: &xs,
            y_values: &ys,
            values: &[0.0; 5],
            range: (0.0, 1.0),
            colorbar_label: "c",
            highlight: None,
        };
        assert!(render(&base, (300, 300)).is_err());
        let ok_values = [0.1; 6];
        let bad_range = Heatmap {
            values: &ok_values,
            range: (1.0, 1.0),
            ..base
        };
        assert!(render(&bad_range, (300, 300)).is_err());
        let nan_range = Heatmap {
            values: &ok_values,
            range: (f64::NAN, 1.0),
            ..base
        };
        assert!(render(&nan_range, (300, 300)).is_err());
        let empty = Heatmap {
            x_values: &[],
            y_values: &[],
            values: &[],
            highlight: Some((0, 0)),
            ..base
        };
        let (svg, layout) = render(&empty, (300, 300))?;
        assert!(svg_texts(&svg).iter().any(|t| t == "t"));
        assert_eq!(layout.cell_at(150.0, 150.0), None);
        Ok(())
    }

    #[test]
    fn uneven_axes_are_labelled_by_index_not_by_value_multiples() {
        let widths = [1.0, 2.0, 4.0, 8.0, 16.0];
        // Room for every label: all five.
        assert_eq!(labelled_indices(&widths, 40.0, 30.0), vec![0, 1, 2, 3, 4]);
        // Room for every other label: 1, 4, 16 (value multiples of 2 would give only 2 and 8).
        assert_eq!(labelled_indices(&widths, 20.0, 30.0), vec![0, 2, 4]);
        // An even axis still gets nice multiples.
        let ds: Vec<f64> = (1..=50).map(f64::from).collect();
        let picked = labelled_indices(&ds, 5.0, 30.0);
        assert!(
            picked.iter().skip(1).all(|&i| ds[i] % 10.0 == 0.0),
            "{picked:?}"
        );
    }
}
