//! Presentation: the charts, plain functions over any plotters backend ([`charts`]), and the
//! page's composed figures with their titles, colours and legends ([`figures`]). Uses the core and
//! the app's read-only records.

pub mod charts;
pub mod figures;
