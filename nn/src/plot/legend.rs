//! What the line charts, contour maps and surfaces share: point markers
//! and the legend box.

use std::ops::Range;

use plotters::element::ComposedElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::chart::{Legend, Marker};
use super::output::{plot_err, Area, FONT};
use crate::Result;

type Px = (i32, i32);

/// A marker element: a filled polygon, optionally outlined, anchored at a
/// point of any coordinate system with its shape in pixels around it.
pub(crate) type MarkerElement<C, DB> = ComposedElement<C, DB, Polygon<Px>, PathElement<Px>>;

/// A `marker` of half-width `size` pixels at `at`, filled with `color` and,
/// if `outline` is given, ringed with it.
pub(crate) fn marker_element<C, DB: DrawingBackend>(
    marker: Marker,
    at: C,
    size: i32,
    color: RGBColor,
    outline: Option<RGBColor>,
) -> MarkerElement<C, DB> {
    let s = size.max(1);
    let vertices: Vec<Px> = match marker {
        Marker::Circle => (0..20)
            .map(|k| {
                let a = k as f64 / 20.0 * std::f64::consts::TAU;
                (
                    (f64::from(s) * a.cos()).round() as i32,
                    (f64::from(s) * a.sin()).round() as i32,
                )
            })
            .collect(),
        Marker::Square => vec![(-s, -s), (s, -s), (s, s), (-s, s)],
        Marker::Triangle => {
            let h = s + s / 3;
            vec![(0, -h), (h, h * 2 / 3), (-h, h * 2 / 3)]
        }
        Marker::Diamond => {
            let h = s + s / 3;
            vec![(0, -h), (h, 0), (0, h), (-h, 0)]
        }
        Marker::Cross => {
            let w = (s / 3).max(1);
            vec![
                (0, -w),
                (s - w, -s),
                (s, -s + w),
                (w, 0),
                (s, s - w),
                (s - w, s),
                (0, w),
                (-s + w, s),
                (-s, s - w),
                (-w, 0),
                (-s, -s + w),
                (-s + w, -s),
            ]
        }
    };
    let ring: Vec<Px> = match outline {
        Some(_) => vertices
            .iter()
            .copied()
            .chain(vertices.first().copied())
            .collect(),
        None => Vec::new(),
    };
    let outline_style = ShapeStyle::from(outline.unwrap_or(color)).stroke_width(1);
    EmptyElement::at(at)
        + Polygon::new(vertices, color.filled())
        + PathElement::new(ring, outline_style)
}

/// One row of a legend: a sample of the line and marker, and the name.
pub(crate) struct LegendEntry {
    pub(crate) name: String,
    pub(crate) line: bool,
    pub(crate) dashed: bool,
    pub(crate) marker: Option<Marker>,
    pub(crate) width: u32,
    pub(crate) size: i32,
    pub(crate) color: RGBColor,
}

/// Draws a legend box in a corner of the plot whose pixel extent is `plot`.
pub(crate) fn draw_legend(
    root: &Area<'_>,
    plot: (Range<i32>, Range<i32>),
    entries: &[LegendEntry],
    position: Legend,
) -> Result<()> {
    if entries.is_empty() || position == Legend::Hidden {
        return Ok(());
    }
    const PAD: i32 = 10;
    const ROW: i32 = 26;
    const GLYPH: i32 = 30;
    const MARGIN: i32 = 12;
    let font = TextStyle::from((FONT, 17).into_font()).pos(Pos::new(HPos::Left, VPos::Center));
    let mut text_w = 0;
    for e in entries {
        let (w, _) = root
            .estimate_text_size(&e.name, &font)
            .map_err(plot_err("measuring legend text"))?;
        text_w = text_w.max(w as i32);
    }
    let box_w = PAD + GLYPH + 8 + text_w + PAD;
    let box_h = PAD + ROW * entries.len() as i32 + PAD - 6;
    let (xs, ys) = plot;
    let x = match position {
        Legend::UpperLeft | Legend::LowerLeft => xs.start + MARGIN,
        _ => xs.end - MARGIN - box_w,
    };
    let y = match position {
        Legend::LowerLeft | Legend::LowerRight => ys.end - MARGIN - box_h,
        _ => ys.start + MARGIN,
    };
    let frame = [(x, y), (x + box_w, y + box_h)];
    root.draw(&Rectangle::new(frame, WHITE.mix(0.9).filled()))
        .map_err(plot_err("drawing the legend"))?;
    root.draw(&Rectangle::new(frame, RGBColor(160, 160, 160)))
        .map_err(plot_err("drawing the legend"))?;
    for (i, e) in entries.iter().enumerate() {
        let cy = y + PAD + ROW * i as i32 + (ROW - 6) / 2;
        let x0 = x + PAD;
        let stroke = ShapeStyle::from(e.color).stroke_width(e.width);
        let segments: &[(i32, i32)] = match (e.line, e.dashed) {
            (false, _) => &[],
            (true, false) => &[(0, GLYPH)],
            (true, true) => &[(0, 10), (20, GLYPH)],
        };
        for &(a, b) in segments {
            root.draw(&PathElement::new(vec![(x0 + a, cy), (x0 + b, cy)], stroke))
                .map_err(plot_err("drawing the legend"))?;
        }
        if let Some(m) = e.marker {
            root.draw(&marker_element(
                m,
                (x0 + GLYPH / 2, cy),
                e.size,
                e.color,
                None,
            ))
            .map_err(plot_err("drawing the legend"))?;
        }
        root.draw(&Text::new(
            e.name.as_str(),
            (x0 + GLYPH + 8, cy),
            font.clone(),
        ))
        .map_err(plot_err("drawing the legend"))?;
    }
    Ok(())
}
