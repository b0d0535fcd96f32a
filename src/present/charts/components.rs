//! The component diagram of H(c) (the paper's Fig. 2b): one cell per connected component,
//! labelled by its sign vector, grouped into effective classes.
//!
//! Conventions:
//! - a neuron whose quadric Q(c_k) has two sheets ([`topology::quadric_is_disconnected`]: c_k < 0
//!   with e = 1, the paper's pathological neurons, or c_k > 0 with d = 1) contributes a sign; a
//!   component of H(c) is one choice of sheet per such neuron, written as the vector of signs in
//!   neuron order, e.g. "(+,−)" (the component label of [`topology::component_label`]);
//! - effective classes (paper-notes §4, **our reading**): permuting two neurons of the same kind
//!   maps components onto each other without changing the function, so a class is fixed by the
//!   number k of `+` signs among the pathological neurons (and, when d = 1, separately among the
//!   positive-c neurons, written "k = a | b"); a class holds binomial(l−, k) components;
//! - up to [`MAX_DETAILED_NEURONS`] two-sheeted neurons (64 components) every component gets its own
//!   cell, one row of cells per class (wrapped when a class is wider than the area), cells tinted by
//!   class; beyond that the chart is a summary: one bar per class with its count
//!   ([`super::bars::draw_bar_chart`]);
//! - the component of the running network, when given, is outlined thickly in [`INK`] (its bar in
//!   summary mode);
//! - sign vectors within a class are listed in lexicographic order with `+` before `−`.
//!
//! The combinatorics (sheet kinds, binomial counts, classes, sign vectors) live in
//! [`crate::core::components`]; this module only lays them out.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::bars::{Bar, BarChart, draw_bar_chart, outline, text_width};
use super::{ChartError, INK, begin_titled_chart};
use crate::core::components::{
    Class, SheetKind, class_of, classes, sheet_kinds, sign_label, sign_vectors,
};
use crate::core::topology;

pub use crate::core::components::{MAX_DETAILED_NEURONS, MAX_DIAGRAM_NEURONS};

/// Light tints of the Okabe–Ito colours, one per class (cycled when there are more classes).
const CLASS_TINTS: [RGBColor; 7] = [
    RGBColor(246, 216, 153), // orange
    RGBColor(178, 221, 245), // sky blue
    RGBColor(153, 216, 199), // bluish green
    RGBColor(249, 244, 170), // yellow
    RGBColor(153, 199, 224), // blue
    RGBColor(238, 191, 153), // vermillion
    RGBColor(235, 201, 220), // reddish purple
];

/// Everything the component diagram shows.
#[derive(Debug, Clone, Copy)]
pub struct ComponentDiagram<'a> {
    /// Title above the diagram.
    pub title: &'a str,
    /// Input dimension d (bias included).
    pub d: usize,
    /// Output dimension e.
    pub e: usize,
    /// The conserved quantities c_1, …, c_l.
    pub c: &'a [f64],
    /// The component label of the running network (one ±1 per two-sheeted neuron), to outline.
    pub highlight: Option<&'a [i8]>,
}

/// What [`draw_component_diagram`] draws, for captions and tests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiagramSummary {
    /// Number of two-sheeted neurons (l− when e = 1 and d ≥ 2).
    pub disconnected: usize,
    /// Number of connected components (2 to the `disconnected`).
    pub components: u128,
    /// Number of effective classes (our reading).
    pub classes: usize,
    /// Whether every component gets a cell (else one bar per class).
    pub detailed: bool,
    /// Cells drawn (detailed) or bars drawn (summary).
    pub cells: usize,
    /// Index of the class of the highlighted component, in drawing order.
    pub highlighted_class: Option<usize>,
    /// The highlighted component's sign vector as text, e.g. "(+,−)".
    pub highlighted_label: Option<String>,
}

/// The name of a class, e.g. "k = 2" (or "k = 2 | 1" when both kinds of two-sheeted neuron occur).
fn class_name(class: &Class, kinds: &[SheetKind]) -> String {
    let neg = kinds.contains(&SheetKind::Negative);
    let pos = kinds.contains(&SheetKind::Positive);
    match (neg, pos) {
        (true, true) => format!("k = {} | {}", class.plus.0, class.plus.1),
        (false, true) => format!("k = {}", class.plus.1),
        _ => format!("k = {}", class.plus.0),
    }
}

/// Checks the diagram and works out what it will show.
///
/// # Errors
/// [`ChartError`] naming the problem when d or e is 0, a c_k is not finite, there are more than
/// [`MAX_DIAGRAM_NEURONS`] two-sheeted neurons, or the highlight is not one ±1 per two-sheeted
/// neuron.
pub fn diagram_summary(diagram: &ComponentDiagram) -> Result<DiagramSummary, ChartError> {
    let (kinds, classes) = checked(diagram)?;
    let m = kinds.len();
    let components: u128 = classes.iter().map(|c| c.count).sum();
    let detailed = m <= MAX_DETAILED_NEURONS;
    let highlighted_class = diagram.highlight.map(|h| {
        let key = class_of(&kinds, h);
        classes.iter().position(|c| c.plus == key).unwrap_or(0)
    });
    Ok(DiagramSummary {
        disconnected: m,
        components,
        classes: classes.len(),
        detailed,
        cells: if detailed { 1usize << m } else { classes.len() },
        highlighted_class,
        highlighted_label: diagram.highlight.map(sign_label),
    })
}

fn checked(diagram: &ComponentDiagram) -> Result<(Vec<SheetKind>, Vec<Class>), ChartError> {
    topology::connected_components(diagram.d, diagram.e, diagram.c)
        .map(|_| ())
        .or_else(|e| match e {
            crate::core::error::TopologyError::Overflow { .. } => Ok(()),
            other => Err(ChartError(other.to_string())),
        })?;
    let kinds = sheet_kinds(diagram.d, diagram.e, diagram.c);
    if kinds.len() > MAX_DIAGRAM_NEURONS {
        return Err(ChartError(format!(
            "{} neurons with two sheets: the component diagram shows at most {MAX_DIAGRAM_NEURONS}",
            kinds.len()
        )));
    }
    if let Some(h) = diagram.highlight
        && (h.len() != kinds.len() || h.iter().any(|s| *s != 1 && *s != -1))
    {
        return Err(ChartError(format!(
            "the highlighted component {h:?} must have one sign (±1) for each of the {} \
             neurons with two sheets",
            kinds.len()
        )));
    }
    let classes = classes(&kinds)
        .ok_or_else(|| ChartError("the number of components does not fit in 128 bits".into()))?;
    Ok((kinds, classes))
}

/// Row height, cell width, label font size and row count of the detailed diagram.
#[derive(Debug, Clone, Copy)]
struct CellLayout {
    row_h: f64,
    cell_w: f64,
    font: f64,
    total_rows: usize,
}

/// The layout of classes of `sizes` cells in rows of `cols` cells within `grid_w` × `grid_h`
/// pixels, for labels of `label_chars` characters (`wanted`: the comfortable cell width).
fn cell_layout(
    sizes: &[usize],
    cols: usize,
    grid_w: f64,
    grid_h: f64,
    body: f64,
    label_chars: f64,
    wanted: f64,
) -> CellLayout {
    let total_rows: usize = sizes.iter().map(|n| n.div_ceil(cols).max(1)).sum();
    let row_h = (grid_h / total_rows as f64).min(body * 3.0);
    let cell_w = (grid_w / cols as f64).min(wanted * 1.5);
    let font = body
        .min(row_h * 0.6)
        .min(cell_w * 0.88 / (0.6 * label_chars));
    CellLayout {
        row_h,
        cell_w,
        font,
        total_rows,
    }
}

/// Draws the component diagram of H(c) into `area`, filling it white first.
///
/// # Errors
/// As [`diagram_summary`], and with the backend's message if drawing fails.
pub fn draw_component_diagram<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    diagram: &ComponentDiagram,
) -> Result<(), ChartError> {
    let (kinds, classes) = checked(diagram)?;
    let m = kinds.len();
    if m > MAX_DETAILED_NEURONS {
        let highlight = diagram.highlight.map(|h| class_of(&kinds, h));
        let bars: Vec<Bar> = classes
            .iter()
            .enumerate()
            .map(|(i, class)| Bar {
                label: class_name(class, &kinds),
                value: class.count,
                color: CLASS_TINTS[i % CLASS_TINTS.len()],
                highlight: highlight == Some(class.plus),
            })
            .collect();
        return draw_bar_chart(
            area,
            &BarChart {
                title: diagram.title,
                x_desc: "effective class (our reading): k = number of + signs",
                y_desc: "components in the class",
                bars: &bars,
            },
        );
    }

    let (fonts, w, h) = begin_titled_chart(area, diagram.title, "component diagram", 60)?;
    let body = fonts.body;
    let note = if m == 0 {
        "no neuron has two sheets: H(c) is connected".to_string()
    } else {
        "rows: effective classes (our reading), k = number of + signs; outlined: the running \
         network"
            .to_string()
    };
    // The note at 0.8 × body on one line, or on two (split at "; ") when one is too narrow; it is
    // shrunk only when even two lines do not fit.
    let fits = |text: &str, size: f64| 0.6 * size * text.chars().count() as f64 <= w - body;
    let lines: Vec<&str> = if fits(&note, body * 0.8) {
        vec![note.as_str()]
    } else {
        note.split_inclusive("; ").map(str::trim_end).collect()
    };
    let widest = lines.iter().map(|l| l.chars().count()).max().unwrap_or(1) as f64;
    let note_size = (body * 0.8).min((w - body) / (0.6 * widest));
    let note_style = (FontFamily::SansSerif, note_size)
        .into_font()
        .color(&INK)
        .pos(Pos::new(HPos::Center, VPos::Bottom));
    for (i, line) in lines.iter().rev().enumerate() {
        let y = h - body * 0.3 - i as f64 * note_size * 1.15;
        area.draw_text(line, &note_style, ((w / 2.0) as i32, y as i32))?;
    }
    let note_h = lines.len() as f64 * note_size * 1.15;

    // Members of each class, in drawing order.
    let mut members: Vec<Vec<Vec<i8>>> = vec![Vec::new(); classes.len()];
    for signs in sign_vectors(m) {
        let key = class_of(&kinds, &signs);
        if let Some(i) = classes.iter().position(|c| c.plus == key) {
            members[i].push(signs);
        }
    }
    let names: Vec<String> = classes.iter().map(|c| class_name(c, &kinds)).collect();
    let gutter = names
        .iter()
        .map(|n| text_width(n, body))
        .fold(0.0, f64::max)
        + body;
    let (gx0, gx1) = (body * 0.5 + gutter, w - body * 0.5);
    let (gy0, gy1) = (
        body * 0.4 + fonts.title * 1.7,
        h - (body * 0.6 + note_h).max(body * 1.6),
    );
    let grid_w = gx1 - gx0;
    let label_chars = sign_label(&vec![1; m]).chars().count() as f64;
    let wanted = (0.6 * body * label_chars + body * 1.4).max(body * 4.0);
    let widest_class = members.iter().map(Vec::len).max().unwrap_or(1).max(1);
    let gap = body * 0.35;
    let gaps = gap * (classes.len().saturating_sub(1)) as f64;
    let sizes: Vec<usize> = members.iter().map(Vec::len).collect();
    let grid_h = gy1 - gy0 - gaps;
    // The number of columns that gives the largest label font (the most columns on a tie).
    let (cols, layout) = (1..=widest_class)
        .map(|cols| {
            (
                cols,
                cell_layout(&sizes, cols, grid_w, grid_h, body, label_chars, wanted),
            )
        })
        .fold(
            None,
            |best: Option<(usize, CellLayout)>, (cols, l)| match best {
                Some((_, b)) if b.font > l.font => best,
                _ => Some((cols, l)),
            },
        )
        .ok_or_else(|| ChartError("component diagram has no cells".into()))?;
    let CellLayout {
        row_h,
        cell_w,
        font,
        total_rows,
    } = layout;
    if row_h < 6.0 {
        return Err(ChartError(
            "component diagram area is too small for its cells".into(),
        ));
    }
    let rows_of = |n: usize| n.div_ceil(cols).max(1);
    let block_h = row_h * total_rows as f64 + gaps;
    let x_start = gx0 + (grid_w - cell_w * cols as f64) / 2.0;
    let mut y = gy0 + ((gy1 - gy0) - block_h).max(0.0) / 2.0;
    let label_style = (FontFamily::SansSerif, font)
        .into_font()
        .color(&INK)
        .pos(Pos::new(HPos::Center, VPos::Center));
    let bold_style = (FontFamily::SansSerif, font, FontStyle::Bold)
        .into_font()
        .color(&INK)
        .pos(Pos::new(HPos::Center, VPos::Center));
    let gutter_style = (FontFamily::SansSerif, body.min(row_h * 0.7))
        .into_font()
        .color(&INK)
        .pos(Pos::new(HPos::Left, VPos::Center));
    let inset = (row_h * 0.08).clamp(1.0, 4.0);

    for (i, cells) in members.iter().enumerate() {
        let rows = rows_of(cells.len());
        let tint = CLASS_TINTS[i % CLASS_TINTS.len()];
        area.draw_text(
            &names[i],
            &gutter_style,
            ((body * 0.5) as i32, (y + row_h * rows as f64 / 2.0) as i32),
        )?;
        for (j, signs) in cells.iter().enumerate() {
            let (r, col) = (j / cols, j % cols);
            let x0 = x_start + cell_w * col as f64 + inset;
            let y0 = y + row_h * r as f64 + inset;
            let (x1, y1) = (x0 + cell_w - 2.0 * inset, y0 + row_h - 2.0 * inset);
            let (a, b) = ((x0 as i32, y0 as i32), (x1 as i32, y1 as i32));
            area.draw(&Rectangle::new([a, b], tint.filled()))?;
            let current = diagram.highlight == Some(signs.as_slice());
            let style = if current {
                outline(area, a, b, INK, 4)?;
                &bold_style
            } else {
                &label_style
            };
            area.draw_text(
                &sign_label(signs),
                style,
                (((x0 + x1) / 2.0) as i32, ((y0 + y1) / 2.0) as i32),
            )?;
        }
        y += row_h * rows as f64 + gap;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::present::charts::svg_texts;

    fn render(diagram: &ComponentDiagram, size: (u32, u32)) -> Result<String, ChartError> {
        let mut svg = String::new();
        {
            let root = SVGBackend::with_string(&mut svg, size).into_drawing_area();
            draw_component_diagram(&root, diagram)?;
            root.present()?;
        }
        Ok(svg)
    }

    /// Rectangles filled with one of the class tints: the cells (or bars).
    fn tinted_rects(svg: &str) -> usize {
        svg.split("<rect")
            .skip(1)
            .filter(|r| {
                CLASS_TINTS
                    .iter()
                    .any(|t| r.contains(&format!("fill=\"#{:02X}{:02X}{:02X}\"", t.0, t.1, t.2)))
            })
            .count()
    }

    fn diagram<'a>(c: &'a [f64], highlight: Option<&'a [i8]>) -> ComponentDiagram<'a> {
        ComponentDiagram {
            title: "Components of H(c)",
            d: 2,
            e: 1,
            c,
            highlight,
        }
    }

    #[test]
    fn fig2b_four_cells_three_classes_with_the_running_component_outlined() -> Result<(), ChartError>
    {
        let c = [-1.0, -1.0];
        let d = diagram(&c, Some(&[1, 1]));
        let s = diagram_summary(&d)?;
        assert_eq!((s.components, s.classes, s.cells), (4, 3, 4));
        assert!(s.detailed);
        assert_eq!(s.highlighted_class, Some(2));
        assert_eq!(s.highlighted_label.as_deref(), Some("(+,+)"));
        let svg = render(&d, (700, 420))?;
        assert_eq!(tinted_rects(&svg), 4);
        let texts = svg_texts(&svg);
        for t in [
            "(+,+)",
            "(+,−)",
            "(−,+)",
            "(−,−)",
            "k = 0",
            "k = 1",
            "k = 2",
        ] {
            assert!(texts.iter().any(|x| x == t), "missing {t}: {texts:?}");
        }
        assert!(texts.iter().any(|x| x.contains("our reading")));
        // Exactly one thick outline: the running network's component.
        assert_eq!(svg.matches("stroke-width=\"4\"").count(), 1);
        // The (+,−) and (−,+) cells share a tint (same class): 3 distinct tints for 4 cells.
        let tints = CLASS_TINTS
            .iter()
            .filter(|t| svg.contains(&format!("fill=\"#{:02X}{:02X}{:02X}\"", t.0, t.1, t.2)))
            .count();
        assert_eq!(tints, 3);
        // Without a highlight nothing is outlined.
        let svg = render(&diagram(&c, None), (700, 420))?;
        assert_eq!(svg.matches("stroke-width=\"4\"").count(), 0);
        Ok(())
    }

    #[test]
    fn six_pathological_neurons_draw_64_labelled_cells() -> Result<(), ChartError> {
        let c = [-1.0, -0.2, 0.5, -3.0, -1.0, 2.0, -0.1, -0.7];
        let label = [1, -1, 1, 1, -1, -1];
        let d = diagram(&c, Some(&label));
        let s = diagram_summary(&d)?;
        assert_eq!(
            (s.disconnected, s.components, s.classes, s.cells),
            (6, 64, 7, 64)
        );
        let svg = render(&d, (1000, 640))?;
        assert_eq!(tinted_rects(&svg), 64);
        let texts = svg_texts(&svg);
        let labels = texts.iter().filter(|t| t.starts_with('(')).count();
        assert_eq!(labels, 64);
        assert!(texts.iter().any(|t| t == "(+,−,+,+,−,−)"));
        assert_eq!(svg.matches("stroke-width=\"4\"").count(), 1);
        Ok(())
    }

    #[test]
    fn beyond_six_the_diagram_summarises_one_bar_per_class() -> Result<(), ChartError> {
        let c = [-1.0; 7];
        let label = [1, 1, -1, 1, -1, -1, -1];
        let d = diagram(&c, Some(&label));
        let s = diagram_summary(&d)?;
        assert_eq!((s.components, s.classes, s.cells), (128, 8, 8));
        assert!(!s.detailed);
        assert_eq!(s.highlighted_class, Some(3));
        let svg = render(&d, (900, 500))?;
        assert_eq!(tinted_rects(&svg), 8);
        let texts = svg_texts(&svg);
        // Class counts binomial(7, k): 1, 7, 21, 35, 35, 21, 7, 1.
        for t in ["1", "7", "21", "35", "k = 0", "k = 7"] {
            assert!(texts.iter().any(|x| x == t), "missing {t}: {texts:?}");
        }
        assert!(texts.iter().any(|x| x.contains("our reading")));
        assert_eq!(svg.matches("stroke-width=\"3\"").count(), 1);
        Ok(())
    }

    #[test]
    fn a_connected_h_draws_one_cell_and_bad_input_is_refused() -> Result<(), ChartError> {
        let c = [1.0, 0.5, 0.0];
        let d = diagram(&c, Some(&[]));
        assert_eq!(diagram_summary(&d)?.cells, 1);
        let svg = render(&d, (500, 300))?;
        assert_eq!(tinted_rects(&svg), 1);
        assert!(svg_texts(&svg).iter().any(|t| t == "( )"));
        // Wrong highlight length or values, NaN, zero dimension, too many neurons.
        assert!(diagram_summary(&diagram(&[-1.0], Some(&[1, 1]))).is_err());
        assert!(diagram_summary(&diagram(&[-1.0], Some(&[0]))).is_err());
        assert!(diagram_summary(&diagram(&[f64::NAN], None)).is_err());
        let mut zero_d = diagram(&c, None);
        zero_d.d = 0;
        assert!(diagram_summary(&zero_d).is_err());
        let many = vec![-1.0; MAX_DIAGRAM_NEURONS + 1];
        assert!(diagram_summary(&diagram(&many, None)).is_err());
        let most = vec![-1.0; MAX_DIAGRAM_NEURONS];
        assert_eq!(diagram_summary(&diagram(&most, None))?.classes, 121);
        Ok(())
    }

    #[test]
    fn d_equal_one_mixes_two_kinds_of_class() -> Result<(), ChartError> {
        // d = e = 1: every nonzero c_k gives two sheets; classes (a | b).
        let c = [1.0, -1.0, -2.0];
        let d = ComponentDiagram {
            title: "d = e = 1",
            d: 1,
            e: 1,
            c: &c,
            highlight: Some(&[1, -1, 1]),
        };
        let s = diagram_summary(&d)?;
        assert_eq!((s.components, s.classes), (8, 6));
        let svg = render(&d, (800, 500))?;
        assert_eq!(tinted_rects(&svg), 8);
        assert!(svg_texts(&svg).iter().any(|t| t == "k = 1 | 1"));
        Ok(())
    }
}
