//! Line charts and scatter plots with fitted curves.

use std::path::Path;

use plotters::coord::ranged1d::ValueFormatter;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;

use super::color::Color;
use super::legend::{draw_legend, marker_element, LegendEntry};
use super::output::{
    axis_labeler, check_range, check_size, clip_polyline, data_range, plot_err, render_png, Area,
    FONT,
};
use crate::{Error, Result};

/// The shape drawn at each point of a [`Series`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Marker {
    /// A filled disc.
    Circle,
    /// A filled square.
    Square,
    /// A filled triangle pointing up.
    Triangle,
    /// A filled diamond.
    Diamond,
    /// An × made of two strokes.
    Cross,
}

/// One named polyline and/or set of points of a [`line_chart`].
///
/// Points with a non-finite coordinate (a loss that blew up to `inf` or
/// `NaN`) are not drawn: the line breaks there instead of ruining the axes.
///
/// ```
/// use nn::plot::{Color, Marker, Series};
/// let train = Series::per_epoch("train loss", &[0.9, 0.5, 0.3]);
/// assert_eq!(train.points[0], (1.0, 0.9));
/// let steps = Series::path("descent", vec![(3.0, 9.0), (1.8, 3.24)]).color(Color::RED);
/// assert_eq!(steps.marker, Some(Marker::Circle));
/// let parabola = Series::from_fn("e = w²", (-3.0, 3.0), 61, |w| w * w);
/// assert_eq!(parabola.points.len(), 61);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Series {
    /// The name in the legend; an empty name leaves the series out of it.
    pub name: String,
    /// The (x, y) points, drawn in this order.
    pub points: Vec<(f64, f64)>,
    /// The colour; `None` takes the next colour of [`Color::palette`].
    pub color: Option<Color>,
    /// Whether consecutive points are joined by a line.
    pub line: bool,
    /// Whether that line is dashed.
    pub dashed: bool,
    /// The marker drawn at every point, if any.
    pub marker: Option<Marker>,
    /// Line width in pixels (markers scale with it).
    pub width: u32,
}

impl Series {
    /// A plain line through `points`.
    pub fn line(name: impl Into<String>, points: impl IntoIterator<Item = (f64, f64)>) -> Series {
        Series {
            name: name.into(),
            points: points.into_iter().collect(),
            color: None,
            line: true,
            dashed: false,
            marker: None,
            width: 2,
        }
    }

    /// A line through `values` against epochs 1, 2, 3, …: a loss or accuracy curve.
    pub fn per_epoch(name: impl Into<String>, values: &[f64]) -> Series {
        Series::line(
            name,
            values.iter().enumerate().map(|(i, &v)| ((i + 1) as f64, v)),
        )
    }

    /// `f` sampled at `samples` evenly spaced x over `x_range` (at least 2):
    /// a fitted line or S-curve.
    pub fn from_fn(
        name: impl Into<String>,
        x_range: (f64, f64),
        samples: usize,
        f: impl Fn(f64) -> f64,
    ) -> Series {
        let n = samples.max(2);
        let (a, b) = x_range;
        Series::line(
            name,
            (0..n).map(|i| {
                let x = a + (b - a) * i as f64 / (n - 1) as f64;
                (x, f(x))
            }),
        )
    }

    /// Markers only, no line: data points.
    pub fn points(name: impl Into<String>, points: impl IntoIterator<Item = (f64, f64)>) -> Series {
        Series {
            line: false,
            marker: Some(Marker::Circle),
            ..Series::line(name, points)
        }
    }

    /// A line with a marker at every point: the steps of gradient descent.
    pub fn path(name: impl Into<String>, points: impl IntoIterator<Item = (f64, f64)>) -> Series {
        Series {
            marker: Some(Marker::Circle),
            ..Series::line(name, points)
        }
    }

    /// The same series in colour `color`.
    pub fn color(mut self, color: Color) -> Series {
        self.color = Some(color);
        self
    }

    /// The same series with marker `marker` at every point.
    pub fn marker(mut self, marker: Marker) -> Series {
        self.marker = Some(marker);
        self
    }

    /// The same series with a dashed line (a test curve next to a train curve).
    pub fn dashed(mut self) -> Series {
        self.dashed = true;
        self
    }

    /// The same series with lines `width` pixels wide (at least 1).
    pub fn width(mut self, width: u32) -> Series {
        self.width = width.max(1);
        self
    }
}

/// Where the legend goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Legend {
    /// Top right corner inside the plot (the default: loss curves fall away from it).
    #[default]
    UpperRight,
    /// Top left corner inside the plot.
    UpperLeft,
    /// Bottom right corner inside the plot.
    LowerRight,
    /// Bottom left corner inside the plot.
    LowerLeft,
    /// No legend.
    Hidden,
}

/// Options of [`line_chart`] and [`scatter_with_curves`].
///
/// ```
/// use nn::plot::ChartOptions;
/// let log = ChartOptions { log_y: true, ..ChartOptions::default() };
/// assert_eq!(log.size, (800, 600));
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct ChartOptions {
    /// Picture size in pixels (width, height); 800×600 by default.
    pub size: (u32, u32),
    /// A logarithmic y axis (gradient norms per layer). Points with y ≤ 0
    /// cannot be placed on it and are left out (the line breaks there).
    pub log_y: bool,
    /// The x range shown; by default the data's, padded by 2 %.
    pub x_range: Option<(f64, f64)>,
    /// The y range shown; by default the data's, padded by 5 %.
    pub y_range: Option<(f64, f64)>,
    /// Where the legend goes.
    pub legend: Legend,
}

impl Default for ChartOptions {
    fn default() -> Self {
        ChartOptions {
            size: (800, 600),
            log_y: false,
            x_range: None,
            y_range: None,
            legend: Legend::UpperRight,
        }
    }
}

/// Draws named (x, y) series as lines and/or markers with axes, labels and
/// a legend, and writes a PNG at `path` (atomically: a failed render leaves
/// any previous file in place).
///
/// Loss curves (train and test), accuracy per epoch, gradient norms per layer
/// on a log axis ([`ChartOptions::log_y`]), a parabola with the steps of
/// gradient descent on it: anything made of polylines and points.
///
/// # Errors
///
/// [`Error::Invalid`] when there is no series, no finite point, a bad size
/// or range, or the path does not end in `.png`; [`Error::Io`] when the
/// directory does not exist or cannot be written; [`Error::Plot`] when
/// drawing fails.
///
/// ```
/// use nn::plot::{line_chart, ChartOptions, Series};
/// let path = std::env::temp_dir().join("nn-doc-loss.png");
/// line_chart(&path, "Loss", "epoch", "loss", &[
///     Series::per_epoch("train", &[0.8, 0.4, 0.25, 0.2]),
///     Series::per_epoch("test", &[0.9, 0.5, 0.35, 0.33]).dashed(),
/// ], &ChartOptions::default())?;
/// assert!(path.exists());
/// # Ok::<(), nn::Error>(())
/// ```
pub fn line_chart(
    path: impl AsRef<Path>,
    title: &str,
    x_label: &str,
    y_label: &str,
    series: &[Series],
    options: &ChartOptions,
) -> Result<()> {
    if series.is_empty() {
        return Err(Error::invalid(
            "line chart series",
            "at least one series",
            "none",
        ));
    }
    check_size("line chart size", options.size)?;
    let visible =
        |&(x, y): &(f64, f64)| x.is_finite() && y.is_finite() && (!options.log_y || y > 0.0);
    let all = || {
        series
            .iter()
            .flat_map(|s| s.points.iter().copied())
            .filter(visible)
    };
    if all().next().is_none() {
        let what = if options.log_y {
            "finite with y > 0 (log axis)"
        } else {
            "finite"
        };
        return Err(Error::invalid(
            "line chart points",
            format!("at least one point {what}"),
            "none",
        ));
    }
    let x_range = match options.x_range {
        Some(r) => r,
        None => data_range(all().map(|p| p.0), 0.02).expect("a visible point exists"),
    };
    check_range("line chart x range", x_range)?;
    let y_range = match options.y_range {
        Some(r) => r,
        None if options.log_y => {
            let (lo, hi) =
                data_range(all().map(|p| p.1.log10()), 0.05).expect("a visible point exists");
            (10f64.powf(lo), 10f64.powf(hi))
        }
        None => data_range(all().map(|p| p.1), 0.05).expect("a visible point exists"),
    };
    check_range("line chart y range", y_range)?;
    if options.log_y && y_range.0 <= 0.0 {
        return Err(Error::invalid(
            "line chart y range on a log axis",
            "a positive lower bound",
            y_range.0,
        ));
    }
    let styled: Vec<(Color, &Series)> = series
        .iter()
        .enumerate()
        .map(|(i, s)| (s.color.unwrap_or_else(|| Color::palette(i)), s))
        .collect();
    render_png(path.as_ref(), options.size, |root| {
        let mut builder = ChartBuilder::on(root);
        builder
            .caption(title, (FONT, 26))
            .margin(16)
            .x_label_area_size(52)
            .y_label_area_size(78);
        let (x0, x1) = x_range;
        let (y0, y1) = y_range;
        if options.log_y {
            let mut chart = builder
                .build_cartesian_2d(x0..x1, (y0..y1).log_scale())
                .map_err(plot_err("laying out the chart"))?;
            draw_chart(root, &mut chart, x_label, y_label, &styled, options)
        } else {
            let mut chart = builder
                .build_cartesian_2d(x0..x1, y0..y1)
                .map_err(plot_err("laying out the chart"))?;
            draw_chart(root, &mut chart, x_label, y_label, &styled, options)
        }
    })
}

/// Draws 1-D data points (the beans: size against toxicity) as grey discs,
/// named "data" in the legend, with one or more named curves over them, and
/// writes a PNG at `path`. For another name or colour of the points, give
/// them to [`line_chart`] as a [`Series::points`].
///
/// The course draws each hidden neuron's S-curve (blue, red) and their sum
/// (green) over the beans: give those as [`Series::from_fn`] curves with
/// colours. Errors as for [`line_chart`].
///
/// ```
/// use nn::plot::{scatter_with_curves, ChartOptions, Color, Series};
/// let beans = [(0.1, 0.12), (0.4, 0.38), (0.7, 0.71), (0.9, 0.92)];
/// let path = std::env::temp_dir().join("nn-doc-beans.png");
/// scatter_with_curves(&path, "Beans", "size", "toxicity", &beans, &[
///     Series::from_fn("y = 1.02 x", (0.0, 1.0), 50, |x| 1.02 * x).color(Color::RED),
/// ], &ChartOptions::default())?;
/// # Ok::<(), nn::Error>(())
/// ```
pub fn scatter_with_curves(
    path: impl AsRef<Path>,
    title: &str,
    x_label: &str,
    y_label: &str,
    data: &[(f64, f64)],
    curves: &[Series],
    options: &ChartOptions,
) -> Result<()> {
    let mut all = Vec::with_capacity(curves.len() + 1);
    all.push(Series::points("data", data.iter().copied()).color(Color::hex(0x555555)));
    // The data takes no palette slot: the first curve is blue, as in the course.
    all.extend(curves.iter().enumerate().map(|(i, c)| {
        c.clone()
            .color(c.color.unwrap_or_else(|| Color::palette(i)))
    }));
    line_chart(path, title, x_label, y_label, &all, options)
}

type Chart2d<'a, 'b, Y> = ChartContext<'a, BitMapBackend<'b>, Cartesian2d<RangedCoordf64, Y>>;

fn draw_chart<Y>(
    root: &Area<'_>,
    chart: &mut Chart2d<'_, '_, Y>,
    x_label: &str,
    y_label: &str,
    series: &[(Color, &Series)],
    options: &ChartOptions,
) -> Result<()>
where
    Y: Ranged<ValueType = f64> + ValueFormatter<f64>,
{
    let (xs, ys) = (chart.x_range(), chart.y_range());
    let x_fmt = axis_labeler((xs.start, xs.end));
    // On a log axis every tick is a power of ten, never rounding noise:
    // snapping small ticks to 0 would label 1e-10 and 1e-12 as "0".
    let y_fmt = if options.log_y {
        axis_labeler((0.0, 0.0))
    } else {
        axis_labeler((ys.start, ys.end))
    };
    chart
        .configure_mesh()
        .x_desc(x_label)
        .y_desc(y_label)
        .axis_desc_style((FONT, 20))
        .label_style((FONT, 15))
        .x_label_formatter(&x_fmt)
        .y_label_formatter(&y_fmt)
        .bold_line_style(RGBColor(215, 215, 215))
        .light_line_style(RGBColor(242, 242, 242))
        .max_light_lines(2)
        .draw()
        .map_err(plot_err("drawing the axes"))?;
    let (x_box, y_box) = ((xs.start, xs.end), (ys.start, ys.end));
    let visible =
        |&(x, y): &(f64, f64)| x.is_finite() && y.is_finite() && (!options.log_y || y > 0.0);
    let inside =
        |&(x, y): &(f64, f64)| x >= x_box.0 && x <= x_box.1 && y >= y_box.0 && y <= y_box.1;
    for &(color, s) in series {
        let rgb = color.rgb_color();
        let stroke = ShapeStyle::from(rgb).stroke_width(s.width);
        if s.line {
            // Clip in the axis's own space: log10(y) on a log axis, where
            // the drawn segments are straight.
            let to_axis = |&(x, y): &(f64, f64)| {
                if !visible(&(x, y)) {
                    (f64::NAN, f64::NAN)
                } else if options.log_y {
                    (x, y.log10())
                } else {
                    (x, y)
                }
            };
            let from_axis = |(x, y): (f64, f64)| {
                if options.log_y {
                    (x, 10f64.powf(y))
                } else {
                    (x, y)
                }
            };
            let axis_points: Vec<(f64, f64)> = s.points.iter().map(to_axis).collect();
            let y_axis = if options.log_y {
                (y_box.0.log10(), y_box.1.log10())
            } else {
                y_box
            };
            for piece in clip_polyline(&axis_points, x_box, y_axis) {
                let run: Vec<(f64, f64)> = piece.into_iter().map(from_axis).collect();
                if s.dashed {
                    let dash = 4 * s.width + 4;
                    chart
                        .draw_series(DashedLineSeries::new(run, dash, dash * 2 / 3, stroke))
                        .map_err(plot_err("drawing a dashed line"))?;
                } else {
                    chart
                        .draw_series(LineSeries::new(run, stroke))
                        .map_err(plot_err("drawing a line"))?;
                }
            }
        }
        if let Some(marker) = s.marker {
            let size = marker_size(s);
            chart
                .draw_series(
                    s.points
                        .iter()
                        .copied()
                        .filter(|p| visible(p) && inside(p))
                        .map(|p| marker_element(marker, p, size, rgb, None)),
                )
                .map_err(plot_err("drawing markers"))?;
        }
    }
    let entries: Vec<LegendEntry> = series
        .iter()
        .filter(|(_, s)| !s.name.is_empty())
        .map(|&(color, s)| LegendEntry {
            name: s.name.clone(),
            line: s.line,
            dashed: s.dashed,
            marker: s.marker,
            width: s.width,
            size: marker_size(s),
            color: color.rgb_color(),
        })
        .collect();
    let (xs, ys) = chart.plotting_area().get_pixel_range();
    draw_legend(root, (xs, ys), &entries, options.legend)?;
    Ok(())
}

fn marker_size(s: &Series) -> i32 {
    (s.width as i32 + 2).max(4)
}
