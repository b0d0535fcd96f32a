//! Series legends that measure their text through the drawing backend.
//!
//! plotters' own legend (`configure_series_labels`) and `MultiLineText` measure text through
//! plotters' font layer, which in the browser puts a `<span>` with an inline `style` attribute into
//! the page; the site's strict Content-Security-Policy refuses inline styles. These helpers
//! measure with [`DrawingArea::estimate_text_size`] instead, which every backend answers (the
//! page's canvas backend with the canvas itself), and draw what plotters draws: a box, then per
//! entry a sample and its label.
//!
//! Layout (plotters' too): the labels are lines `1.25 ×` the font size apart, left-aligned after a
//! sample area of `sample_len` pixels, all inside a margin of `margin` pixels; a legend placed by a
//! [`SeriesLabelPosition`] keeps 5 px from the edges of its area.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::{ChartError, INK};

/// Line pitch of the labels, in font sizes (plotters' `MultiLineText` default).
const LINE_HEIGHT: f64 = 1.25;
/// Distance of a placed legend from the edges of its area, in pixels (plotters' rule).
const EDGE: i32 = 5;

/// A legend's labels, font and spacing.
pub(crate) struct Legend<'a, 'b> {
    /// One label per entry, top to bottom.
    pub labels: &'b [String],
    /// Font of the labels.
    pub font: &'b TextStyle<'a>,
    /// Inner margin, in pixels.
    pub margin: i32,
    /// Width of the sample area left of the labels, in pixels.
    pub sample_len: i32,
}

impl<'a, 'b> Legend<'a, 'b> {
    /// A legend in the page charts' spacing for a body font of `body` pixels: a margin of 0.6 and a
    /// sample area of 2 body sizes.
    pub(crate) fn for_body(labels: &'b [String], font: &'b TextStyle<'a>, body: f64) -> Self {
        Self {
            labels,
            font,
            margin: (body * 0.6) as i32,
            sample_len: (body * 2.0) as i32,
        }
    }

    /// Draws the legend in a plotting area (without its coordinates), in the box the page's charts
    /// share (white at 90 %, a grey border), at the position `choose(size)` picks for a box of that
    /// size; `sample` as in [`Legend::draw`].
    pub(crate) fn draw_in_plot<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        choose: impl FnOnce((i32, i32)) -> SeriesLabelPosition,
        sample: impl FnMut(&DrawingArea<DB, Shift>, usize, (i32, i32)) -> Result<(), ChartError>,
    ) -> Result<(), ChartError> {
        let size = self.size(area)?;
        let position = choose(size);
        let (w, h) = area.dim_in_pixel();
        self.draw(
            area,
            place(&position, size, (w as i32, h as i32)),
            WHITE.mix(0.9).filled(),
            INK.mix(0.6).into(),
            sample,
        )
    }

    /// Width and height of the legend's box on `area`, margins included.
    pub(crate) fn size<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
    ) -> Result<(i32, i32), ChartError> {
        let (mut text_w, mut text_h) = (0i32, 0i32);
        for label in self.labels {
            let (w, h) = area.estimate_text_size(label, self.font)?;
            text_w = text_w.max(w as i32);
            text_h = text_h.max(h as i32);
        }
        let lines = self.labels.len() as i32;
        let height = if lines == 0 {
            0
        } else {
            self.pitch() * (lines - 1) + text_h
        };
        Ok((
            text_w + self.sample_len + 2 * self.margin,
            height + 2 * self.margin,
        ))
    }

    fn pitch(&self) -> i32 {
        (self.font.font.get_size() * LINE_HEIGHT).round() as i32
    }

    /// Draws the legend on `area` (a plotting area without its coordinates) with its box's upper
    /// left corner at `at`, filled with `background` and outlined with `border`; `sample(area, i,
    /// (x, y))` draws entry `i`'s sample, starting at x, centred on the line y.
    pub(crate) fn draw<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        at: (i32, i32),
        background: ShapeStyle,
        border: ShapeStyle,
        mut sample: impl FnMut(&DrawingArea<DB, Shift>, usize, (i32, i32)) -> Result<(), ChartError>,
    ) -> Result<(), ChartError> {
        let (w, h) = self.size(area)?;
        let (x, y) = at;
        area.draw(&Rectangle::new(
            [(x, y), (x + w, y + h)],
            background.filled(),
        ))?;
        area.draw(&Rectangle::new([(x, y), (x + w, y + h)], border))?;
        let text_x = x + self.margin + self.sample_len;
        for (i, label) in self.labels.iter().enumerate() {
            let top = y + self.margin + self.pitch() * i as i32;
            let (_, text_h) = area.estimate_text_size(label, self.font)?;
            area.draw_text(label, self.font, (text_x, top))?;
            sample(area, i, (x + self.margin, top + text_h as i32 / 2))?;
        }
        Ok(())
    }
}

/// Upper left corner of a box of `size` placed at `position` in an area of `area_size` pixels.
pub(crate) fn place(
    position: &SeriesLabelPosition,
    (w, h): (i32, i32),
    (area_w, area_h): (i32, i32),
) -> (i32, i32) {
    use SeriesLabelPosition::*;
    let x = match position {
        UpperLeft | MiddleLeft | LowerLeft => EDGE,
        UpperMiddle | MiddleMiddle | LowerMiddle => (area_w - w) / 2,
        UpperRight | MiddleRight | LowerRight => area_w - w - EDGE,
        Coordinate(x, _) => *x,
    };
    let y = match position {
        UpperLeft | UpperMiddle | UpperRight => EDGE,
        MiddleLeft | MiddleMiddle | MiddleRight => (area_h - h) / 2,
        LowerLeft | LowerMiddle | LowerRight => area_h - h - EDGE,
        Coordinate(_, y) => *y,
    };
    (x, y)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn placement_keeps_five_pixels_from_the_edges() {
        let area = (400, 300);
        let size = (100, 40);
        assert_eq!(place(&SeriesLabelPosition::UpperLeft, size, area), (5, 5));
        assert_eq!(
            place(&SeriesLabelPosition::UpperRight, size, area),
            (295, 5)
        );
        assert_eq!(place(&SeriesLabelPosition::LowerLeft, size, area), (5, 255));
        assert_eq!(
            place(&SeriesLabelPosition::LowerRight, size, area),
            (295, 255)
        );
        assert_eq!(
            place(&SeriesLabelPosition::MiddleMiddle, size, area),
            (150, 130)
        );
        assert_eq!(
            place(&SeriesLabelPosition::Coordinate(7, 9), size, area),
            (7, 9)
        );
    }

    #[test]
    fn the_box_holds_every_label_and_the_sample_area() {
        let mut svg = String::new();
        let root = SVGBackend::with_string(&mut svg, (400, 300)).into_drawing_area();
        let font = ("sans-serif", 20.0).into_font().color(&BLACK);
        let labels = vec!["a".to_string(), "a much longer label".to_string()];
        let legend = Legend {
            labels: &labels,
            font: &font,
            margin: 6,
            sample_len: 30,
        };
        let (w, h) = legend.size(&root).unwrap();
        let (long_w, text_h) = root.estimate_text_size(&labels[1], &font).unwrap();
        assert_eq!(w, long_w as i32 + 30 + 12);
        assert_eq!(
            h,
            25 + text_h as i32 + 12,
            "one pitch (1.25 × 20 px) plus a line, plus margins"
        );
        let mut samples = Vec::new();
        legend
            .draw(&root, (10, 20), WHITE.filled(), BLACK.into(), |_, i, at| {
                samples.push((i, at));
                Ok(())
            })
            .unwrap();
        assert_eq!(samples.len(), 2);
        assert_eq!(samples[0].1.0, 16, "samples start inside the margin");
        assert_eq!(
            samples[1].1.1 - samples[0].1.1,
            25,
            "lines are 1.25 font sizes apart"
        );
    }
}
