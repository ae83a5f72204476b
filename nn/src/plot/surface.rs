//! 3-D surfaces of a function of two variables, with a descent path on them.

use std::path::Path;

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::Color as _;

use super::chart::Marker;
use super::color::{viridis, Color};
use super::contour::Grid;
use super::legend::marker_element;
use super::output::{
    axis_labeler, check_range, check_size, data_range, plot_err, render_png, FONT,
};
use crate::{Error, Result};

/// Options of [`surface3d`].
#[derive(Clone, Debug, PartialEq)]
pub struct SurfaceOptions {
    /// Picture size in pixels; 800×700 by default.
    pub size: (u32, u32),
    /// Name of the first argument's axis.
    pub x_label: String,
    /// Name of the second argument's axis.
    pub y_label: String,
    /// Name of the height axis (the function's value).
    pub z_label: String,
    /// Grid cells per axis (at least 2); 40 by default.
    pub resolution: usize,
    /// Rotation about the vertical axis, in radians; 0.6 by default.
    pub yaw: f64,
    /// Tilt towards the viewer, in radians; 0.35 by default.
    pub pitch: f64,
    /// Zoom factor of the box; 0.75 by default (larger fills more of the picture).
    pub scale: f64,
    /// The height range shown; by default the function's range on the grid.
    /// Values outside are clamped to it.
    pub z_range: Option<(f64, f64)>,
    /// Draw the grid cells' edges over the coloured surface.
    pub mesh: bool,
    /// Colour of the descent path.
    pub path_color: Color,
}

impl Default for SurfaceOptions {
    fn default() -> Self {
        SurfaceOptions {
            size: (800, 700),
            x_label: "x".into(),
            y_label: "y".into(),
            z_label: "z".into(),
            resolution: 40,
            yaw: 0.6,
            pitch: 0.35,
            scale: 0.75,
            z_range: None,
            mesh: true,
            path_color: Color::RED,
        }
    }
}

/// Draws the surface z = f(x, y) over `x_range` × `y_range` in 3-D,
/// coloured by height (viridis: dark is low), with the points of `descent`
/// lifted onto the surface and joined in order (a square marks the start),
/// and writes a PNG at `path`.
///
/// The cost surface e(w, b) with gradient descent on it, or a single
/// neuron's sigmoid output over the input plane (its "probability surface").
/// The path is drawn over the surface, so it stays visible where the surface
/// would hide it.
///
/// # Errors
///
/// [`Error::Invalid`] for a bad range, size, resolution or view, or when `f`
/// is not finite anywhere on the grid; otherwise as for
/// [`line_chart`](super::line_chart).
///
/// ```
/// use nn::plot::{surface3d, SurfaceOptions};
/// let e = |w: f64, b: f64| (w - 1.0).powi(2) + (b + 0.5).powi(2);
/// let steps = [(-2.0, 1.5), (-0.5, 0.5), (0.3, 0.0), (0.8, -0.4)];
/// let options = SurfaceOptions {
///     x_label: "w".into(), y_label: "b".into(), z_label: "e".into(), ..Default::default()
/// };
/// let path = std::env::temp_dir().join("nn-doc-surface.png");
/// surface3d(&path, "e(w, b)", e, (-3.0, 3.0), (-2.0, 2.0), &steps, &options)?;
/// # Ok::<(), nn::Error>(())
/// ```
pub fn surface3d(
    path: impl AsRef<Path>,
    title: &str,
    f: impl Fn(f64, f64) -> f64,
    x_range: (f64, f64),
    y_range: (f64, f64),
    descent: &[(f64, f64)],
    options: &SurfaceOptions,
) -> Result<()> {
    check_range("surface x range", x_range)?;
    check_range("surface y range", y_range)?;
    check_size("surface size", options.size)?;
    if !(2..=400).contains(&options.resolution) {
        return Err(Error::invalid(
            "surface resolution",
            "2..=400 cells per axis",
            options.resolution,
        ));
    }
    for (what, v) in [("yaw", options.yaw), ("pitch", options.pitch)] {
        if !v.is_finite() {
            return Err(Error::invalid(
                format!("surface {what}"),
                "a finite angle in radians",
                v,
            ));
        }
    }
    if !(options.scale.is_finite() && options.scale > 0.0) {
        return Err(Error::invalid(
            "surface scale",
            "a positive zoom factor",
            options.scale,
        ));
    }
    let n = options.resolution + 1;
    let grid = Grid::sample(x_range, y_range, n, n, &f);
    let z_range = match options.z_range {
        Some(r) => r,
        None => data_range(grid.values.iter().copied(), 0.0).ok_or_else(|| {
            Error::invalid(
                "surface function",
                "a finite value somewhere on the grid",
                "none",
            )
        })?,
    };
    check_range("surface z range", z_range)?;
    let (z0, z1) = z_range;
    let clamp_z = |z: f64| z.clamp(z0, z1);
    render_png(path.as_ref(), options.size, |root| {
        let mut chart = ChartBuilder::on(root)
            .caption(title, (FONT, 26))
            .margin(24)
            .build_cartesian_3d(x_range.0..x_range.1, z0..z1, y_range.0..y_range.1)
            .map_err(plot_err("laying out the 3-D chart"))?;
        chart.with_projection(|mut pb| {
            pb.yaw = options.yaw;
            pb.pitch = options.pitch;
            pb.scale = options.scale;
            pb.into_matrix()
        });
        let (x_fmt, z_fmt, y_fmt) = (
            axis_labeler(x_range),
            axis_labeler(z_range),
            axis_labeler(y_range),
        );
        chart
            .configure_axes()
            .label_style((FONT, 13))
            .x_formatter(&x_fmt)
            .y_formatter(&z_fmt)
            .z_formatter(&y_fmt)
            .max_light_lines(2)
            .light_grid_style(RGBColor(235, 235, 235))
            .bold_grid_style(RGBColor(200, 200, 200))
            .draw()
            .map_err(plot_err("drawing the 3-D axes"))?;

        // Painter's algorithm: far cells first. Larger projected depth is farther.
        let coord = chart.as_coord_spec().clone();
        let mut quads: Vec<Quad> = Vec::with_capacity((n - 1) * (n - 1));
        for j in 0..n - 1 {
            for i in 0..n - 1 {
                let idx = [(i, j), (i + 1, j), (i + 1, j + 1), (i, j + 1)];
                let vals = idx.map(|(a, b)| grid.values[b * n + a]);
                if vals.iter().any(|v| !v.is_finite()) {
                    continue;
                }
                let corners = [0, 1, 2, 3].map(|k| {
                    let (a, b) = idx[k];
                    let (x, y) = grid.coord(a as f64, b as f64);
                    (x, clamp_z(vals[k]), y)
                });
                let depth: i64 = corners
                    .iter()
                    .map(|(x, z, y)| i64::from(coord.projected_depth(x, z, y)))
                    .sum();
                let mean = vals.iter().sum::<f64>() / 4.0;
                quads.push(Quad {
                    depth,
                    corners,
                    mean,
                });
            }
        }
        quads.sort_by_key(|q| std::cmp::Reverse(q.depth));
        let edge = ShapeStyle::from(RGBColor(40, 40, 40).mix(0.35)).stroke_width(1);
        chart
            .draw_series(quads.iter().map(|Quad { corners, mean, .. }| {
                let c = viridis((mean - z0) / (z1 - z0)).rgb_color();
                Polygon::new(corners.to_vec(), c.filled())
            }))
            .map_err(plot_err("drawing the surface"))?;
        if options.mesh {
            chart
                .draw_series(quads.iter().map(|Quad { corners, .. }| {
                    let mut ring = corners.to_vec();
                    ring.push(corners[0]);
                    PathElement::new(ring, edge)
                }))
                .map_err(plot_err("drawing the surface mesh"))?;
        }

        let lifted: Vec<(f64, f64, f64)> = descent
            .iter()
            .filter(|(x, y)| x.is_finite() && y.is_finite())
            .map(|&(x, y)| (x, clamp_z(f(x, y)), y))
            .filter(|p| p.1.is_finite())
            .collect();
        if !lifted.is_empty() {
            let rgb = options.path_color.rgb_color();
            chart
                .draw_series(LineSeries::new(
                    lifted.iter().copied(),
                    ShapeStyle::from(rgb).stroke_width(3),
                ))
                .map_err(plot_err("drawing the descent path"))?;
            chart
                .draw_series(lifted.iter().enumerate().map(|(k, &p)| {
                    let (shape, size) = if k == 0 {
                        (Marker::Square, 6)
                    } else {
                        (Marker::Circle, 4)
                    };
                    marker_element(shape, p, size, rgb, Some(WHITE))
                }))
                .map_err(plot_err("drawing the descent steps"))?;
        }

        let labels = [&options.x_label, &options.z_label, &options.y_label];
        let lo = [x_range.0, z0, y_range.0];
        let hi = [x_range.1, z1, y_range.1];
        let text = TextStyle::from((FONT, 20).into_font())
            .color(&BLACK)
            .pos(Pos::new(HPos::Center, VPos::Center));
        for (axis, label) in labels.iter().enumerate() {
            if label.is_empty() {
                continue;
            }
            let at = axis_title_position(axis, lo, hi, &|p: [f64; 3]| {
                let s = coord.translate(&(p[0], p[1], p[2]));
                let d = coord.projected_depth(&p[0], &p[1], &p[2]);
                (s, d)
            });
            root.draw(&Text::new(label.as_str(), at, text.clone()))
                .map_err(plot_err("drawing an axis title"))?;
        }
        Ok(())
    })
}

/// One grid cell of the surface, in plotters' axis order (x, height, y).
struct Quad {
    /// Sum of the corners' projected depths (larger is farther).
    depth: i64,
    corners: [(f64, f64, f64); 4],
    /// Mean of the corner values: the cell's colour.
    mean: f64,
}

/// Where to put the title of `axis` (0 = x, 1 = vertical, 2 = depth): next
/// to the edge plotters draws that axis on (the nearest edge of the back
/// panels), pushed away from the box's centre on screen.
fn axis_title_position(
    axis: usize,
    lo: [f64; 3],
    hi: [f64; 3],
    project: &dyn Fn([f64; 3]) -> ((i32, i32), i32),
) -> (i32, i32) {
    let depth = |p: [f64; 3]| project(p).1;
    // The panel perpendicular to axis i sits at i's far end.
    let back: [f64; 3] = [0, 1, 2].map(|i| {
        let mut other = lo;
        other[i] = hi[i];
        if depth(lo) >= depth(other) {
            lo[i]
        } else {
            hi[i]
        }
    });
    let others: Vec<usize> = (0..3).filter(|&i| i != axis).collect();
    let mut candidates = Vec::new();
    // Edges parallel to `axis` on the back panel of one other axis `i`, at
    // either end of the third axis `j`.
    for (i, j) in [(others[0], others[1]), (others[1], others[0])] {
        for end in [lo[j], hi[j]] {
            let mut s = lo;
            s[i] = back[i];
            s[j] = end;
            let mut e = s;
            s[axis] = lo[axis];
            e[axis] = hi[axis];
            candidates.push((s, e));
        }
    }
    let (s, e) = candidates
        .into_iter()
        .min_by_key(|&(s, e)| {
            let (ps, ds) = project(s);
            let (pe, de) = project(e);
            (ds + de, ps.1 + pe.1)
        })
        .expect("four candidate edges");
    let mid = [0, 1, 2].map(|k| (s[k] + e[k]) / 2.0);
    let centre = [0, 1, 2].map(|k| (lo[k] + hi[k]) / 2.0);
    let (m, _) = project(mid);
    let (c, _) = project(centre);
    let (dx, dy) = if axis == 1 {
        (f64::from((m.0 - c.0).signum()), 0.0)
    } else {
        (f64::from(m.0 - c.0), f64::from(m.1 - c.1))
    };
    let len = (dx * dx + dy * dy).sqrt().max(1e-9);
    let push = if axis == 1 { 62.0 } else { 48.0 };
    (
        m.0 + (dx / len * push).round() as i32,
        m.1 + (dy / len * push).round() as i32,
    )
}
