//! The network drawn as the TensorFlow Playground draws it: one column per
//! layer, every unit a small heatmap of its output over the input plane,
//! and the weights as edges whose thickness and colour are their size and
//! sign.

use std::path::Path;

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::Color as _;

use super::color::{playground_scale, Color};
use super::heatmap::HeatmapOptions;
use super::key::{draw_centred, fit_text, text_width, KeyContent};
use super::output::{ensure_fonts, plot_err, render_png, Area, FONT};
use super::panel::Panel;
use crate::{Error, Result};

/// One layer of a [`Network`] picture.
#[derive(Clone, Debug, PartialEq)]
pub struct NetworkLayer {
    /// Its name above its column ("input", "layer 1", "output").
    pub name: String,
    /// How many units the layer has (more than `nodes` when only the first
    /// ones are drawn).
    pub units: usize,
    /// The units drawn, in order from the first: each one's output over the
    /// plane. An input unit's title is written beside it (the feature's
    /// name); a panel marked [`Panel::dead`] is crossed out.
    pub nodes: Vec<Panel>,
}

/// A network to draw with [`network`]: its layers, input first, and the
/// weights between consecutive layers.
///
/// ```
/// use nn::plot::{Network, NetworkLayer, Panel};
/// let x1 = Panel::new("x1", |x, _| x / 6.0);
/// let h = Panel::new("", |x, _| (x / 6.0).tanh());
/// let net = Network {
///     title: "2-1".into(),
///     layers: vec![
///         NetworkLayer { name: "input".into(), units: 1, nodes: vec![x1] },
///         NetworkLayer { name: "output".into(), units: 1, nodes: vec![h] },
///     ],
///     weights: vec![vec![0.8]],
/// };
/// assert_eq!(net.edges(0), vec![(0, 0, 0.8)]);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Network {
    /// The title above the picture.
    pub title: String,
    /// The layers, input first.
    pub layers: Vec<NetworkLayer>,
    /// `weights[l]` joins layer `l` to layer `l + 1`: row-major
    /// `[layers[l].units, layers[l + 1].units]`, entry (i, j) the weight
    /// from unit i to unit j (how `nn`'s `Linear` stores its weight).
    pub weights: Vec<Vec<f64>>,
}

impl Network {
    /// The edges drawn between layer `l` and `l + 1`: (from, to, weight)
    /// for the units drawn on both sides.
    pub fn edges(&self, l: usize) -> Vec<(usize, usize, f64)> {
        let (Some(a), Some(b), Some(w)) = (
            self.layers.get(l),
            self.layers.get(l + 1),
            self.weights.get(l),
        ) else {
            return Vec::new();
        };
        (0..a.nodes.len())
            .flat_map(|i| (0..b.nodes.len()).map(move |j| (i, j)))
            .filter_map(|(i, j)| w.get(i * b.units + j).map(|&v| (i, j, v)))
            .collect()
    }

    /// One note per layer drawn only in part ("layer 1: the first 16 of
    /// 1000 units").
    pub fn subset_notes(&self) -> Vec<String> {
        self.layers
            .iter()
            .filter(|l| l.nodes.len() < l.units)
            .map(|l| {
                format!(
                    "{}: the first {} of {} units are drawn",
                    l.name,
                    l.nodes.len(),
                    l.units
                )
            })
            .collect()
    }

    fn check(&self) -> Result<()> {
        if self.layers.len() < 2 {
            return Err(Error::invalid(
                "network picture layers",
                "at least an input and an output layer",
                self.layers.len(),
            ));
        }
        if self.weights.len() + 1 != self.layers.len() {
            return Err(Error::mismatch(
                "network picture weights",
                format!("{} weight matrices", self.layers.len() - 1),
                self.weights.len(),
            ));
        }
        for (l, pair) in self.layers.windows(2).enumerate() {
            let expected = pair[0].units * pair[1].units;
            if self.weights[l].len() != expected {
                return Err(Error::mismatch(
                    format!(
                        "network picture weights {} → {}",
                        pair[0].name, pair[1].name
                    ),
                    format!("{} × {} = {expected} values", pair[0].units, pair[1].units),
                    format!("{} values", self.weights[l].len()),
                ));
            }
        }
        for layer in &self.layers {
            if layer.nodes.is_empty() || layer.nodes.len() > layer.units {
                return Err(Error::invalid(
                    format!("network picture layer {}", layer.name),
                    format!("1 to {} units drawn", layer.units),
                    layer.nodes.len(),
                ));
            }
            for node in &layer.nodes {
                node.check()?;
            }
        }
        Ok(())
    }
}

/// Space between two columns of units.
const COLUMN_GAP: u32 = 120;
/// Space between two units of a column.
const ROW_GAP: u32 = 10;
/// Room on the left for the input units' names.
const LEFT: u32 = 70;
/// Room for a column's name above it.
const HEADER: u32 = 40;

/// Draws a network as the Playground does and writes a PNG at `path`: each
/// layer a column of unit thumbnails (side `options.size.0` pixels, coloured
/// by `options` as [`heatmap`](super::heatmap) colours a map), joined by one
/// edge per weight, blue for positive and orange for negative (the
/// Playground's colours, full at |w| ≥ 1) and 1 to 10 pixels thick as |w|
/// goes from 0 to 5. Under it, `options.key` and the notes, with a note for
/// each layer drawn in part.
///
/// # Errors
///
/// [`Error::Mismatch`] when the weights do not fit the layers;
/// [`Error::Invalid`] for a bad layer, node or option; otherwise as for
/// [`heatmap`](super::heatmap).
///
/// ```
/// use nn::plot::{network, HeatmapOptions, Network, NetworkLayer, Panel};
/// let input = |name: &str, f: fn(f64, f64) -> f64| Panel::from_fn(name, (-6.0, 6.0), (-6.0, 6.0), 20, f);
/// let net = Network {
///     title: "2-2-1 tanh".into(),
///     layers: vec![
///         NetworkLayer { name: "input".into(), units: 2,
///             nodes: vec![input("x1", |x, _| x / 6.0), input("x2", |_, y| y / 6.0)] },
///         NetworkLayer { name: "layer 1".into(), units: 2,
///             nodes: vec![input("", |x, y| (x - y).tanh()), input("", |x, y| (x + y).tanh())] },
///         NetworkLayer { name: "output".into(), units: 1,
///             nodes: vec![input("", |x, _| x.tanh())] },
///     ],
///     weights: vec![vec![1.0, 1.0, -1.0, 1.0], vec![0.5, -2.0]],
/// };
/// let options = HeatmapOptions { size: (64, 64), threshold: None, ..Default::default() };
/// let path = std::env::temp_dir().join("nn-doc-network.png");
/// network(&path, &net, &options)?;
/// # Ok::<(), nn::Error>(())
/// ```
pub fn network(path: impl AsRef<Path>, net: &Network, options: &HeatmapOptions) -> Result<()> {
    options.check()?;
    net.check()?;
    let side = options.size.0.clamp(16, 400);
    let columns = net.layers.len() as u32;
    let tallest = net.layers.iter().map(|l| l.nodes.len()).max().unwrap_or(1) as u32;
    let width = LEFT + columns * side + (columns - 1) * COLUMN_GAP + 30;
    ensure_fonts()?;
    let title = fit_text(&net.title, width - 20, (12, 20), 2, &text_width);
    let title_h = title.height() + 8;
    let mut notes = net.subset_notes();
    notes.extend(options.notes.iter().cloned());
    let nodes = || net.layers.iter().flat_map(|l| l.nodes.iter());
    let key = KeyContent {
        key: &options.key,
        value_range: options.value_range,
        threshold: None,
        train: false,
        test: false,
        dead: nodes().any(|p| p.dead),
        notes: &notes,
        point_radius: options.point_radius,
    }
    .layout(width);
    let key_h = key.as_ref().map_or(0, |k| k.height());
    let body_h = HEADER + tallest * side + (tallest - 1) * ROW_GAP + 30;
    let height = title_h + body_h + key_h + 20;
    if height > 16_384 || width > 16_384 {
        return Err(Error::invalid(
            "network picture size",
            "at most 16384 pixels a side (draw fewer units per layer)",
            format!("{width}×{height}"),
        ));
    }
    render_png(path.as_ref(), (width, height), |root| {
        draw_centred(
            &root.clone().shrink((0, 4), (width, title_h)),
            &title,
            BLACK,
        )?;
        let body = root.clone().shrink((0, title_h), (width, body_h));
        draw_body(&body, net, options, side, tallest)?;
        if let Some(key) = &key {
            let strip = root
                .clone()
                .shrink((0, title_h + body_h + 10), (width, key_h));
            key.draw(&strip)?;
        }
        Ok(())
    })
}

/// The top-left corner of unit `i` of a column of `count` units in
/// column `c`, the columns centred vertically on the tallest.
fn node_origin(c: usize, i: usize, count: usize, side: u32, tallest: u32) -> (i32, i32) {
    let step = (side + ROW_GAP) as i32;
    let offset = (tallest as i32 - count as i32) * step / 2;
    let x = LEFT as i32 + c as i32 * (side + COLUMN_GAP) as i32;
    (x, HEADER as i32 + offset + i as i32 * step)
}

fn draw_body(
    area: &Area<'_>,
    net: &Network,
    options: &HeatmapOptions,
    side: u32,
    tallest: u32,
) -> Result<()> {
    let s = side as i32;
    // edges under the nodes
    for l in 0..net.layers.len() - 1 {
        let (na, nb) = (net.layers[l].nodes.len(), net.layers[l + 1].nodes.len());
        let mut edges = net.edges(l);
        // thin ones first, so the strong weights stay visible on top
        edges.sort_by(|a, b| a.2.abs().total_cmp(&b.2.abs()));
        for (i, j, w) in edges {
            let (ax, ay) = node_origin(l, i, na, side, tallest);
            let (bx, by) = node_origin(l + 1, j, nb, side, tallest);
            let (stroke, color) = edge_style(w);
            let style = ShapeStyle::from(color.rgb_color()).stroke_width(stroke);
            area.draw(&PathElement::new(
                vec![(ax + s, ay + s / 2), (bx, by + s / 2)],
                style,
            ))
            .map_err(plot_err("drawing the network's weights"))?;
        }
    }
    let header = TextStyle::from((FONT, 14).into_font()).pos(Pos::new(HPos::Center, VPos::Top));
    let small = TextStyle::from((FONT, 12).into_font()).pos(Pos::new(HPos::Center, VPos::Top));
    let beside = TextStyle::from((FONT, 13).into_font()).pos(Pos::new(HPos::Right, VPos::Center));
    for (c, layer) in net.layers.iter().enumerate() {
        let n = layer.nodes.len();
        let (x, _) = node_origin(c, 0, n, side, tallest);
        let units = if n < layer.units {
            format!("{} of {} units", n, layer.units)
        } else if layer.units == 1 {
            "1 unit".to_string()
        } else {
            format!("{} units", layer.units)
        };
        let mid = x + s / 2;
        area.draw(&Text::new(layer.name.as_str(), (mid, 2), header.clone()))
            .map_err(plot_err("naming the network's layers"))?;
        area.draw(&Text::new(units, (mid, 20), small.clone()))
            .map_err(plot_err("naming the network's layers"))?;
        for (i, node) in layer.nodes.iter().enumerate() {
            let (x, y) = node_origin(c, i, n, side, tallest);
            let cell = area.clone().shrink((x, y), (side, side));
            draw_thumbnail(&cell, node, options)?;
            if c == 0 && !node.title.is_empty() {
                area.draw(&Text::new(
                    node.title.as_str(),
                    (x - 6, y + s / 2),
                    beside.clone(),
                ))
                .map_err(plot_err("naming the network's inputs"))?;
            }
        }
        if n < layer.units {
            let (_, y) = node_origin(c, n - 1, n, side, tallest);
            area.draw(&Text::new(
                format!("+ {} more", layer.units - n),
                (mid, y + s + 4),
                small.clone(),
            ))
            .map_err(plot_err("naming the network's layers"))?;
        }
    }
    Ok(())
}

/// An edge's width (1 to 10 pixels for |w| from 0 to 5) and colour (the
/// Playground's scale: orange at −1, grey at 0, blue at +1).
fn edge_style(w: f64) -> (u32, Color) {
    if !w.is_finite() {
        return (1, Color::BLACK);
    }
    let width = 1.0 + 9.0 * (w.abs() / 5.0).min(1.0);
    (width.round() as u32, playground_scale((w + 1.0) / 2.0))
}

/// A unit's output as a small heatmap without axes or title: its cells, a
/// thin frame, and a red cross when it is dead.
fn draw_thumbnail(area: &Area<'_>, panel: &Panel, options: &HeatmapOptions) -> Result<()> {
    let (w, h) = area.dim_in_pixel();
    let n = panel.density;
    let err = plot_err("drawing a unit");
    for (k, &v) in panel.values.iter().enumerate() {
        let (i, j) = ((k % n) as u32, (k / n) as u32);
        let (x0, x1) = (i * w / n as u32, (i + 1) * w / n as u32);
        // row 0 is the bottom
        let (y0, y1) = (h - (j + 1) * h / n as u32, h - j * h / n as u32);
        area.draw(&Rectangle::new(
            [(x0 as i32, y0 as i32), (x1 as i32, y1 as i32)],
            options.cell_color(v).rgb_color().filled(),
        ))
        .map_err(&err)?;
    }
    let frame = [(0, 0), (w as i32 - 1, h as i32 - 1)];
    let frame_color = if panel.dead {
        super::heatmap::DEAD
    } else {
        Color::GREY
    };
    let stroke = if panel.dead { 2 } else { 1 };
    let style = ShapeStyle::from(frame_color.rgb_color()).stroke_width(stroke);
    area.draw(&Rectangle::new(frame, style)).map_err(&err)?;
    if panel.dead {
        for line in [[(0, 0), frame[1]], [(0, frame[1].1), (frame[1].0, 0)]] {
            area.draw(&PathElement::new(line.to_vec(), style))
                .map_err(&err)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layer(name: &str, units: usize, shown: usize) -> NetworkLayer {
        NetworkLayer {
            name: name.into(),
            units,
            nodes: (0..shown)
                .map(|_| Panel::from_values("", (0.0, 1.0), (0.0, 1.0), 2, vec![0.0; 4]))
                .collect(),
        }
    }

    #[test]
    fn edges_join_the_drawn_units_with_their_weights() {
        // 2 inputs, a layer of 3 of which 2 are drawn, 1 output
        let w1 = vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0]; // [2, 3]
        let w2 = vec![7.0, 8.0, 9.0]; // [3, 1]
        let net = Network {
            title: String::new(),
            layers: vec![
                layer("input", 2, 2),
                layer("layer 1", 3, 2),
                layer("output", 1, 1),
            ],
            weights: vec![w1, w2],
        };
        assert!(net.check().is_ok());
        assert_eq!(
            net.edges(0),
            vec![(0, 0, 1.0), (0, 1, 2.0), (1, 0, 4.0), (1, 1, 5.0)]
        );
        assert_eq!(net.edges(1), vec![(0, 0, 7.0), (1, 0, 8.0)]);
        assert_eq!(
            net.subset_notes(),
            vec!["layer 1: the first 2 of 3 units are drawn".to_string()]
        );
        let mut bad = net.clone();
        bad.weights[1].pop();
        let e = bad.check().unwrap_err().to_string();
        assert!(
            e.contains("3 × 1 = 3 values") && e.contains("2 values"),
            "{e}"
        );
    }

    #[test]
    fn edge_thickness_and_colour_follow_the_playground() {
        assert_eq!(edge_style(0.0), (1, Color::PLAYGROUND_GREY));
        assert_eq!(edge_style(-1.0).1, Color::PLAYGROUND_ORANGE);
        assert_eq!(edge_style(1.0).1, Color::PLAYGROUND_BLUE);
        assert_eq!(edge_style(5.0).0, 10);
        assert_eq!(edge_style(-50.0), (10, Color::PLAYGROUND_ORANGE));
        assert!(edge_style(2.0).0 > edge_style(0.5).0);
    }
}
