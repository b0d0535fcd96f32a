//! The backends of the page's charts: plotters-canvas's [`CanvasBackend`] (and, for the SVG
//! exports, plotters' [`SVGBackend`]) with text measured by a canvas.
//!
//! plotters measures text on wasm32 by putting a `<span>` with a `style` attribute into the page
//! and reading its size. The site's Content-Security-Policy refuses inline styles (no
//! `'unsafe-inline'` in `style-src`), so that attribute would be blocked and every label measured
//! in the wrong font. [`PageCanvas`] answers [`DrawingBackend::estimate_text_size`] with a canvas's
//! `measureText` in the very font the backend draws with; the charts measure their legends
//! through the backend too ([`crate::present::charts`]'s legend helper), never through plotters' font layer.

use plotters::prelude::*;
use plotters_backend::{
    BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingErrorKind,
};
use plotters_canvas::CanvasBackend;
use wasm_bindgen::JsCast;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement};

type DrawResult<E> = Result<(), DrawingErrorKind<E>>;

/// The page's backend: a canvas or an SVG document, with text measured by a canvas's
/// `measureText` (see the module documentation). Charts are generic over the backend; drawing both
/// the canvases and the SVG exports through this one type keeps a single copy of every chart in
/// the wasm.
pub struct PageCanvas<'a> {
    surface: Surface<'a>,
    context: CanvasRenderingContext2d,
}

/// What the page draws on: a canvas, or an SVG document being written.
enum Surface<'a> {
    /// A `<canvas>` of the page.
    Canvas(CanvasBackend),
    /// An SVG export.
    Svg(SVGBackend<'a>),
}

/// A drawing error of either surface, as text.
#[derive(Debug)]
pub struct SurfaceError(String);

impl std::fmt::Display for SurfaceError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for SurfaceError {}

fn surface_err<E: std::error::Error + Send + Sync>(
    e: DrawingErrorKind<E>,
) -> DrawingErrorKind<SurfaceError> {
    match e {
        DrawingErrorKind::DrawingError(e) => {
            DrawingErrorKind::DrawingError(SurfaceError(e.to_string()))
        }
        DrawingErrorKind::FontError(f) => DrawingErrorKind::FontError(f),
    }
}

/// Calls the same method on whichever surface it is, with its error made a [`SurfaceError`].
macro_rules! on_surface {
    ($surface:expr, $b:ident => $call:expr) => {
        match &mut $surface {
            Surface::Canvas($b) => $call.map_err(surface_err),
            Surface::Svg($b) => $call.map_err(surface_err),
        }
    };
}

impl DrawingBackend for PageCanvas<'_> {
    type ErrorType = SurfaceError;

    fn get_size(&self) -> (u32, u32) {
        match &self.surface {
            Surface::Canvas(b) => b.get_size(),
            Surface::Svg(b) => b.get_size(),
        }
    }

    fn ensure_prepared(&mut self) -> DrawResult<SurfaceError> {
        on_surface!(self.surface, b => b.ensure_prepared())
    }

    fn present(&mut self) -> DrawResult<SurfaceError> {
        on_surface!(self.surface, b => b.present())
    }

    fn draw_pixel(&mut self, point: BackendCoord, color: BackendColor) -> DrawResult<SurfaceError> {
        on_surface!(self.surface, b => b.draw_pixel(point, color))
    }

    fn draw_line<S: BackendStyle>(
        &mut self,
        from: BackendCoord,
        to: BackendCoord,
        style: &S,
    ) -> DrawResult<SurfaceError> {
        on_surface!(self.surface, b => b.draw_line(from, to, style))
    }

    fn draw_rect<S: BackendStyle>(
        &mut self,
        upper_left: BackendCoord,
        bottom_right: BackendCoord,
        style: &S,
        fill: bool,
    ) -> DrawResult<SurfaceError> {
        on_surface!(self.surface, b => b.draw_rect(upper_left, bottom_right, style, fill))
    }

    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        style: &S,
    ) -> DrawResult<SurfaceError> {
        on_surface!(self.surface, b => b.draw_path(path, style))
    }

    fn draw_circle<S: BackendStyle>(
        &mut self,
        center: BackendCoord,
        radius: u32,
        style: &S,
        fill: bool,
    ) -> DrawResult<SurfaceError> {
        on_surface!(self.surface, b => b.draw_circle(center, radius, style, fill))
    }

    fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        vert: I,
        style: &S,
    ) -> DrawResult<SurfaceError> {
        on_surface!(self.surface, b => b.fill_polygon(vert, style))
    }

    fn draw_text<S: BackendTextStyle>(
        &mut self,
        text: &str,
        style: &S,
        pos: BackendCoord,
    ) -> DrawResult<SurfaceError> {
        match &mut self.surface {
            // plotters' SVG backend writes font-size = size / 1.24 while the canvas draws `size`
            // pixels; the SVG gets the canvas's size, so an exported chart reads as on screen.
            Surface::Svg(b) => b
                .draw_text(text, &CanvasSized(style), pos)
                .map_err(surface_err),
            _ => on_surface!(self.surface, b => b.draw_text(text, style, pos)),
        }
    }

    /// Width from `measureText`; height from the font's ascent and descent (the line box a
    /// `<span>` of that font would have), in the font string the backends draw with (`style size family`).
    fn estimate_text_size<S: BackendTextStyle>(
        &self,
        text: &str,
        style: &S,
    ) -> Result<(u32, u32), DrawingErrorKind<SurfaceError>> {
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
    ) -> DrawResult<SurfaceError> {
        on_surface!(self.surface, b => b.blit_bitmap(pos, size, src))
    }
}

fn context_2d(canvas: &HtmlCanvasElement) -> Option<CanvasRenderingContext2d> {
    canvas
        .get_context("2d")
        .ok()??
        .dyn_into::<CanvasRenderingContext2d>()
        .ok()
}

impl<'a> PageCanvas<'a> {
    /// The backend for `canvas`, or `None` when it has no 2-D context.
    pub fn new(canvas: HtmlCanvasElement) -> Option<Self> {
        let context = context_2d(&canvas)?;
        let surface = Surface::Canvas(CanvasBackend::with_canvas_object(canvas)?);
        Some(Self { surface, context })
    }

    /// An SVG backend writing into `out`, measured by a detached canvas (never put in the page),
    /// or `None` when no 2-D context can be made.
    pub fn svg(out: &'a mut String, size: (u32, u32)) -> Option<Self> {
        let canvas = web_sys::window()?
            .document()?
            .create_element("canvas")
            .ok()?
            .dyn_into::<HtmlCanvasElement>()
            .ok()?;
        let context = context_2d(&canvas)?;
        Some(Self {
            surface: Surface::Svg(SVGBackend::with_string(out, size)),
            context,
        })
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

/// Chart text for the screen in use: while presenting, every label at least 18 CSS pixels (so at
/// least 18 × `device_pixel_ratio` pixels of the canvas), readable on a projector; otherwise the
/// charts' default minimum. Charts drawn afterwards follow.
#[wasm_bindgen::prelude::wasm_bindgen(js_name = setChartText)]
pub fn set_chart_text(presenting: bool, device_pixel_ratio: f64) {
    use crate::present::charts::{DEFAULT_MIN_TEXT_PX, set_min_text_px};
    let dpr = if device_pixel_ratio.is_finite() {
        device_pixel_ratio.clamp(0.5, 4.0)
    } else {
        1.0
    };
    // At most 96 (the clamp in set_min_text_px), so the cast cannot overflow.
    let px = if presenting {
        (PRESENTING_TEXT_CSS_PX * dpr).round() as u32
    } else {
        DEFAULT_MIN_TEXT_PX
    };
    set_min_text_px(px);
}

/// The smallest body text of a chart while presenting, in CSS pixels: tick labels, the smallest
/// text of the charts, are 0.85 × body, so 21.5 puts them above 18 CSS pixels.
const PRESENTING_TEXT_CSS_PX: f64 = 21.5;

/// plotters' SVG backend divides a text style's size by this when it writes `font-size`.
const SVG_FONT_SHRINK: f64 = 1.24;

/// A text style whose size, once the SVG backend has divided it by [`SVG_FONT_SHRINK`], is the
/// pixel size the canvas backend draws: everything else is the wrapped style's.
struct CanvasSized<'s, S>(&'s S);

impl<S: BackendTextStyle> BackendTextStyle for CanvasSized<'_, S> {
    type FontError = S::FontError;

    fn color(&self) -> BackendColor {
        self.0.color()
    }

    fn size(&self) -> f64 {
        self.0.size() * SVG_FONT_SHRINK
    }

    fn transform(&self) -> plotters_backend::FontTransform {
        self.0.transform()
    }

    fn style(&self) -> plotters_backend::FontStyle {
        self.0.style()
    }

    fn anchor(&self) -> plotters_backend::text_anchor::Pos {
        self.0.anchor()
    }

    fn family(&self) -> plotters_backend::FontFamily<'_> {
        self.0.family()
    }

    fn layout_box(&self, text: &str) -> Result<((i32, i32), (i32, i32)), Self::FontError> {
        self.0.layout_box(text)
    }

    fn draw<E, DrawFunc: FnMut(i32, i32, BackendColor) -> Result<(), E>>(
        &self,
        text: &str,
        pos: BackendCoord,
        draw: DrawFunc,
    ) -> Result<Result<(), E>, Self::FontError> {
        self.0.draw(text, pos, draw)
    }
}
