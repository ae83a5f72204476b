//! Contour maps of a function of two variables, with a descent path.

use std::path::Path;

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::Color as _;

use super::chart::{Legend, Marker};
use super::color::{viridis, Color};
use super::legend::{draw_legend, marker_element, LegendEntry};
use super::output::{
    axis_labeler, check_range, check_size, clip_polyline, data_range, plot_err, render_png,
    tick_label, Area, FONT,
};
use crate::{Error, Result};

/// Which values the contour lines are drawn at.
#[derive(Clone, Debug, PartialEq)]
pub enum Levels {
    /// `n` levels evenly spaced strictly between the smallest and the largest
    /// value on the grid.
    Linear(usize),
    /// `n` levels at min + (max − min)·(k / (n + 1))², k = 1..=n: denser near
    /// the minimum, so the contours of a quadratic bowl (a squared-error
    /// cost) come out evenly spaced and the end of a descent path is not in
    /// an empty region.
    Squared(usize),
    /// Exactly these levels (any order; non-finite ones are ignored).
    Values(Vec<f64>),
}

/// Options of [`contour`].
#[derive(Clone, Debug, PartialEq)]
pub struct ContourOptions {
    /// Picture size in pixels; 800×640 by default.
    pub size: (u32, u32),
    /// Name of the horizontal axis (the function's first argument).
    pub x_label: String,
    /// Name of the vertical axis (the function's second argument).
    pub y_label: String,
    /// The contour levels; `Squared(14)` by default.
    pub levels: Levels,
    /// Fill the bands between levels with colour (viridis: dark is low); if
    /// false only the lines are drawn, coloured by level.
    pub filled: bool,
    /// Grid cells per axis at which the function is sampled (at least 4);
    /// 160 by default.
    pub resolution: usize,
    /// Colour of the descent path.
    pub path_color: Color,
    /// Legend name of the descent path.
    pub path_label: String,
    /// Draw a colour bar with the level values on the right.
    pub colorbar: bool,
}

impl Default for ContourOptions {
    fn default() -> Self {
        ContourOptions {
            size: (800, 640),
            x_label: "x".into(),
            y_label: "y".into(),
            levels: Levels::Squared(14),
            filled: true,
            resolution: 160,
            path_color: Color::RED,
            path_label: "gradient descent".into(),
            colorbar: true,
        }
    }
}

/// Draws the contour map of `f` over `x_range` × `y_range`, with the points
/// of `descent` joined in order on top (a square marks the start), and writes
/// a PNG at `path`.
///
/// # Errors
///
/// [`Error::Invalid`] for a bad range, size or resolution, or when `f` is
/// not finite anywhere on the grid; otherwise as for
/// [`line_chart`](super::line_chart).
///
/// ```
/// use nn::plot::{contour, ContourOptions};
/// let e = |w: f64, b: f64| (w - 1.0).powi(2) + 0.5 * (b + 0.5).powi(2);
/// let steps = [(-2.0, 1.5), (-0.8, 1.0), (0.0, 0.5), (0.5, 0.1), (0.8, -0.2)];
/// let options = ContourOptions { x_label: "w".into(), y_label: "b".into(), ..Default::default() };
/// let path = std::env::temp_dir().join("nn-doc-contour.png");
/// contour(&path, "e(w, b)", e, (-3.0, 3.0), (-2.0, 2.0), &steps, &options)?;
/// # Ok::<(), nn::Error>(())
/// ```
pub fn contour(
    path: impl AsRef<Path>,
    title: &str,
    f: impl Fn(f64, f64) -> f64,
    x_range: (f64, f64),
    y_range: (f64, f64),
    descent: &[(f64, f64)],
    options: &ContourOptions,
) -> Result<()> {
    check_range("contour x range", x_range)?;
    check_range("contour y range", y_range)?;
    check_size("contour size", options.size)?;
    if options.resolution < 4 || options.resolution > 2000 {
        return Err(Error::invalid(
            "contour resolution",
            "4..=2000 cells per axis",
            options.resolution,
        ));
    }
    let n = options.resolution + 1;
    let grid = Grid::sample(x_range, y_range, n, n, &f);
    let (lo, hi) = data_range(grid.values.iter().copied(), 0.0).ok_or_else(|| {
        Error::invalid(
            "contour function",
            "a finite value somewhere on the grid",
            "none",
        )
    })?;
    let levels = level_values(&options.levels, lo, hi);
    if levels.is_empty() {
        return Err(Error::invalid(
            "contour levels",
            format!("at least one finite level (values range over [{lo}, {hi}])"),
            format!("{:?}", options.levels),
        ));
    }
    let filled = options.filled;
    let band_color = |band: usize| {
        let c = viridis(band as f64 / levels.len() as f64);
        if filled {
            c.mix(Color::WHITE, 0.25)
        } else {
            c
        }
    };
    render_png(path.as_ref(), options.size, |root| {
        let (w, _) = root.dim_in_pixel();
        let (main, bar) = if options.colorbar {
            root.split_horizontally(w.saturating_sub(110))
        } else {
            root.split_horizontally(w)
        };
        let mut chart = ChartBuilder::on(&main)
            .caption(title, (FONT, 26))
            .margin(16)
            .x_label_area_size(52)
            .y_label_area_size(70)
            .build_cartesian_2d(x_range.0..x_range.1, y_range.0..y_range.1)
            .map_err(plot_err("laying out the contour map"))?;
        let (x_fmt, y_fmt) = (axis_labeler(x_range), axis_labeler(y_range));
        chart
            .configure_mesh()
            .disable_mesh()
            .x_desc(options.x_label.as_str())
            .y_desc(options.y_label.as_str())
            .axis_desc_style((FONT, 20))
            .label_style((FONT, 15))
            .x_label_formatter(&x_fmt)
            .y_label_formatter(&y_fmt)
            .draw()
            .map_err(plot_err("drawing the axes"))?;
        if options.filled {
            let cells = (0..n - 1).flat_map(|j| (0..n - 1).map(move |i| (i, j)));
            chart
                .draw_series(cells.filter_map(|(i, j)| {
                    let v = grid.cell_mean(i, j)?;
                    let band = levels.partition_point(|&l| l <= v);
                    let (x0, y0) = grid.coord(i as f64, j as f64);
                    let (x1, y1) = grid.coord((i + 1) as f64, (j + 1) as f64);
                    Some(Rectangle::new(
                        [(x0, y0), (x1, y1)],
                        band_color(band).rgb_color().filled(),
                    ))
                }))
                .map_err(plot_err("filling the contour bands"))?;
        }
        for (k, &level) in levels.iter().enumerate() {
            let color = if options.filled {
                RGBColor(50, 50, 50).mix(0.55)
            } else {
                viridis(k as f64 / levels.len().max(2) as f64 * 0.9)
                    .rgb_color()
                    .to_rgba()
            };
            let width = if options.filled { 1 } else { 2 };
            let segments = grid.iso_segments(level);
            chart
                .draw_series(segments.into_iter().map(|[a, b]| {
                    PathElement::new(vec![a, b], ShapeStyle::from(color).stroke_width(width))
                }))
                .map_err(plot_err("drawing contour lines"))?;
        }
        draw_descent(root, &mut chart, descent, options)?;
        if options.colorbar {
            draw_colorbar(&bar, &levels, &band_color)?;
        }
        Ok(())
    })
}

fn draw_descent(
    root: &Area<'_>,
    chart: &mut ChartContext<
        '_,
        BitMapBackend<'_>,
        Cartesian2d<plotters::coord::types::RangedCoordf64, plotters::coord::types::RangedCoordf64>,
    >,
    descent: &[(f64, f64)],
    options: &ContourOptions,
) -> Result<()> {
    if descent.is_empty() {
        return Ok(());
    }
    let (xs, ys) = (chart.x_range(), chart.y_range());
    let (x_box, y_box) = ((xs.start, xs.end), (ys.start, ys.end));
    let rgb = options.path_color.rgb_color();
    let stroke = ShapeStyle::from(rgb).stroke_width(2);
    for piece in clip_polyline(descent, x_box, y_box) {
        chart
            .draw_series(LineSeries::new(piece, stroke))
            .map_err(plot_err("drawing the descent path"))?;
    }
    let inside =
        |&(x, y): &(f64, f64)| x >= x_box.0 && x <= x_box.1 && y >= y_box.0 && y <= y_box.1;
    chart
        .draw_series(
            descent
                .iter()
                .enumerate()
                .filter(|(_, p)| inside(p))
                .map(|(i, &p)| {
                    let (shape, size) = if i == 0 {
                        (Marker::Square, 6)
                    } else {
                        (Marker::Circle, 4)
                    };
                    marker_element(shape, p, size, rgb, Some(WHITE))
                }),
        )
        .map_err(plot_err("drawing the descent steps"))?;
    let entry = LegendEntry {
        name: options.path_label.clone(),
        line: true,
        dashed: false,
        marker: Some(Marker::Circle),
        width: 2,
        size: 4,
        color: rgb,
    };
    let entries = if options.path_label.is_empty() {
        vec![]
    } else {
        vec![entry]
    };
    let (xs, ys) = chart.plotting_area().get_pixel_range();
    draw_legend(root, (xs, ys), &entries, Legend::UpperRight)?;
    Ok(())
}

/// A vertical colour bar: one equal-height band per interval between
/// levels, lowest at the bottom, each boundary labelled with its level (every
/// k-th when they would crowd).
fn draw_colorbar(
    bar: &Area<'_>,
    levels: &[f64],
    band_color: &dyn Fn(usize) -> Color,
) -> Result<()> {
    let (_, h) = bar.dim_in_pixel();
    let (top, bottom) = (58, h as i32 - 68);
    let (left, right) = (8, 32);
    let bands = levels.len() + 1;
    let band_h = f64::from(bottom - top) / bands as f64;
    let y_of = |k: usize| bottom - (k as f64 * band_h).round() as i32;
    for b in 0..bands {
        bar.draw(&Rectangle::new(
            [(left, y_of(b + 1)), (right, y_of(b))],
            band_color(b).rgb_color().filled(),
        ))
        .map_err(plot_err("drawing the colour bar"))?;
    }
    bar.draw(&Rectangle::new(
        [(left, top), (right, bottom)],
        RGBColor(120, 120, 120),
    ))
    .map_err(plot_err("drawing the colour bar"))?;
    let every = (18.0 / band_h).ceil().max(1.0) as usize;
    let style = TextStyle::from((FONT, 13).into_font()).pos(Pos::new(HPos::Left, VPos::Center));
    for (k, &level) in levels.iter().enumerate() {
        let boundary = k + 1;
        if boundary % every != 0 {
            continue;
        }
        let y = y_of(boundary);
        bar.draw(&PathElement::new(
            vec![(right, y), (right + 4, y)],
            RGBColor(120, 120, 120),
        ))
        .map_err(plot_err("drawing the colour bar"))?;
        bar.draw(&Text::new(tick_label(level), (right + 7, y), style.clone()))
            .map_err(plot_err("drawing the colour bar labels"))?;
    }
    Ok(())
}

/// The level values for `levels` over a grid whose values span [lo, hi],
/// sorted, finite, without duplicates.
fn level_values(levels: &Levels, lo: f64, hi: f64) -> Vec<f64> {
    let mut v: Vec<f64> = match levels {
        Levels::Linear(n) => (1..=*n)
            .map(|k| round_significant(lo + (hi - lo) * k as f64 / (*n + 1) as f64, 2))
            .collect(),
        Levels::Squared(n) => (1..=*n)
            .map(|k| round_significant(lo + (hi - lo) * (k as f64 / (*n + 1) as f64).powi(2), 2))
            .collect(),
        Levels::Values(v) => v.clone(),
    };
    v.retain(|l| l.is_finite());
    v.sort_by(f64::total_cmp);
    v.dedup();
    v
}

/// `v` rounded to `digits` significant digits, so automatic levels read well.
fn round_significant(v: f64, digits: i32) -> f64 {
    if v == 0.0 || !v.is_finite() {
        return v;
    }
    let scale = 10f64.powi(digits - 1 - v.abs().log10().floor() as i32);
    (v * scale).round() / scale
}

/// Samples of a function on a regular grid of `nx` × `ny` points covering
/// the ranges corner to corner; row-major, row 0 at the low end of y.
pub(crate) struct Grid {
    pub(crate) nx: usize,
    pub(crate) ny: usize,
    pub(crate) x_range: (f64, f64),
    pub(crate) y_range: (f64, f64),
    pub(crate) values: Vec<f64>,
}

impl Grid {
    pub(crate) fn sample(
        x_range: (f64, f64),
        y_range: (f64, f64),
        nx: usize,
        ny: usize,
        f: impl Fn(f64, f64) -> f64,
    ) -> Grid {
        let mut grid = Grid {
            nx,
            ny,
            x_range,
            y_range,
            values: Vec::with_capacity(nx * ny),
        };
        for j in 0..ny {
            for i in 0..nx {
                let (x, y) = grid.coord(i as f64, j as f64);
                grid.values.push(f(x, y));
            }
        }
        grid
    }

    /// The point at fractional grid index (i, j).
    pub(crate) fn coord(&self, i: f64, j: f64) -> (f64, f64) {
        let (x0, x1) = self.x_range;
        let (y0, y1) = self.y_range;
        (
            x0 + (x1 - x0) * i / (self.nx - 1) as f64,
            y0 + (y1 - y0) * j / (self.ny - 1) as f64,
        )
    }

    fn at(&self, i: usize, j: usize) -> f64 {
        self.values[j * self.nx + i]
    }

    /// The mean of the cell's four corners, if all are finite.
    fn cell_mean(&self, i: usize, j: usize) -> Option<f64> {
        let m =
            (self.at(i, j) + self.at(i + 1, j) + self.at(i, j + 1) + self.at(i + 1, j + 1)) / 4.0;
        m.is_finite().then_some(m)
    }

    /// The segments of the curve `value = level` by marching squares, with
    /// linear interpolation along cell edges and saddles resolved by the
    /// cell's mean. Cells with a non-finite corner are skipped.
    pub(crate) fn iso_segments(&self, level: f64) -> Vec<[(f64, f64); 2]> {
        let mut out = Vec::new();
        for j in 0..self.ny.saturating_sub(1) {
            for i in 0..self.nx.saturating_sub(1) {
                // Corners counter-clockwise from the bottom left.
                let c = [
                    self.at(i, j),
                    self.at(i + 1, j),
                    self.at(i + 1, j + 1),
                    self.at(i, j + 1),
                ];
                if c.iter().any(|v| !v.is_finite()) {
                    continue;
                }
                let high = c.map(|v| v > level);
                if high.iter().all(|&h| h) || high.iter().all(|&h| !h) {
                    continue;
                }
                // Edge k joins corner k and corner k+1: bottom, right, top, left.
                let corner_pos = [(0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 1.0)];
                let crossing = |k: usize| {
                    let (a, b) = (k, (k + 1) % 4);
                    let t = (level - c[a]) / (c[b] - c[a]);
                    let (pa, pb) = (corner_pos[a], corner_pos[b]);
                    self.coord(
                        i as f64 + pa.0 + (pb.0 - pa.0) * t,
                        j as f64 + pa.1 + (pb.1 - pa.1) * t,
                    )
                };
                let crossed: Vec<usize> =
                    (0..4).filter(|&k| high[k] != high[(k + 1) % 4]).collect();
                if crossed.len() == 2 {
                    out.push([crossing(crossed[0]), crossing(crossed[1])]);
                } else {
                    // A saddle: isolate the two corners on the other side of
                    // the centre. Corner k is cut off by edges k−1 and k.
                    let centre_high = c.iter().sum::<f64>() / 4.0 > level;
                    for k in (0..4).filter(|&k| high[k] != centre_high) {
                        out.push([crossing((k + 3) % 4), crossing(k)]);
                    }
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_segments_of_a_circle_lie_on_it() {
        let grid = Grid::sample((-2.0, 2.0), (-2.0, 2.0), 81, 81, |x, y| x * x + y * y);
        let segments = grid.iso_segments(1.0);
        assert!(segments.len() > 50, "{} segments", segments.len());
        for [a, b] in segments {
            for (x, y) in [a, b] {
                let r = (x * x + y * y).sqrt();
                assert!((r - 1.0).abs() < 0.01, "point ({x}, {y}) at radius {r}");
            }
        }
    }

    #[test]
    fn iso_segments_resolve_a_saddle_by_the_centre() {
        // x·y = 0.1: two branches in opposite quadrants, never crossing the centre.
        let grid = Grid::sample((-1.0, 1.0), (-1.0, 1.0), 3, 3, |x, y| x * y);
        let segments = grid.iso_segments(0.1);
        for [a, b] in segments {
            assert!(
                a.0 * b.0 >= 0.0 && a.1 * b.1 >= 0.0,
                "segment {a:?}–{b:?} crosses an axis"
            );
        }
    }

    #[test]
    fn levels_are_sorted_and_inside_the_range() {
        let l = level_values(&Levels::Linear(3), 0.0, 4.0);
        assert_eq!(l, vec![1.0, 2.0, 3.0]);
        let r = level_values(&Levels::Linear(2), 0.0, 1.0);
        assert_eq!(r, vec![0.33, 0.67]);
        let s = level_values(&Levels::Squared(3), 0.0, 16.0);
        assert_eq!(s, vec![1.0, 4.0, 9.0]);
        let v = level_values(&Levels::Values(vec![3.0, f64::NAN, 1.0, 3.0]), 0.0, 1.0);
        assert_eq!(v, vec![1.0, 3.0]);
    }
}
