//! One heatmap's content: the sampled values, the points and lines drawn
//! over it, and the view (the ranges) that fits a data set.

use super::color::Color;
use super::output::check_range;
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
    pub(crate) fn clip(
        &self,
        (x0, x1): (f64, f64),
        (y0, y1): (f64, f64),
    ) -> Option<[(f64, f64); 2]> {
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
    /// A unit that does nothing (its output is constant over the data, as a
    /// dead ReLU's is): the panel is crossed out in red.
    pub dead: bool,
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
            dead: false,
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

    /// The same panel marked as a dead unit (or not): see [`Panel::dead`].
    pub fn dead(mut self, dead: bool) -> Panel {
        self.dead = dead;
        self
    }

    /// The ranges (x, y) of a view that shows every one of `points`: the
    /// playground's [−6, 6]² when they all lie inside it and fill at least a
    /// quarter of its width, otherwise each axis's data range padded by 5%
    /// and widened to round numbers. A CSV in [0, 1] gets about
    /// [−0.1, 1.1], one in ±500 about [−600, 600]. Non-finite coordinates
    /// are ignored; with no finite point the view is the playground's.
    ///
    /// ```
    /// use nn::plot::Panel;
    /// let beans = [(0.1, 0.2, 1.0), (0.9, 0.7, -1.0)];
    /// let (x, y) = Panel::fit_range(&beans);
    /// assert!(x.0 <= 0.1 && x.1 >= 0.9 && x.1 - x.0 < 2.0);
    /// assert!(y.0 <= 0.2 && y.1 >= 0.7);
    /// let spiral = [(-5.0, 4.0, 1.0), (4.9, -4.4, -1.0)];
    /// assert_eq!(Panel::fit_range(&spiral), (Panel::PLAYGROUND_RANGE, Panel::PLAYGROUND_RANGE));
    /// ```
    pub fn fit_range(points: &[(f64, f64, f64)]) -> ((f64, f64), (f64, f64)) {
        let pg = Panel::PLAYGROUND_RANGE;
        let xs = bounds(points.iter().map(|p| p.0));
        let ys = bounds(points.iter().map(|p| p.1));
        let (Some(xs), Some(ys)) = (xs, ys) else {
            return (pg, pg);
        };
        let inside = |(lo, hi): (f64, f64)| lo >= pg.0 && hi <= pg.1;
        let wide = |(lo, hi): (f64, f64)| hi - lo >= (pg.1 - pg.0) / 4.0;
        if inside(xs) && inside(ys) && (wide(xs) || wide(ys)) {
            return (pg, pg);
        }
        (nice_range(xs), nice_range(ys))
    }

    /// The same panel with one more line drawn over it.
    pub fn line(mut self, line: BoundaryLine) -> Panel {
        self.lines.push(line);
        self
    }

    pub(crate) fn check(&self) -> Result<()> {
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

/// The smallest and largest finite value, if any.
fn bounds(values: impl Iterator<Item = f64>) -> Option<(f64, f64)> {
    values
        .filter(|v| v.is_finite())
        .fold(None, |acc, v| match acc {
            None => Some((v, v)),
            Some((lo, hi)) => Some((lo.min(v), hi.max(v))),
        })
}

/// `(lo, hi)` padded by 5% of its width on each side, then widened to
/// multiples of a round step (1, 2 or 5 times a power of ten, about a
/// twentieth of the width). A single value gets a unit-wide view (or ±10% of it).
fn nice_range((lo, hi): (f64, f64)) -> (f64, f64) {
    let (lo, hi) = if hi - lo <= f64::EPSILON * lo.abs().max(hi.abs()).max(1.0) {
        let half = (lo.abs() * 0.1).max(0.5);
        (lo - half, hi + half)
    } else {
        let pad = (hi - lo) * 0.05;
        (lo - pad, hi + pad)
    };
    // k·m·10^e, computed so that 11 steps of 0.1 are 1.1, not 1.1000000000000001
    let raw = (hi - lo) / 20.0;
    let e = raw.log10().floor() as i32;
    let m = [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .find(|&m| m * 10f64.powi(e) >= raw)
        .unwrap_or(10.0);
    let at = |k: f64| {
        if e < 0 {
            k * m / 10f64.powi(-e)
        } else {
            k * m * 10f64.powi(e)
        }
    };
    let step = at(1.0);
    let (a, b) = (at((lo / step).floor()), at((hi / step).ceil()));
    if a.is_finite() && b.is_finite() && a < b {
        (a, b)
    } else {
        (lo, hi)
    }
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

    #[test]
    fn the_view_fits_the_data_and_keeps_the_playgrounds_window_for_its_sets() {
        let pg = Panel::PLAYGROUND_RANGE;
        // The course's beans: sizes and colours in [0, 1].
        let beans: Vec<(f64, f64, f64)> = (0..=10)
            .map(|i| (i as f64 / 10.0, 1.0 - i as f64 / 10.0, 1.0))
            .collect();
        let (x, y) = Panel::fit_range(&beans);
        assert_eq!(x, (-0.1, 1.1));
        assert_eq!(y, (-0.1, 1.1));
        // A CSV in ±500: every point inside, the view not much larger.
        let wide = [
            (-500.0, 20.0, 1.0),
            (480.0, -500.0, -1.0),
            (0.0, 500.0, 1.0),
        ];
        let (x, y) = Panel::fit_range(&wide);
        assert_eq!(x, (-600.0, 600.0));
        assert_eq!(y, (-600.0, 600.0));
        // A Playground set keeps ±6, also when it does not reach the corners.
        let circle = [(-4.9, 0.3, 1.0), (4.2, -3.0, -1.0), (0.0, 5.0, 1.0)];
        assert_eq!(Panel::fit_range(&circle), (pg, pg));
        // Points far off centre, or a lone point, still end up inside.
        let off = [(100.0, 7.0, 1.0), (101.0, 7.5, 1.0)];
        let (x, y) = Panel::fit_range(&off);
        assert!(x.0 < 100.0 && x.1 > 101.0 && x.1 - x.0 <= 2.0, "{x:?}");
        assert!(y.0 < 7.0 && y.1 > 7.5, "{y:?}");
        let (x, _) = Panel::fit_range(&[(3.0, 3.0, 1.0)]);
        assert!(x.0 < 3.0 && x.1 > 3.0 && x.1 - x.0 >= 1.0, "{x:?}");
        // Nothing finite: the playground's window.
        assert_eq!(Panel::fit_range(&[(f64::NAN, 1.0, 1.0)]), (pg, pg));
        assert_eq!(Panel::fit_range(&[]), (pg, pg));
    }
}
