//! The TensorFlow Playground's decision heatmaps: one, a grid of them, or an
//! animated GIF of them.

use std::path::Path;

use plotters::prelude::*;
use plotters::style::Color as _;

use super::color::{playground_scale, Color};
use super::contour::Grid;
use super::key::{draw_centred, fit_text, line_height, text_width, Key, KeyContent, KeyLayout};
use super::output::{
    axis_labeler, check_range, check_size, ensure_fonts, plot_err, render_png, Area, AtomicFile,
    FONT,
};
use super::panel::Panel;
use crate::{Error, Result};

/// Options shared by [`heatmap`], [`heatmap_grid`], [`heatmap_rows`] and
/// [`gif_heatmaps`].
///
/// The default is the playground's: outputs in [−1, 1] (tanh), orange for
/// −1, light grey for 0, blue for +1 in 30 steps, and the 0 contour drawn,
/// axes named x1 and x2, and a key saying which class each colour is and
/// what the point markers are. [`HeatmapOptions::sigmoid`] is the same for
/// outputs in [0, 1]; [`HeatmapOptions::regression`] shows a value scale.
///
/// Where the key goes: a single [`heatmap`] and each [`gif_heatmaps`]
/// frame draw it inside their [`HeatmapOptions::size`], under the map
/// (when it takes at most a fifth of the height); a
/// [`heatmap_grid`] or [`heatmap_rows`] picture draws it once, in a strip
/// under its panels (the picture is that much taller).
#[derive(Clone, Debug, PartialEq)]
pub struct HeatmapOptions {
    /// Size of one panel in pixels; 520×560 by default (a grid of k panels
    /// is k times as large, plus the key).
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
    /// Draw tick labels and axis names.
    pub axes: bool,
    /// Name of the horizontal axis ("x1", or a CSV's column name).
    pub x_label: String,
    /// Name of the vertical axis ("x2", or a CSV's column name).
    pub y_label: String,
    /// What the colours mean, drawn under the picture with the markers.
    pub key: Key,
    /// More lines for the key: what was left out, what a mark means.
    pub notes: Vec<String>,
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
            x_label: "x1".into(),
            y_label: "x2".into(),
            key: Key::classes("class −1", "class +1"),
            notes: Vec::new(),
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
            key: Key::classes("class 0", "class 1"),
            ..HeatmapOptions::default()
        }
    }

    /// For a real-valued output over `value_range` (a regression): no
    /// boundary, and a key that is a colour bar named `name`.
    ///
    /// ```
    /// use nn::plot::{HeatmapOptions, Key};
    /// let o = HeatmapOptions::regression("target", (-500.0, 500.0));
    /// assert_eq!((o.threshold, o.key), (None, Key::scale("target")));
    /// ```
    pub fn regression(name: impl Into<String>, value_range: (f64, f64)) -> HeatmapOptions {
        HeatmapOptions {
            value_range,
            threshold: None,
            key: Key::scale(name),
            ..HeatmapOptions::default()
        }
    }

    /// The key these options draw under `panels`, laid out at `width`.
    fn key_layout<'p>(
        &self,
        panels: impl Iterator<Item = &'p Panel> + Clone,
        width: u32,
    ) -> Option<KeyLayout> {
        KeyContent {
            key: &self.key,
            value_range: self.value_range,
            threshold: self.threshold,
            train: panels.clone().any(|p| !p.train.is_empty()),
            test: panels.clone().any(|p| !p.test.is_empty()),
            dead: panels.clone().any(|p| p.dead),
            notes: &self.notes,
            point_radius: self.point_radius,
        }
        .layout(width)
    }

    pub(crate) fn check(&self) -> Result<()> {
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
    pub(crate) fn cell_color(&self, v: f64) -> Color {
        if !v.is_finite() {
            return NON_FINITE;
        }
        if let Key::Categories(_) = self.key {
            return Color::class(v.max(0.0) as usize).mix(Color::WHITE, CATEGORY_TINT);
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
        if let Key::Categories(_) = self.key {
            return Color::class(label.max(0.0) as usize);
        }
        let (lo, hi) = self.value_range;
        playground_scale((label - lo) / (hi - lo))
    }
}

/// How much lighter than its points a class's region is drawn.
const CATEGORY_TINT: f64 = 0.55;

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
    options.check()?;
    panel.check()?;
    ensure_fonts()?;
    render_png(path.as_ref(), options.size, |root| {
        draw_framed(root, panel, options)
    })
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
    let width = checked_side(w, columns, 0, "heatmap picture width")?;
    ensure_fonts()?;
    let key = options.key_layout(rows.iter().flat_map(|r| r.iter()), width);
    let key_h = key.as_ref().map_or(0, KeyLayout::height);
    let total = (
        width,
        checked_side(h, rows.len(), key_h, "heatmap picture height")?,
    );
    render_png(path, total, |root| {
        if let Some(key) = &key {
            let strip = root.clone().shrink((0, total.1 - key_h), (width, key_h));
            key.draw(&strip)?;
        }
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

/// `count` panels of `side` pixels plus `extra` (the key), checked against
/// the largest picture side.
fn checked_side(side: u32, count: usize, extra: u32, what: &str) -> Result<u32> {
    u32::try_from(count)
        .ok()
        .and_then(|n| n.checked_mul(side))
        .and_then(|t| t.checked_add(extra))
        .filter(|&t| t <= 16_384)
        .ok_or_else(|| {
            Error::invalid(
                what,
                "at most 16384 pixels",
                format!("{count} panels of {side} pixels and {extra} for the key"),
            )
        })
}

/// One panel with its key under it, filling `area` (a single heatmap or a
/// GIF frame).
fn draw_framed(area: &Area<'_>, panel: &Panel, options: &HeatmapOptions) -> Result<()> {
    let (w, h) = area.dim_in_pixel();
    // the key only when it leaves the map most of the picture (a small GIF
    // frame goes without)
    let key = options
        .key_layout(std::iter::once(panel), w)
        .filter(|k| k.height() * 5 <= h);
    let key_h = key.as_ref().map_or(0, KeyLayout::height);
    if let Some(key) = &key {
        key.draw(&area.clone().shrink((0, h - key_h), (w, key_h)))?;
    }
    draw_panel(&area.clone().shrink((0, 0), (w, h - key_h)), panel, options)
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
            draw_framed(&root, panel, options)?;
            root.present()
                .map_err(|e| Error::Plot(format!("writing a frame of {}: {e}", path.display())))?;
        }
    }
    file.commit()
}

fn draw_panel(area: &Area<'_>, panel: &Panel, options: &HeatmapOptions) -> Result<()> {
    let (w, h) = area.dim_in_pixel();
    let title_size = (w / 24).clamp(12, 22);
    let tick_size = (w / 40).clamp(10, 14);
    let (x_range, y_range) = (panel.x_range, panel.y_range);
    // The title is wrapped or shrunk to the panel's width, never cut.
    let title = fit_text(
        &panel.title,
        w.saturating_sub(16).max(1),
        (title_size.clamp(9, 10), title_size),
        2,
        &text_width,
    );
    let title_h = (title.height() + 6).min(h / 2);
    let color = if panel.dead {
        DEAD.rgb_color()
    } else {
        RGBColor(20, 20, 20)
    };
    draw_centred(&area.clone().shrink((0, 0), (w, title_h)), &title, color)?;
    let body = area.clone().shrink((0, title_h), (w, h - title_h));
    let mut builder = ChartBuilder::on(&body);
    builder.margin(8).margin_top(2);
    if options.axes {
        let desc = line_height(tick_size + 1);
        builder
            .x_label_area_size(tick_size * 2 + 4 + desc)
            .y_label_area_size(tick_size * 3 + 4 + desc);
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
            .axis_desc_style((FONT, tick_size + 1))
            .x_desc(options.x_label.as_str())
            .y_desc(options.y_label.as_str())
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
                options.cell_color(v).rgb_color().filled(),
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
    if panel.dead {
        let style = ShapeStyle::from(DEAD.rgb_color()).stroke_width(3);
        let corners = [
            [(x_range.0, y_range.0), (x_range.1, y_range.1)],
            [(x_range.0, y_range.1), (x_range.1, y_range.0)],
        ];
        chart
            .draw_series(
                corners
                    .into_iter()
                    .map(|c| PathElement::new(c.to_vec(), style)),
            )
            .map_err(plot_err("crossing out a dead unit"))?;
        let frame = [(x_range.0, y_range.0), (x_range.1, y_range.1)];
        chart
            .draw_series(std::iter::once(Rectangle::new(frame, style)))
            .map_err(plot_err("crossing out a dead unit"))?;
    }
    Ok(())
}

/// The red of a crossed-out dead unit.
pub(crate) const DEAD: Color = Color::hex(0xc62828);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colors_follow_the_playground_scale() {
        let o = HeatmapOptions::default();
        assert_eq!(o.cell_color(-1.0), Color::PLAYGROUND_ORANGE);
        assert_eq!(o.cell_color(1.0), Color::PLAYGROUND_BLUE);
        assert_eq!(o.cell_color(5.0), Color::PLAYGROUND_BLUE);
        assert_eq!(o.cell_color(0.0), Color::PLAYGROUND_GREY);
        assert_eq!(o.cell_color(f64::NAN), NON_FINITE);
        let s = HeatmapOptions::sigmoid();
        assert_eq!(s.cell_color(0.0), Color::PLAYGROUND_ORANGE);
        assert_eq!(s.point_color(1.0), Color::PLAYGROUND_BLUE);
        let d = HeatmapOptions {
            discretize: true,
            ..HeatmapOptions::default()
        };
        assert_eq!(d.cell_color(0.01), Color::PLAYGROUND_BLUE);
        assert_eq!(d.cell_color(-0.01), Color::PLAYGROUND_ORANGE);
    }

    #[test]
    fn quantisation_has_shades_plus_one_colours() {
        let o = HeatmapOptions::default();
        let mut seen: Vec<Color> = (0..=3000)
            .map(|k| o.cell_color(-1.0 + 2.0 * k as f64 / 3000.0))
            .collect();
        seen.dedup();
        assert_eq!(seen.len(), 31);
    }
}
