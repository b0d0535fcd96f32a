//! The canvas backend of the page's charts: plotters-canvas's [`CanvasBackend`] with text measured
//! by the canvas itself.
//!
//! plotters measures text on wasm32 by putting a `<span>` with a `style` attribute into the page
//! and reading its size. The site's Content-Security-Policy refuses inline styles (no
//! `'unsafe-inline'` in `style-src`), so that attribute would be blocked and every label measured
//! in the wrong font. [`PageCanvas`] answers [`DrawingBackend::estimate_text_size`] with the
//! canvas's `measureText` in the very font [`CanvasBackend`] draws with; the charts measure their
//! legends through the backend too ([`crate::charts`]'s legend helper), never through plotters'
//! font layer.

use plotters::prelude::*;
use plotters_backend::{
    BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingErrorKind,
};
use plotters_canvas::CanvasBackend;
use wasm_bindgen::JsCast;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement};

/// [`CanvasBackend`], with text measured by the canvas (see the module documentation).
pub struct PageCanvas {
    inner: CanvasBackend,
    context: CanvasRenderingContext2d,
}

impl PageCanvas {
    /// The backend for `canvas`, or `None` when it has no 2-D context.
    pub fn new(canvas: HtmlCanvasElement) -> Option<Self> {
        let context = canvas
            .get_context("2d")
            .ok()??
            .dyn_into::<CanvasRenderingContext2d>()
            .ok()?;
        let inner = CanvasBackend::with_canvas_object(canvas)?;
        Some(Self { inner, context })
    }
}

type DrawResult<E> = Result<(), DrawingErrorKind<E>>;
type CanvasError = <CanvasBackend as DrawingBackend>::ErrorType;

impl DrawingBackend for PageCanvas {
    type ErrorType = CanvasError;

    fn get_size(&self) -> (u32, u32) {
        self.inner.get_size()
    }

    fn ensure_prepared(&mut self) -> DrawResult<CanvasError> {
        self.inner.ensure_prepared()
    }

    fn present(&mut self) -> DrawResult<CanvasError> {
        self.inner.present()
    }

    fn draw_pixel(&mut self, point: BackendCoord, color: BackendColor) -> DrawResult<CanvasError> {
        self.inner.draw_pixel(point, color)
    }

    fn draw_line<S: BackendStyle>(
        &mut self,
        from: BackendCoord,
        to: BackendCoord,
        style: &S,
    ) -> DrawResult<CanvasError> {
        self.inner.draw_line(from, to, style)
    }

    fn draw_rect<S: BackendStyle>(
        &mut self,
        upper_left: BackendCoord,
        bottom_right: BackendCoord,
        style: &S,
        fill: bool,
    ) -> DrawResult<CanvasError> {
        self.inner.draw_rect(upper_left, bottom_right, style, fill)
    }

    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        style: &S,
    ) -> DrawResult<CanvasError> {
        self.inner.draw_path(path, style)
    }

    fn draw_circle<S: BackendStyle>(
        &mut self,
        center: BackendCoord,
        radius: u32,
        style: &S,
        fill: bool,
    ) -> DrawResult<CanvasError> {
        self.inner.draw_circle(center, radius, style, fill)
    }

    fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        vert: I,
        style: &S,
    ) -> DrawResult<CanvasError> {
        self.inner.fill_polygon(vert, style)
    }

    fn draw_text<S: BackendTextStyle>(
        &mut self,
        text: &str,
        style: &S,
        pos: BackendCoord,
    ) -> DrawResult<CanvasError> {
        self.inner.draw_text(text, style, pos)
    }

    /// Width from `measureText`; height from the font's ascent and descent (the line box a
    /// `<span>` of that font would have), in the font string [`CanvasBackend::draw_text`] sets.
    fn estimate_text_size<S: BackendTextStyle>(
        &self,
        text: &str,
        style: &S,
    ) -> Result<(u32, u32), DrawingErrorKind<CanvasError>> {
        let saved = self.context.font();
        self.context.set_font(&format!(
            "{} {}px {}",
            style.style().as_str(),
            style.size(),
            style.family().as_str(),
        ));
        let metrics = self.context.measure_text(text);
        self.context.set_font(&saved);
        let metrics = metrics
            .map_err(|e| DrawingErrorKind::FontError(Box::new(MeasureError(format!("{e:?}")))))?;
        let height = metrics.font_bounding_box_ascent() + metrics.font_bounding_box_descent();
        let height = if height.is_finite() && height > 0.0 {
            height
        } else {
            1.15 * style.size()
        };
        Ok((metrics.width().ceil() as u32, height.ceil() as u32))
    }

    fn blit_bitmap(
        &mut self,
        pos: BackendCoord,
        size: (u32, u32),
        src: &[u8],
    ) -> DrawResult<CanvasError> {
        self.inner.blit_bitmap(pos, size, src)
    }
}

/// `measureText` failed (it does not, for a valid font string).
#[derive(Debug)]
struct MeasureError(String);

impl std::fmt::Display for MeasureError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "cannot measure text: {}", self.0)
    }
}

impl std::error::Error for MeasureError {}
