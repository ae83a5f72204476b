//! The pictures: the decision heatmap, every neuron's heatmap by layer, the
//! network as the Playground draws it, the loss curves, the training GIF and
//! the per-seed comparison. All of them through `nn::plot`; a picture that
//! cannot be drawn is a warning (see [`Pictures`]), never a lost run.

use super::data::{inputs, Point};
use super::train::Net;
use nn::data::Feature;
use nn::plot::{
    dead_units, gif_heatmaps, heatmap, heatmap_grid, heatmap_rows, line_chart, network,
    ChartOptions, HeatmapOptions, Key, Panel, PlaneGrid, Series,
};
use std::path::{Path, PathBuf};

/// Neuron panels per row of `neurons.png` (a wider layer wraps).
const PANELS_PER_ROW: usize = 12;
/// Units of a layer drawn in `neurons.png` (two rows); a wider layer is
/// drawn as its first ones, with a note.
const NEURONS_PER_LAYER: usize = 2 * PANELS_PER_ROW;
/// Units of a layer drawn in `network.png`.
const NETWORK_UNITS: usize = 16;
/// Cells per axis of a GIF frame or a per-seed panel (the main map has 100).
const SMALL_DENSITY: usize = 50;
/// Cells per axis of a unit's thumbnail in `network.png`.
const THUMB_DENSITY: usize = 32;

/// The names the pictures use: the two coordinates (the axes) and the two
/// classes (the colours).
#[derive(Clone, Debug, PartialEq)]
pub struct Names {
    /// The axes: a CSV header's first two names, or x1 and x2.
    pub axes: [String; 2],
    /// The classes shown in orange and in blue.
    pub classes: [String; 2],
}

impl Default for Names {
    fn default() -> Self {
        Names {
            axes: ["x1".into(), "x2".into()],
            classes: ["label −1".into(), "label +1".into()],
        }
    }
}

/// How the run's maps look: the view, the axis names, the colours' meaning
/// and the features that turn a point of the plane into network inputs.
#[derive(Clone, Debug)]
pub struct Look {
    x_range: (f64, f64),
    y_range: (f64, f64),
    names: Names,
    /// 2 classes, k ≥ 3 classes, or 0 for a regression.
    classes: usize,
    value_range: (f64, f64),
    features: Vec<Feature>,
}

impl Look {
    /// The look of a run on `points` (all of them, train and test): the
    /// Playground's ±6 window for its own sets (`generated`), else a view
    /// fitted to the points; axes and classes as `names` says; for a
    /// regression on a CSV, colours spanning its targets; for k ≥ 3
    /// `classes`, one colour per class.
    pub fn new(
        generated: bool,
        points: &[Point],
        names: Names,
        classes: usize,
        features: &[Feature],
    ) -> Look {
        let classify = classes > 0;
        let pg = Panel::PLAYGROUND_RANGE;
        let (x_range, y_range) = if generated {
            (pg, pg)
        } else {
            Panel::fit_range(points)
        };
        let value_range = if classes >= 3 {
            (0.0, (classes - 1) as f64)
        } else if classify || generated {
            (-1.0, 1.0)
        } else {
            target_range(points)
        };
        Look {
            x_range,
            y_range,
            names,
            classes,
            value_range,
            features: features.to_vec(),
        }
    }

    /// The grid of a map at `density` cells per axis.
    pub fn grid(&self, density: usize) -> nn::Result<PlaneGrid> {
        PlaneGrid::new(self.x_range, self.y_range, density, &self.features)
    }

    fn options(&self) -> HeatmapOptions {
        let [x, y] = self.names.axes.clone();
        let [low, high] = self.names.classes.clone();
        let base = if self.classes >= 3 {
            HeatmapOptions {
                key: Key::Categories((0..self.classes).map(|c| format!("class {c}")).collect()),
                threshold: None,
                value_range: self.value_range,
                ..HeatmapOptions::default()
            }
        } else if self.classes == 2 {
            HeatmapOptions {
                key: Key::classes(low, high),
                ..HeatmapOptions::default()
            }
        } else {
            HeatmapOptions::regression("output and target", self.value_range)
        };
        HeatmapOptions {
            x_label: x,
            y_label: y,
            ..base
        }
    }

    /// Options of the unit thumbnails: each unit's output, no boundary.
    fn unit_options(&self, size: (u32, u32)) -> HeatmapOptions {
        HeatmapOptions {
            size,
            axes: false,
            threshold: None,
            value_range: (-1.0, 1.0),
            key: Key::classes("negative output", "positive output"),
            ..self.options()
        }
    }
}

/// The targets' range (one either side of a lone value; [−1, 1] when there
/// is no finite target).
fn target_range(points: &[Point]) -> (f64, f64) {
    let (lo, hi) = points
        .iter()
        .map(|p| p.2)
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
            (lo.min(v), hi.max(v))
        });
    if lo < hi {
        (lo, hi)
    } else if lo.is_finite() {
        (lo - 1.0, lo + 1.0)
    } else {
        (-1.0, 1.0)
    }
}

/// A loss for a title: four decimals, or three significant digits in
/// scientific notation when it is huge or tiny (a diverged run).
pub fn number(x: f64) -> String {
    if x == 0.0 || (1e-4..1e6).contains(&x.abs()) || !x.is_finite() {
        format!("{x:.4}")
    } else {
        format!("{x:.3e}")
    }
}

/// The pictures of a run: what was written, what could not be drawn and
/// why, and the notes the pictures carry.
#[derive(Debug, Default)]
pub struct Pictures {
    /// The files written, in order.
    pub written: Vec<PathBuf>,
    /// One line per picture that could not be drawn, naming it.
    pub warnings: Vec<String>,
    /// What a picture left out (e.g. the units of a wide layer).
    pub notes: Vec<String>,
}

impl Pictures {
    /// Draws one picture with `draw` (which returns its notes); a failure
    /// becomes a warning naming the picture and the run goes on.
    pub fn draw(&mut self, path: PathBuf, draw: impl FnOnce(&Path) -> nn::Result<Vec<String>>) {
        match draw(&path) {
            Ok(notes) => {
                self.notes.extend(notes);
                self.written.push(path);
            }
            Err(e) => self
                .warnings
                .push(format!("{} was not drawn: {e}", path.display())),
        }
    }
}

/// The network's output map with the training and test points.
pub fn decision_panel(
    net: &Net,
    grid: &PlaneGrid,
    title: String,
    train: &[Point],
    test: &[Point],
) -> nn::Result<Panel> {
    Ok(grid
        .panel(title, net.output(grid.inputs())?)
        .train(train)
        .test(test))
}

/// Writes `decision.png`.
pub fn decision(path: &Path, look: &Look, panel: &Panel) -> nn::Result<Vec<String>> {
    heatmap(path, panel, &look.options())?;
    Ok(Vec::new())
}

/// Which hidden units are dead on the training points.
fn dead(net: &Net, look: &Look, train: &[Point]) -> nn::Result<Vec<Vec<bool>>> {
    let x = inputs(train.iter().map(|p| (p.0, p.1)), &look.features);
    dead_units(&net.mlp, &x)
}

/// Writes `neurons.png`: a row of input-feature maps, then each hidden
/// layer (its first [`NEURONS_PER_LAYER`] units, [`PANELS_PER_ROW`] a row,
/// the dead ones crossed out), then the output. Returns a note per layer
/// drawn in part.
pub fn neurons(
    path: &Path,
    look: &Look,
    net: &Net,
    grid: &PlaneGrid,
    train: &[Point],
) -> nn::Result<Vec<String>> {
    let dead = dead(net, look, train)?;
    let names: Vec<String> = look
        .features
        .iter()
        .map(|f| feature_name(*f, look))
        .collect();
    let mut rows: Vec<Vec<Panel>> = Vec::new();
    let inputs = grid.units(grid.inputs(), names.len(), |j| {
        format!("input {}", names[j])
    });
    rows.extend(inputs.chunks(PANELS_PER_ROW).map(<[Panel]>::to_vec));
    let mut notes = Vec::new();
    for (l, layer) in net.hidden_outputs(grid.inputs())?.iter().enumerate() {
        let width = layer.shape()[1];
        let marks = dead.get(l);
        let panels: Vec<Panel> = grid
            .units(layer, NEURONS_PER_LAYER, |j| {
                format!("layer {} neuron {}", l + 1, j + 1)
            })
            .into_iter()
            .enumerate()
            .map(|(j, p)| p.dead(marks.and_then(|m| m.get(j)).copied().unwrap_or(false)))
            .collect();
        if panels.len() < width {
            notes.push(format!(
                "layer {}: the first {} of {width} neurons are drawn",
                l + 1,
                panels.len()
            ));
        }
        rows.extend(panels.chunks(PANELS_PER_ROW).map(<[Panel]>::to_vec));
    }
    if net.outputs() == 1 {
        rows.push(vec![grid.panel("output", net.output(grid.inputs())?)]);
    } else {
        notes.push("the output (one logit per class) is drawn in decision.png".into());
    }
    let opts = HeatmapOptions {
        notes: notes.clone(),
        threshold: (look.classes == 2).then_some(0.0),
        ..look.unit_options((200, 214))
    };
    heatmap_rows(path, &rows, &opts)?;
    Ok(notes
        .into_iter()
        .map(|n| format!("{}: {n}", path.display()))
        .collect())
}

/// An input feature's name, with the CSV's column names for x1 and x2.
fn feature_name(f: Feature, look: &Look) -> String {
    match f {
        Feature::X1 => look.names.axes[0].clone(),
        Feature::X2 => look.names.axes[1].clone(),
        other => other.to_string(),
    }
}

/// Writes `network.png`: the network as the Playground draws it, each unit
/// a thumbnail of its output, the weights as edges (blue positive, orange
/// negative, thicker for larger |w|); wide layers as their first
/// [`NETWORK_UNITS`] units, with a note.
pub fn network_picture(
    path: &Path,
    look: &Look,
    net: &Net,
    title: &str,
    train: &[Point],
) -> nn::Result<Vec<String>> {
    let dead = dead(net, look, train)?;
    let grid = look.grid(THUMB_DENSITY)?;
    let names: Vec<String> = look
        .features
        .iter()
        .map(|f| feature_name(*f, look))
        .collect();
    let mut picture = grid.network(&net.mlp, title, &names, NETWORK_UNITS, &dead)?;
    let single = net.outputs() == 1;
    if let Some(out) = picture
        .layers
        .last_mut()
        .and_then(|l| l.nodes.first_mut())
        .filter(|_| single)
    {
        // what the Playground shows: tanh of the logit with cross-entropy
        out.values = net.output(grid.inputs())?;
    }
    let mut opts = look.unit_options((56, 56));
    opts.notes
        .push("edges: blue weights are positive, orange negative; thicker is larger".into());
    network(path, &picture, &opts)?;
    Ok(picture
        .subset_notes()
        .into_iter()
        .map(|n| format!("{}: {n}", path.display()))
        .collect())
}

/// Writes `loss.png`: training and test loss per epoch, from epoch 0.
pub fn losses(
    path: &Path,
    title: &str,
    loss_name: &str,
    train: &[f64],
    test: &[f64],
) -> nn::Result<Vec<String>> {
    line_chart(
        path,
        title,
        "epoch",
        loss_name,
        &[
            Series::line("train", per_epoch(train)),
            Series::line("test", per_epoch(test)).dashed(),
        ],
        &ChartOptions::default(),
    )?;
    Ok(Vec::new())
}

fn per_epoch(values: &[f64]) -> Vec<(f64, f64)> {
    values
        .iter()
        .enumerate()
        .map(|(e, &v)| (e as f64, v))
        .collect()
}

/// A GIF frame or per-seed panel: the output map at a smaller density,
/// with the training points.
pub fn frame(net: &Net, grid: &PlaneGrid, title: String, train: &[Point]) -> nn::Result<Panel> {
    Ok(grid.panel(title, net.output(grid.inputs())?).train(train))
}

/// The grid of GIF frames and per-seed panels.
pub fn small_grid(look: &Look) -> nn::Result<PlaneGrid> {
    look.grid(SMALL_DENSITY)
}

/// Writes the training GIF.
pub fn gif(path: &Path, look: &Look, frames: &[Panel]) -> nn::Result<Vec<String>> {
    let opts = HeatmapOptions {
        size: (400, 460),
        point_radius: 3,
        ..look.options()
    };
    gif_heatmaps(path, frames, 120, &opts)?;
    Ok(Vec::new())
}

/// Writes `seeds.png`: one output map per seed.
pub fn seeds(path: &Path, look: &Look, panels: &[Panel]) -> nn::Result<Vec<String>> {
    let opts = HeatmapOptions {
        size: (320, 344),
        point_radius: 2,
        axes: false,
        ..look.options()
    };
    heatmap_grid(path, panels, panels.len().min(5), &opts)?;
    Ok(Vec::new())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_sets_keep_the_playgrounds_window_and_csvs_get_their_own() {
        let beans = [(0.1, 0.9, 1.0), (0.8, 0.2, -1.0)];
        let names = || Names {
            axes: ["size".to_string(), "colour".to_string()],
            ..Names::default()
        };
        let csv = Look::new(false, &beans, names(), 2, &[Feature::X1, Feature::X2]);
        assert!(csv.x_range.1 - csv.x_range.0 < 2.0, "{:?}", csv.x_range);
        let o = csv.options();
        assert_eq!((o.x_label.as_str(), o.y_label.as_str()), ("size", "colour"));
        assert_eq!(o.key, Key::classes("label −1", "label +1"));
        let zero_one = Names {
            classes: ["label 0".into(), "label 1".into()],
            ..names()
        };
        let o = Look::new(false, &beans, zero_one, 2, &[Feature::X1]).options();
        assert_eq!(o.key, Key::classes("label 0", "label 1"));
        let pg = Look::new(true, &beans, names(), 2, &[Feature::X1]);
        // k classes: one colour per class, no boundary line
        let three = Look::new(false, &beans, names(), 3, &[Feature::X1]).options();
        assert_eq!(
            three.key,
            Key::Categories(vec!["class 0".into(), "class 1".into(), "class 2".into()])
        );
        assert_eq!(three.threshold, None);
        assert_eq!(pg.x_range, Panel::PLAYGROUND_RANGE);
        // a regression on a CSV: colours over its targets
        let far = [(0.0, 0.0, -500.0), (1.0, 1.0, 250.0)];
        let reg = Look::new(false, &far, names(), 0, &[Feature::X1]);
        assert_eq!(reg.value_range, (-500.0, 250.0));
        assert_eq!(reg.options().key, Key::scale("output and target"));
        assert_eq!(target_range(&[(0.0, 0.0, 3.0)]), (2.0, 4.0));
        assert_eq!(number(0.01234), "0.0123");
        assert_eq!(number(2.9593e190), "2.959e190");
    }

    #[test]
    fn a_picture_that_fails_is_a_warning_naming_it() {
        let mut p = Pictures::default();
        p.draw(PathBuf::from("out/a.png"), |_| Ok(vec!["a note".into()]));
        p.draw(PathBuf::from("out/b.png"), |_| {
            Err(nn::Error::invalid(
                "picture height",
                "at most 16384",
                "too tall",
            ))
        });
        assert_eq!(p.written, vec![PathBuf::from("out/a.png")]);
        assert_eq!(p.notes, vec!["a note".to_string()]);
        assert_eq!(p.warnings.len(), 1);
        assert!(p.warnings[0].contains("b.png") && p.warnings[0].contains("too tall"));
    }
}
