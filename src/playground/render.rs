//! The pictures: the decision heatmap, every neuron's heatmap by layer, the
//! loss curves, the training GIF and the per-seed comparison.

use super::data::{inputs, Point};
use super::train::Net;
use autograd::Tensor;
use nn::data::Feature;
use nn::plot::{
    gif_heatmaps, heatmap, heatmap_grid, heatmap_rows, line_chart, ChartOptions, HeatmapOptions,
    Panel, Series,
};
use nn::train::History;
use std::path::Path;

/// Neuron panels per row of `neurons.png` (a wider layer wraps).
const PANELS_PER_ROW: usize = 12;
/// Rows of `neurons.png` at most (the picture stays under 16384 pixels).
const MAX_ROWS: usize = 80;
/// Cells per axis of a GIF frame or a per-seed panel (the main map has 100).
const SMALL_DENSITY: usize = 50;

/// The grid of the Playground's heatmaps (`density` cells per axis over
/// [−6, 6]²) as network inputs.
pub struct Grid {
    /// Cells per axis.
    pub density: usize,
    /// The chosen features at every cell centre, in [`Panel::grid_points`] order.
    pub x: Tensor<f64>,
    /// The cell centres.
    pub points: Vec<(f64, f64)>,
}

impl Grid {
    /// The grid for these features.
    pub fn new(density: usize, features: &[Feature]) -> Grid {
        let r = Panel::PLAYGROUND_RANGE;
        let points = Panel::grid_points(r, r, density);
        Grid {
            density,
            x: inputs(points.iter().copied(), features),
            points,
        }
    }

    fn panel(&self, title: impl Into<String>, values: Vec<f64>) -> Panel {
        let r = Panel::PLAYGROUND_RANGE;
        Panel::from_values(title, r, r, self.density, values)
    }
}

fn options(classify: bool) -> HeatmapOptions {
    HeatmapOptions {
        threshold: classify.then_some(0.0),
        ..HeatmapOptions::default()
    }
}

/// The network's output map with the training and test points.
pub fn decision_panel(
    net: &Net,
    grid: &Grid,
    title: String,
    train: &[Point],
    test: &[Point],
) -> nn::Result<Panel> {
    Ok(grid
        .panel(title, net.output(&grid.x)?)
        .train(train)
        .test(test))
}

/// Writes `decision.png`.
pub fn decision(path: &Path, panel: &Panel, classify: bool) -> nn::Result<()> {
    heatmap(path, panel, &options(classify))
}

/// Writes `neurons.png`: a row of input-feature maps, then one row per
/// hidden layer (wrapped every [`PANELS_PER_ROW`] neurons), then the output.
/// Returns a note when some rows had to be left out.
pub fn neurons(
    path: &Path,
    net: &Net,
    grid: &Grid,
    features: &[Feature],
    classify: bool,
) -> nn::Result<Option<String>> {
    let n = grid.points.len();
    let mut rows: Vec<Vec<Panel>> = Vec::new();
    let feature_panels: Vec<Panel> = features
        .iter()
        .enumerate()
        .map(|(j, f)| {
            let values = (0..n)
                .map(|i| grid.x.data()[i * features.len() + j])
                .collect();
            grid.panel(format!("input {f}"), values)
        })
        .collect();
    rows.extend(feature_panels.chunks(PANELS_PER_ROW).map(<[Panel]>::to_vec));
    for (l, layer) in net.hidden_outputs(&grid.x)?.iter().enumerate() {
        let width = layer.shape()[1];
        let panels: Vec<Panel> = (0..width)
            .map(|j| {
                let values = (0..n).map(|i| layer.data()[i * width + j]).collect();
                grid.panel(format!("layer {} neuron {}", l + 1, j + 1), values)
            })
            .collect();
        rows.extend(panels.chunks(PANELS_PER_ROW).map(<[Panel]>::to_vec));
    }
    rows.push(vec![grid.panel("output", net.output(&grid.x)?)]);
    let mut note = None;
    if rows.len() > MAX_ROWS {
        note = Some(format!(
            "{} shows the first {MAX_ROWS} of {} rows of neurons",
            path.display(),
            rows.len()
        ));
        rows.truncate(MAX_ROWS);
    }
    let opts = HeatmapOptions {
        size: (200, 214),
        axes: false,
        ..options(classify)
    };
    heatmap_rows(path, &rows, &opts)?;
    Ok(note)
}

/// Writes `loss.png`: training and test loss per epoch (epoch 0: before
/// training).
pub fn losses(path: &Path, title: &str, loss_name: &str, history: &History) -> nn::Result<()> {
    let evaluations = history.evaluations();
    let train: Vec<(f64, f64)> = evaluations
        .iter()
        .map(|(epoch, m)| (*epoch as f64, m.train_loss))
        .collect();
    let test: Vec<(f64, f64)> = evaluations
        .iter()
        .map(|(epoch, m)| (*epoch as f64, m.test_loss.unwrap_or(f64::NAN)))
        .collect();
    line_chart(
        path,
        title,
        "epoch",
        loss_name,
        &[
            Series::line("train", train),
            Series::line("test", test).dashed(),
        ],
        &ChartOptions::default(),
    )
}

/// A GIF frame: the output map at a smaller density, with the training points.
pub fn frame(net: &Net, grid: &Grid, title: String, train: &[Point]) -> nn::Result<Panel> {
    Ok(grid.panel(title, net.output(&grid.x)?).train(train))
}

/// The grid of GIF frames.
pub fn small_grid(features: &[Feature]) -> Grid {
    Grid::new(SMALL_DENSITY, features)
}

/// Writes the training GIF.
pub fn gif(path: &Path, frames: &[Panel], classify: bool) -> nn::Result<()> {
    let opts = HeatmapOptions {
        size: (400, 430),
        point_radius: 3,
        ..options(classify)
    };
    gif_heatmaps(path, frames, 120, &opts)
}

/// Writes `seeds.png`: one output map per seed.
pub fn seeds(path: &Path, panels: &[Panel], classify: bool) -> nn::Result<()> {
    let opts = HeatmapOptions {
        size: (320, 344),
        point_radius: 2,
        axes: false,
        ..options(classify)
    };
    heatmap_grid(path, panels, panels.len().min(5), &opts)
}
