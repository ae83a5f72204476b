//! The TensorFlow Playground's decision heatmaps: one, a grid of them, or an
//! animated GIF of them.

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::Color as _;

use super::color::{playground_scale, Color};
use super::contour::Grid;
use super::output::{
    axis_labeler, check_range, check_size, ensure_fonts, plot_err, render_png, AtomicFile, FONT,
};
use crate::{Error, Result};

/// A straight line w1·x + w2·y + b = 0 drawn over a heatmap: the line where
/// one hidden neuron's pre-activation is zero.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BoundaryLine {
    /// Weight of x.
    pub w1: f64,
    /// Weight of y.
    pub w2: f64,
    /// Bias.
    pub b: f64,
    /// Colour of the line.
    pub color: Color,
}

impl BoundaryLine {
    /// The line w1·x + w2·y + b = 0, in black.
    pub fn new(w1: f64, w2: f64, b: f64) -> BoundaryLine {
        BoundaryLine {
            w1,
            w2,
            b,
            color: Color::BLACK,
        }
    }

    /// The same line in `color`.
    pub fn color(mut self, color: Color) -> BoundaryLine {
        self.color = color;
        self
    }

    /// The part of the line inside the rectangle, if it crosses it.
    fn clip(&self, (x0, x1): (f64, f64), (y0, y1): (f64, f64)) -> Option<[(f64, f64); 2]> {
        let BoundaryLine { w1, w2, b, .. } = *self;
        if !(w1.is_finite() && w2.is_finite() && b.is_finite()) || (w1 == 0.0 && w2 == 0.0) {
            return None;
        }
        let mut hits: Vec<(f64, f64)> = Vec::with_capacity(4);
        let eps = 1e-12 * (x1 - x0).abs().max(y1 - y0).max(1.0);
        if w2 != 0.0 {
            for x in [x0, x1] {
                let y = -(w1 * x + b) / w2;
                if y >= y0 - eps && y <= y1 + eps {
                    hits.push((x, y.clamp(y0, y1)));
                }
            }
        }
        if w1 != 0.0 {
            for y in [y0, y1] {
                let x = -(w2 * y + b) / w1;
                if x >= x0 - eps && x <= x1 + eps {
                    hits.push((x.clamp(x0, x1), y));
                }
            }
        }
        let a = *hits.first()?;
        let far = hits
            .iter()
            .copied()
            .max_by(|p, q| dist2(a, *p).total_cmp(&dist2(a, *q)))?;
        (dist2(a, far) > eps * eps).then_some([a, far])
    }
}

fn dist2(a: (f64, f64), b: (f64, f64)) -> f64 {
    (a.0 - b.0).powi(2) + (a.1 - b.1).powi(2)
}

/// One heatmap: a function sampled on a square grid of cells, plus the data
/// points and lines drawn over it and a title.
///
/// `values[row * density + column]` is the value at the centre of that cell;
/// row 0 is the bottom (smallest y), column 0 the left (smallest x).
///
/// ```
/// use nn::plot::{BoundaryLine, Color, Panel};
/// let train = [(2.0, 2.0, 1.0), (-2.0, -2.0, -1.0)];
/// let panel = Panel::new("x + y", |x, y| ((x + y) / 4.0).tanh())
///     .train(&train)
///     .line(BoundaryLine::new(1.0, 1.0, 0.0).color(Color::RED));
/// assert_eq!(panel.values.len(), 100 * 100);
///
/// // A whole grid at once, e.g. from one batched forward pass:
/// let points = Panel::grid_points((-6.0, 6.0), (-6.0, 6.0), 50);
/// let outputs: Vec<f64> = points.iter().map(|&(x, y)| (x * y).signum()).collect();
/// let xor = Panel::from_values("x·y", (-6.0, 6.0), (-6.0, 6.0), 50, outputs);
/// assert_eq!(xor.values.len(), 2500);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Panel {
    /// Title above the panel (e.g. "test accuracy 97.2%").
    pub title: String,
    /// Horizontal range.
    pub x_range: (f64, f64),
    /// Vertical range.
    pub y_range: (f64, f64),
    /// Cells per axis.
    pub density: usize,
    /// The sampled values, `density²` of them (see the type's docs for the order).
    pub values: Vec<f64>,
    /// Training points (x, y, label), drawn with a white outline.
    pub train: Vec<(f64, f64, f64)>,
    /// Test points (x, y, label), drawn with a black outline.
    pub test: Vec<(f64, f64, f64)>,
    /// Lines drawn over the map.
    pub lines: Vec<BoundaryLine>,
}

impl Panel {
    /// The playground's range: [−6, 6] on both axes.
    pub const PLAYGROUND_RANGE: (f64, f64) = (-6.0, 6.0);
    /// The playground's grid: 100 cells per axis.
    pub const PLAYGROUND_DENSITY: usize = 100;

    /// `f` on the playground's grid (100 × 100 cells over [−6, 6]²).
    pub fn new(title: impl Into<String>, f: impl Fn(f64, f64) -> f64) -> Panel {
        Panel::from_fn(
            title,
            Panel::PLAYGROUND_RANGE,
            Panel::PLAYGROUND_RANGE,
            Panel::PLAYGROUND_DENSITY,
            f,
        )
    }

    /// `f` at the centres of `density` × `density` cells over the ranges.
    pub fn from_fn(
        title: impl Into<String>,
        x_range: (f64, f64),
        y_range: (f64, f64),
        density: usize,
        f: impl Fn(f64, f64) -> f64,
    ) -> Panel {
        let values = Panel::grid_points(x_range, y_range, density)
            .into_iter()
            .map(|(x, y)| f(x, y))
            .collect();
        Panel::from_values(title, x_range, y_range, density, values)
    }

    /// Values already computed at [`Panel::grid_points`] (in that order), e.g.
    /// by one batched forward pass of a network. The length is checked when
    /// the panel is drawn.
    pub fn from_values(
        title: impl Into<String>,
        x_range: (f64, f64),
        y_range: (f64, f64),
        density: usize,
        values: Vec<f64>,
    ) -> Panel {
        Panel {
            title: title.into(),
            x_range,
            y_range,
            density,
            values,
            train: Vec::new(),
            test: Vec::new(),
            lines: Vec::new(),
        }
    }

    /// The centres of `density` × `density` cells over the ranges, row by
    /// row from the bottom, left to right: the order of [`Panel::values`].
    pub fn grid_points(
        x_range: (f64, f64),
        y_range: (f64, f64),
        density: usize,
    ) -> Vec<(f64, f64)> {
        let n = density as f64;
        let (x0, x1) = x_range;
        let (y0, y1) = y_range;
        (0..density)
            .flat_map(|j| {
                (0..density).map(move |i| {
                    (
                        x0 + (x1 - x0) * (i as f64 + 0.5) / n,
                        y0 + (y1 - y0) * (j as f64 + 0.5) / n,
                    )
                })
            })
            .collect()
    }

    /// The same panel with these training points (x, y, label).
    pub fn train(mut self, points: &[(f64, f64, f64)]) -> Panel {
        self.train = points.to_vec();
        self
    }

    /// The same panel with these test points (x, y, label).
    pub fn test(mut self, points: &[(f64, f64, f64)]) -> Panel {
        self.test = points.to_vec();
        self
    }

    /// The same panel with one more line drawn over it.
    pub fn line(mut self, line: BoundaryLine) -> Panel {
        self.lines.push(line);
        self
    }

    fn check(&self) -> Result<()> {
        check_range("heatmap x range", self.x_range)?;
        check_range("heatmap y range", self.y_range)?;
        if self.density < 2 {
            return Err(Error::invalid(
                "heatmap density",
                "at least 2 cells per axis",
                self.density,
            ));
        }
        let cells = self.density.checked_mul(self.density);
        if cells != Some(self.values.len()) {
            return Err(Error::mismatch(
                format!("heatmap \"{}\" values", self.title),
                format!(
                    "{} × {} = {} values",
                    self.density,
                    self.density,
                    self.density.saturating_mul(self.density)
                ),
                format!("{} values", self.values.len()),
            ));
        }
        Ok(())
    }
}

/// Options shared by [`heatmap`], [`heatmap_grid`], [`heatmap_rows`] and
/// [`gif_heatmaps`].
///
/// The default is the playground's: outputs in [−1, 1] (tanh), orange for
/// −1, light grey for 0, blue for +1 in 30 steps, and the 0 contour drawn.
/// [`HeatmapOptions::sigmoid`] is the same for outputs in [0, 1].
#[derive(Clone, Debug, PartialEq)]
pub struct HeatmapOptions {
    /// Size of one panel in pixels; 520×560 by default (a grid or GIF frame
    /// of k panels is k times as large).
    pub size: (u32, u32),
    /// The values shown in full orange and full blue; the middle is grey.
    pub value_range: (f64, f64),
    /// Draw the contour line at this value (the decision boundary).
    pub threshold: Option<f64>,
    /// Two colours only: orange below the threshold (or the middle of the
    /// value range), blue at or above it (the playground's "discretize").
    pub discretize: bool,
    /// Colour steps between the two ends (the playground uses 30).
    pub shades: usize,
    /// Radius of the data points in pixels.
    pub point_radius: u32,
    /// Draw tick labels on the axes.
    pub axes: bool,
}

impl Default for HeatmapOptions {
    fn default() -> Self {
        HeatmapOptions {
            size: (520, 560),
            value_range: (-1.0, 1.0),
            threshold: Some(0.0),
            discretize: false,
            shades: 30,
            point_radius: 4,
            axes: true,
        }
    }
}

impl HeatmapOptions {
    /// For outputs in [0, 1] (a sigmoid output): labels 0 orange, 1 blue,
    /// boundary at 0.5.
    pub fn sigmoid() -> HeatmapOptions {
        HeatmapOptions {
            value_range: (0.0, 1.0),
            threshold: Some(0.5),
            ..HeatmapOptions::default()
        }
    }

    fn check(&self) -> Result<()> {
        check_size("heatmap panel size", self.size)?;
        check_range("heatmap value range", self.value_range)?;
        if self.shades == 0 {
            return Err(Error::invalid(
                "heatmap shades",
                "at least 1 colour step",
                0,
            ));
        }
        if let Some(t) = self.threshold {
            if !t.is_finite() {
                return Err(Error::invalid("heatmap threshold", "a finite value", t));
            }
        }
        Ok(())
    }

    /// The colour of value `v`, quantised like the playground's
    /// `d3.scale.quantize` over `shades + 1` colours.
    fn color(&self, v: f64) -> Color {
        if !v.is_finite() {
            return NON_FINITE;
        }
        let (lo, hi) = self.value_range;
        if self.discretize {
            let cut = self.threshold.unwrap_or((lo + hi) / 2.0);
            return if v >= cut {
                playground_scale(1.0)
            } else {
                playground_scale(0.0)
            };
        }
        let t = ((v - lo) / (hi - lo)).clamp(0.0, 1.0);
        let steps = self.shades as f64;
        let k = (t * (steps + 1.0)).floor().min(steps);
        playground_scale(k / steps)
    }

    fn point_color(&self, label: f64) -> Color {
        let (lo, hi) = self.value_range;
        playground_scale((label - lo) / (hi - lo))
    }
}

/// Cells whose value is not finite (a network that diverged) are drawn in
/// this dark grey, which the colour scale never produces.
const NON_FINITE: Color = Color::hex(0x333333);

/// Draws one decision heatmap (the playground's output map): the panel's
/// values on the orange–grey–blue scale, the threshold contour, the lines,
/// training points with a white outline and test points with a black one,
/// colour by label on the same scale; writes a PNG at `path`.
///
/// # Errors
///
/// [`Error::Mismatch`] when the panel's values are not `density²`;
/// [`Error::Invalid`] for a bad range, size or option; otherwise as for
/// [`line_chart`](super::line_chart).
///
/// ```
/// use nn::plot::{heatmap, HeatmapOptions, Panel};
/// let train = [(3.0, 3.0, 1.0), (-3.0, 3.0, -1.0), (-3.0, -3.0, 1.0), (3.0, -3.0, -1.0)];
/// let panel = Panel::new("xor", |x, y| (x * y / 4.0).tanh()).train(&train);
/// let path = std::env::temp_dir().join("nn-doc-heatmap.png");
/// heatmap(&path, &panel, &HeatmapOptions::default())?;
/// # Ok::<(), nn::Error>(())
/// ```
pub fn heatmap(path: impl AsRef<Path>, panel: &Panel, options: &HeatmapOptions) -> Result<()> {
    heatmap_rows_with_width(
        path.as_ref(),
        &[std::slice::from_ref(panel)],
        1,
        false,
        options,
    )
}

/// Draws several heatmaps in one picture, `columns` per row, in order (a
/// comparison of seeds or networks). Each panel is [`HeatmapOptions::size`].
/// Errors as for [`heatmap`], and [`Error::Invalid`] when there are no
/// panels or `columns` is 0.
///
/// ```
/// use nn::plot::{heatmap_grid, HeatmapOptions, Panel};
/// let panels: Vec<Panel> = (1..=4)
///     .map(|k| Panel::new(format!("k = {k}"), move |x, y| (k as f64 * x * y / 20.0).tanh()))
///     .collect();
/// let options = HeatmapOptions { size: (260, 280), axes: false, ..Default::default() };
/// let path = std::env::temp_dir().join("nn-doc-heatmap-grid.png");
/// heatmap_grid(&path, &panels, 2, &options)?;
/// # Ok::<(), nn::Error>(())
/// ```
pub fn heatmap_grid(
    path: impl AsRef<Path>,
    panels: &[Panel],
    columns: usize,
    options: &HeatmapOptions,
) -> Result<()> {
    if columns == 0 {
        return Err(Error::invalid("heatmap grid columns", "at least 1", 0));
    }
    let rows: Vec<&[Panel]> = panels.chunks(columns).collect();
    heatmap_rows_with_width(path.as_ref(), &rows, columns, false, options)
}

/// Draws rows of heatmaps of different lengths in one picture: every hidden
/// neuron's map, one row per layer. The picture is as wide as the longest
/// row; shorter rows are centred. Errors as for [`heatmap_grid`].
///
/// ```
/// use nn::plot::{heatmap_rows, HeatmapOptions, Panel};
/// let layer1: Vec<Panel> = (0..3).map(|i| Panel::new(format!("L1 n{i}"), move |x, _| (x - i as f64).tanh())).collect();
/// let layer2 = vec![Panel::new("L2 n0", |x, y| (x + y).tanh())];
/// let options = HeatmapOptions { size: (200, 220), axes: false, ..Default::default() };
/// let path = std::env::temp_dir().join("nn-doc-heatmap-rows.png");
/// heatmap_rows(&path, &[layer1, layer2], &options)?;
/// # Ok::<(), nn::Error>(())
/// ```
pub fn heatmap_rows<R: AsRef<[Panel]>>(
    path: impl AsRef<Path>,
    rows: &[R],
    options: &HeatmapOptions,
) -> Result<()> {
    let rows: Vec<&[Panel]> = rows
        .iter()
        .map(|r| r.as_ref())
        .filter(|r| !r.is_empty())
        .collect();
    let width = rows.iter().map(|r| r.len()).max().unwrap_or(0);
    heatmap_rows_with_width(path.as_ref(), &rows, width, true, options)
}

fn heatmap_rows_with_width(
    path: &Path,
    rows: &[&[Panel]],
    columns: usize,
    centre_rows: bool,
    options: &HeatmapOptions,
) -> Result<()> {
    if rows.is_empty() || columns == 0 {
        return Err(Error::invalid(
            "heatmap panels",
            "at least one panel",
            "none",
        ));
    }
    options.check()?;
    for panel in rows.iter().flat_map(|r| r.iter()) {
        panel.check()?;
    }
    let (w, h) = options.size;
    let total = (
        checked_side(w, columns, "heatmap picture width")?,
        checked_side(h, rows.len(), "heatmap picture height")?,
    );
    render_png(path, total, |root| {
        for (r, row) in rows.iter().enumerate() {
            let left = if centre_rows {
                (columns - row.len()) as i32 * w as i32 / 2
            } else {
                0
            };
            for (c, panel) in row.iter().enumerate() {
                let x = left + (c as u32 * w) as i32;
                let y = (r as u32 * h) as i32;
                let area = root.clone().shrink((x, y), (w, h));
                draw_panel(&area, panel, options)?;
            }
        }
        Ok(())
    })
}

fn checked_side(side: u32, count: usize, what: &str) -> Result<u32> {
    u32::try_from(count)
        .ok()
        .and_then(|n| n.checked_mul(side))
        .filter(|&t| t <= 16_384)
        .ok_or_else(|| {
            Error::invalid(
                what,
                "at most 16384 pixels",
                format!("{count} panels of {side} pixels"),
            )
        })
}

/// Writes an animated GIF at `path`, one heatmap per frame, `delay_ms`
/// milliseconds apart (GIF stores hundredths of a second), looping forever:
/// the decision boundary forming during training. Frames are
/// [`HeatmapOptions::size`]. Errors as for [`heatmap`], and
/// [`Error::Invalid`] when there are no frames or the path does not end in
/// `.gif`.
///
/// ```
/// use nn::plot::{gif_heatmaps, HeatmapOptions, Panel};
/// let frames: Vec<Panel> = (0..3)
///     .map(|t| Panel::from_fn(format!("epoch {t}"), (-6.0, 6.0), (-6.0, 6.0), 40,
///         move |x, y| ((t as f64 + 1.0) * (x + y) / 10.0).tanh()))
///     .collect();
/// let options = HeatmapOptions { size: (240, 260), ..Default::default() };
/// let path = std::env::temp_dir().join("nn-doc-training.gif");
/// gif_heatmaps(&path, &frames, 200, &options)?;
/// # Ok::<(), nn::Error>(())
/// ```
pub fn gif_heatmaps(
    path: impl AsRef<Path>,
    frames: &[Panel],
    delay_ms: u32,
    options: &HeatmapOptions,
) -> Result<()> {
    let path = path.as_ref();
    ensure_fonts()?;
    if frames.is_empty() {
        return Err(Error::invalid("GIF frames", "at least one frame", "none"));
    }
    options.check()?;
    if options.size.0 > u32::from(u16::MAX) || options.size.1 > u32::from(u16::MAX) {
        return Err(Error::invalid(
            "GIF frame size",
            "at most 65535 pixels a side",
            format!("{:?}", options.size),
        ));
    }
    for panel in frames {
        panel.check()?;
    }
    let file = AtomicFile::new(path, "gif")?;
    {
        let root = BitMapBackend::gif(file.temp_path(), options.size, delay_ms)
            .map_err(|e| Error::Plot(format!("starting {}: {e}", path.display())))?
            .into_drawing_area();
        for panel in frames {
            root.fill(&WHITE).map_err(plot_err("filling a GIF frame"))?;
            draw_panel(&root, panel, options)?;
            root.present()
                .map_err(|e| Error::Plot(format!("writing a frame of {}: {e}", path.display())))?;
        }
    }
    file.commit()
}

fn draw_panel(
    area: &DrawingArea<BitMapBackend<'_>, Shift>,
    panel: &Panel,
    options: &HeatmapOptions,
) -> Result<()> {
    let (w, _) = area.dim_in_pixel();
    let title_size = (w / 24).clamp(12, 22);
    let tick_size = (w / 40).clamp(10, 14);
    let (x_range, y_range) = (panel.x_range, panel.y_range);
    let mut builder = ChartBuilder::on(area);
    builder
        .caption(panel.title.as_str(), (FONT, title_size))
        .margin(8);
    if options.axes {
        builder
            .x_label_area_size(tick_size * 2 + 4)
            .y_label_area_size(tick_size * 3 + 4);
    }
    let mut chart = builder
        .build_cartesian_2d(x_range.0..x_range.1, y_range.0..y_range.1)
        .map_err(plot_err("laying out a heatmap"))?;
    let (x_fmt, y_fmt) = (axis_labeler(x_range), axis_labeler(y_range));
    if options.axes {
        chart
            .configure_mesh()
            .disable_mesh()
            .x_labels(7)
            .y_labels(7)
            .label_style((FONT, tick_size))
            .x_label_formatter(&x_fmt)
            .y_label_formatter(&y_fmt)
            .draw()
            .map_err(plot_err("drawing heatmap axes"))?;
    }

    let n = panel.density;
    let dx = (x_range.1 - x_range.0) / n as f64;
    let dy = (y_range.1 - y_range.0) / n as f64;
    chart
        .draw_series(panel.values.iter().enumerate().map(|(k, &v)| {
            let (i, j) = ((k % n) as f64, (k / n) as f64);
            let x0 = x_range.0 + i * dx;
            let y0 = y_range.0 + j * dy;
            Rectangle::new(
                [(x0, y0), (x0 + dx, y0 + dy)],
                options.color(v).rgb_color().filled(),
            )
        }))
        .map_err(plot_err("drawing heatmap cells"))?;

    if let Some(threshold) = options.threshold {
        // The cell centres form a grid half a cell in from each edge.
        let grid = Grid {
            nx: n,
            ny: n,
            x_range: (x_range.0 + dx / 2.0, x_range.1 - dx / 2.0),
            y_range: (y_range.0 + dy / 2.0, y_range.1 - dy / 2.0),
            values: panel.values.clone(),
        };
        let style = ShapeStyle::from(BLACK.mix(0.7)).stroke_width(2);
        chart
            .draw_series(
                grid.iso_segments(threshold)
                    .into_iter()
                    .map(|[a, b]| PathElement::new(vec![a, b], style)),
            )
            .map_err(plot_err("drawing the decision boundary"))?;
    }

    chart
        .draw_series(panel.lines.iter().filter_map(|line| {
            let [a, b] = line.clip(x_range, y_range)?;
            Some(PathElement::new(
                vec![a, b],
                ShapeStyle::from(line.color.rgb_color()).stroke_width(2),
            ))
        }))
        .map_err(plot_err("drawing lines over a heatmap"))?;

    let r = options.point_radius;
    let inside = |&&(x, y, _): &&(f64, f64, f64)| {
        x.is_finite()
            && y.is_finite()
            && (x_range.0..=x_range.1).contains(&x)
            && (y_range.0..=y_range.1).contains(&y)
    };
    for (points, outline) in [(&panel.train, WHITE), (&panel.test, BLACK)] {
        chart
            .draw_series(points.iter().filter(inside).map(|&(x, y, label)| {
                EmptyElement::at((x, y))
                    + Circle::new((0, 0), r, options.point_color(label).rgb_color().filled())
                    + Circle::new((0, 0), r, ShapeStyle::from(outline).stroke_width(1))
            }))
            .map_err(plot_err("drawing data points"))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grid_points_are_cell_centres_from_the_bottom_left() {
        let p = Panel::grid_points((0.0, 4.0), (0.0, 2.0), 2);
        assert_eq!(p, vec![(1.0, 0.5), (3.0, 0.5), (1.0, 1.5), (3.0, 1.5)]);
    }

    #[test]
    fn colors_follow_the_playground_scale() {
        let o = HeatmapOptions::default();
        assert_eq!(o.color(-1.0), Color::PLAYGROUND_ORANGE);
        assert_eq!(o.color(1.0), Color::PLAYGROUND_BLUE);
        assert_eq!(o.color(5.0), Color::PLAYGROUND_BLUE);
        assert_eq!(o.color(0.0), Color::PLAYGROUND_GREY);
        assert_eq!(o.color(f64::NAN), NON_FINITE);
        let s = HeatmapOptions::sigmoid();
        assert_eq!(s.color(0.0), Color::PLAYGROUND_ORANGE);
        assert_eq!(s.point_color(1.0), Color::PLAYGROUND_BLUE);
        let d = HeatmapOptions {
            discretize: true,
            ..HeatmapOptions::default()
        };
        assert_eq!(d.color(0.01), Color::PLAYGROUND_BLUE);
        assert_eq!(d.color(-0.01), Color::PLAYGROUND_ORANGE);
    }

    #[test]
    fn quantisation_has_shades_plus_one_colours() {
        let o = HeatmapOptions::default();
        let mut seen: Vec<Color> = (0..=3000)
            .map(|k| o.color(-1.0 + 2.0 * k as f64 / 3000.0))
            .collect();
        seen.dedup();
        assert_eq!(seen.len(), 31);
    }

    #[test]
    fn boundary_lines_are_clipped_to_the_box() {
        let r = (-6.0, 6.0);
        let [a, b] = BoundaryLine::new(1.0, -1.0, 0.0).clip(r, r).unwrap();
        let mut ends = [a, b];
        ends.sort_by(|p, q| p.0.total_cmp(&q.0));
        assert_eq!(ends, [(-6.0, -6.0), (6.0, 6.0)]);
        let [a, b] = BoundaryLine::new(1.0, 0.0, -2.0).clip(r, r).unwrap();
        assert_eq!((a.0, b.0), (2.0, 2.0));
        assert!(BoundaryLine::new(1.0, 0.0, -7.0).clip(r, r).is_none());
        assert!(BoundaryLine::new(0.0, 0.0, 1.0).clip(r, r).is_none());
    }

    #[test]
    fn a_panel_with_the_wrong_number_of_values_is_refused() {
        let p = Panel::from_values("short", (-1.0, 1.0), (-1.0, 1.0), 10, vec![0.0; 99]);
        let e = p.check().unwrap_err().to_string();
        assert!(e.contains("100 values") && e.contains("99 values"), "{e}");
    }
}
