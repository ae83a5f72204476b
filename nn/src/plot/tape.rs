//! The tape drawn as a picture: one box per node of an
//! [`autograd::Graph`] with its op, value and gradient, one arrow per edge
//! labelled with its local partial derivative, left to right from the
//! inputs to the output — micrograd's `draw_dot`, with the numbers the
//! chain rule multiplies on the edges. The text in the boxes and on the
//! arrows is the graph's own ([`GraphNode::lines`], [`GraphEdge::label`]),
//! the same as [`Graph::to_dot`] writes.

use std::path::Path;

use autograd::{Graph, GraphEdge, GraphNode, NodeKind};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::Color as _;

use super::color::Color;
use super::key::{draw_centred, fit_text, line_height, text_width};
use super::output::{ensure_fonts, plot_err, render_png, Area, FONT};
use crate::{Error, Result};

/// Font size of the text in the boxes and on the arrows.
const TEXT: u32 = 16;
/// Padding inside a box.
const PAD: u32 = 8;
/// Space between two boxes of a column.
const ROW_GAP: u32 = 28;
/// Least space between two columns (more when the labels need it).
const MIN_GAP: u32 = 70;
/// Margin around the drawing.
const MARGIN: u32 = 24;

/// Fill of an input's box (a variable), a constant's, a group's.
const INPUT_FILL: Color = Color::hex(0xdbe9f6);
const CONSTANT_FILL: Color = Color::hex(0xeeeeee);
const OUTPUT_EDGE: Color = Color::hex(0x2ca02c);
/// Colour of the gradient lines and of the labels on the arrows.
const GRAD: Color = Color::hex(0xb2182b);

/// Where each node goes: its column and its box.
struct Layout {
    /// (column, top-left x, top-left y, width, height) per node.
    boxes: Vec<(usize, i32, i32, u32, u32)>,
    /// Left edge and width of each column.
    columns: Vec<(i32, u32)>,
    size: (u32, u32),
}

/// The column of every node: one after its latest input; a node with no
/// inputs goes just before the first node that uses it. Edges that point
/// back (between groups of a summary) do not count.
fn columns(g: &Graph) -> Vec<usize> {
    let n = g.nodes.len();
    let forward = |e: &&GraphEdge| e.from < e.to && e.to < n;
    let mut col = vec![0usize; n];
    for e in g.edges.iter().filter(forward) {
        col[e.to] = col[e.to].max(col[e.from] + 1);
    }
    let has_input: Vec<bool> = (0..n)
        .map(|i| g.edges.iter().filter(forward).any(|e| e.to == i))
        .collect();
    for i in (0..n).filter(|&i| !has_input[i]) {
        let first_use = g
            .edges
            .iter()
            .filter(forward)
            .filter(|e| e.from == i)
            .map(|e| col[e.to])
            .min();
        if let Some(c) = first_use {
            col[i] = c.saturating_sub(1);
        }
    }
    col
}

fn layout(g: &Graph, lines: &[Vec<String>], labels: &[String]) -> Layout {
    let col = columns(g);
    let ncols = col.iter().max().map_or(1, |c| c + 1);
    let lh = line_height(TEXT);
    let sizes: Vec<(u32, u32)> = lines
        .iter()
        .map(|ls| {
            let w = ls.iter().map(|l| text_width(l, TEXT)).max().unwrap_or(0);
            (w + 2 * PAD, ls.len() as u32 * lh + 2 * PAD)
        })
        .collect();
    // order within a column: by the mean height of the inputs (then of
    // the users, for nodes without inputs), in two passes
    let mut members: Vec<Vec<usize>> = vec![Vec::new(); ncols];
    for (i, &c) in col.iter().enumerate() {
        members[c].push(i);
    }
    let mut y_mid = vec![0.0f64; g.nodes.len()];
    let widths: Vec<u32> = members
        .iter()
        .map(|m| m.iter().map(|&i| sizes[i].0).max().unwrap_or(0))
        .collect();
    // a gap is wide enough for the labels of the edges leaving the column
    let gaps: Vec<u32> = (0..ncols)
        .map(|c| {
            g.edges
                .iter()
                .zip(labels)
                .filter(|(e, _)| col.get(e.from) == Some(&c))
                .map(|(_, l)| text_width(l, TEXT) + 30)
                .max()
                .unwrap_or(0)
                .max(MIN_GAP)
        })
        .collect();
    let mut heights = vec![0u32; ncols];
    for pass in 0..2 {
        for (c, m) in members.iter_mut().enumerate() {
            let key = |i: usize| {
                let ins: Vec<f64> = g
                    .edges
                    .iter()
                    .filter(|e| e.to == i && e.from < e.to)
                    .map(|e| y_mid[e.from])
                    .collect();
                let outs: Vec<f64> = g
                    .edges
                    .iter()
                    .filter(|e| e.from == i && e.from < e.to)
                    .map(|e| y_mid[e.to])
                    .collect();
                let pick = if ins.is_empty() && pass == 1 {
                    outs
                } else {
                    ins
                };
                if pick.is_empty() {
                    i as f64
                } else {
                    pick.iter().sum::<f64>() / pick.len() as f64
                }
            };
            if c > 0 || pass == 1 {
                m.sort_by(|&a, &b| key(a).total_cmp(&key(b)).then(a.cmp(&b)));
            }
            let mut y = 0u32;
            for &i in m.iter() {
                y_mid[i] = f64::from(y + sizes[i].1 / 2);
                y += sizes[i].1 + ROW_GAP;
            }
            heights[c] = y.saturating_sub(ROW_GAP);
        }
    }
    let tallest = heights.iter().copied().max().unwrap_or(0);
    let mut columns = Vec::with_capacity(ncols);
    let mut x = MARGIN as i32;
    for c in 0..ncols {
        columns.push((x, widths[c]));
        x += (widths[c] + gaps[c]) as i32;
    }
    let width = (x as u32).saturating_sub(gaps[ncols - 1]) + MARGIN;
    let mut boxes = vec![(0, 0, 0, 0, 0); g.nodes.len()];
    for (c, m) in members.iter().enumerate() {
        let mut y = MARGIN as i32 + ((tallest - heights[c]) / 2) as i32;
        for &i in m {
            let (w, h) = sizes[i];
            let (cx, cw) = columns[c];
            boxes[i] = (c, cx + ((cw - w) / 2) as i32, y, w, h);
            y += (h + ROW_GAP) as i32;
        }
    }
    Layout {
        boxes,
        columns,
        size: (width.max(200), tallest + 2 * MARGIN),
    }
}

/// Draws `graph` and writes a PNG at `path`: `title` on top, a line that
/// says how to read it, then one box per node — "#index op", a tensor's
/// shape, its value and (after [`autograd::Tape::graph_with_grads`]) its
/// gradient in red — and one arrow per edge labelled with the local
/// partial derivative ∂(head)/∂(tail), so each gradient can be checked by
/// hand: it is the sum over the node's outgoing arrows of the label × the
/// gradient at the arrow's head. Inputs (variables) are blue, constants
/// grey, the output framed in green. A graph of more than
/// [`autograd::MAX_DRAWN_NODES`] nodes is drawn as its
/// [`Graph::summarised`] form: one box per op with its count.
///
/// # Errors
///
/// [`Error::Invalid`] for an empty graph or a picture over 16384 pixels a
/// side; otherwise as for [`heatmap`](super::heatmap) (the file).
///
/// ```
/// use autograd::Tape;
/// let tape = Tape::new();
/// tape.keep_graph(true);
/// let w = tape.var(0.5);
/// let e = (0.68 - w * 0.4).powi(2);
/// let graph = tape.graph_with_grads(e)?;
/// let path = std::env::temp_dir().join("nn-doc-tape.png");
/// nn::plot::tape_graph(&path, &graph, "e = (0.68 − 0.4w)² at w = 0.5")?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn tape_graph(path: impl AsRef<Path>, graph: &Graph, title: &str) -> Result<()> {
    if graph.nodes.is_empty() {
        return Err(Error::invalid(
            "tape picture",
            "a graph with at least one node",
            "an empty graph",
        ));
    }
    ensure_fonts()?;
    let g = graph.summarised();
    let lines: Vec<Vec<String>> = g.nodes.iter().map(GraphNode::lines).collect();
    let labels: Vec<String> = g.edges.iter().map(GraphEdge::label).collect();
    let lay = layout(&g, &lines, &labels);
    let width = lay.size.0.max(640);
    let how = if g.nodes.len() < graph.nodes.len() {
        format!(
            "{} nodes, grouped by op: each box is one op and how many nodes it made; each arrow, how many edges join two ops",
            graph.nodes.len()
        )
    } else if g.nodes.iter().any(|n| n.grad.is_some()) {
        "each gradient (red) = sum over the node's outgoing arrows of ∂ × the gradient at the arrow's head".to_string()
    } else {
        // no backward pass: the arrows alone, which multiply along a path
        "each arrow (red) is the local partial ∂(head)/∂(tail); the derivative of an output by an input = sum over the paths between them of the product of the arrows".to_string()
    };
    let title = fit_text(title, width - 20, (14, 22), 2, &text_width);
    let how = fit_text(&how, width - 20, (12, 15), 2, &text_width);
    let head = title.height() + how.height() + 16;
    let height = head + lay.size.1;
    if width > 16_384 || height > 16_384 {
        return Err(Error::invalid(
            "tape picture size",
            "at most 16384 pixels a side (draw a smaller tape)",
            format!("{width}×{height}"),
        ));
    }
    render_png(path.as_ref(), (width, height), |root| {
        draw_centred(
            &root.clone().shrink((0, 4), (width, title.height())),
            &title,
            BLACK,
        )?;
        let how_area = root
            .clone()
            .shrink((0, title.height() + 8), (width, how.height()));
        draw_centred(&how_area, &how, Color::GREY.rgb_color())?;
        let offset = ((width - lay.size.0) / 2) as i32;
        let body = root
            .clone()
            .shrink((offset.max(0) as u32, head), (lay.size.0, lay.size.1));
        draw_body(&body, &g, &lay, &lines, &labels)
    })
}

fn draw_body(
    area: &Area<'_>,
    g: &Graph,
    lay: &Layout,
    lines: &[Vec<String>],
    labels: &[String],
) -> Result<()> {
    let err = plot_err("drawing the tape");
    let ends = |e: &GraphEdge| {
        let (_, fx, fy, fw, fh) = lay.boxes[e.from];
        let (_, tx, ty, _, th) = lay.boxes[e.to];
        (
            (fx + fw as i32, fy + fh as i32 / 2),
            (tx, ty + th as i32 / 2),
        )
    };
    let line = ShapeStyle::from(Color::GREY.rgb_color()).stroke_width(2);
    for e in &g.edges {
        let (a, b) = ends(e);
        area.draw(&PathElement::new(vec![a, b], line))
            .map_err(&err)?;
        // the arrowhead
        let (dx, dy) = (f64::from(b.0 - a.0), f64::from(b.1 - a.1));
        let len = (dx * dx + dy * dy).sqrt().max(1.0);
        let (ux, uy) = (dx / len, dy / len);
        let p = |along: f64, across: f64| {
            (
                b.0 - (ux * along - uy * across).round() as i32,
                b.1 - (uy * along + ux * across).round() as i32,
            )
        };
        area.draw(&Polygon::new(
            vec![b, p(12.0, 5.0), p(12.0, -5.0)],
            Color::GREY.rgb_color().filled(),
        ))
        .map_err(&err)?;
    }
    let text = TextStyle::from((FONT, TEXT).into_font()).pos(Pos::new(HPos::Left, VPos::Top));
    let lh = line_height(TEXT) as i32;
    for (i, n) in g.nodes.iter().enumerate() {
        let (_, x, y, w, h) = lay.boxes[i];
        let fill = match n.kind {
            NodeKind::Input => INPUT_FILL,
            NodeKind::Constant => CONSTANT_FILL,
            NodeKind::Op | NodeKind::Group => Color::WHITE,
        };
        let corners = [(x, y), (x + w as i32, y + h as i32)];
        area.draw(&Rectangle::new(corners, fill.rgb_color().filled()))
            .map_err(&err)?;
        let (frame, stroke) = if g.output == Some(n.id) {
            (OUTPUT_EDGE, 3)
        } else {
            (Color::BLACK, 1)
        };
        area.draw(&Rectangle::new(
            corners,
            ShapeStyle::from(frame.rgb_color()).stroke_width(stroke),
        ))
        .map_err(&err)?;
        let mut in_grad = false;
        for (k, l) in lines[i].iter().enumerate() {
            in_grad |= l.starts_with("grad");
            let color = if in_grad { GRAD } else { Color::BLACK };
            let pos = (x + PAD as i32, y + PAD as i32 + k as i32 * lh);
            area.draw(&Text::new(
                l.as_str(),
                pos,
                text.clone().color(&color.rgb_color()),
            ))
            .map_err(&err)?;
        }
    }
    // the labels last, on white, in the gap after the arrow's tail; a
    // label that would cover one already drawn slides along its arrow, or
    // moves a line up or down
    let label = TextStyle::from((FONT, TEXT).into_font()).pos(Pos::new(HPos::Left, VPos::Center));
    let half = lh / 2;
    let mut placed: Vec<(i32, i32, i32, i32)> = Vec::new();
    for (e, l) in g.edges.iter().zip(labels) {
        if l.is_empty() {
            continue;
        }
        let (a, b) = ends(e);
        let (col, ..) = lay.boxes[e.from];
        let gap_start = lay.columns[col].0 + lay.columns[col].1 as i32;
        let w = text_width(l, TEXT) as i32;
        let at = |x: i32| {
            let t = if b.0 > a.0 {
                f64::from(x + w / 2 - a.0) / f64::from(b.0 - a.0)
            } else {
                0.5
            };
            (
                x,
                a.1 + (f64::from(b.1 - a.1) * t.clamp(0.0, 1.0)).round() as i32,
            )
        };
        let first = gap_start.max(a.0) + 8;
        let last = (b.0 - w - 16).max(first);
        let free = |&(x, y): &(i32, i32)| {
            placed.iter().all(|&(x0, y0, x1, y1)| {
                x + w + 3 < x0 || x - 3 > x1 || y + half < y0 || y - half > y1
            })
        };
        // then, if the gap is too narrow to slide in, just above or below
        let (x0, y0) = at(first);
        let (x, y) = (first..=last)
            .step_by(4)
            .map(at)
            .chain([-1, 1, -2, 2].map(|k| (x0, y0 + k * (lh + 2))))
            .find(free)
            .unwrap_or((x0, y0));
        placed.push((x - 3, y - half, x + w + 3, y + half));
        area.draw(&Rectangle::new(
            [(x - 3, y - half), (x + w + 3, y + half)],
            WHITE.filled(),
        ))
        .map_err(&err)?;
        area.draw(&Text::new(
            l.as_str(),
            (x, y),
            label.clone().color(&GRAD.rgb_color()),
        ))
        .map_err(&err)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use autograd::Tape;

    #[test]
    fn inputs_come_just_before_their_first_use_and_ops_after_their_inputs() {
        let tape = Tape::new();
        tape.keep_graph(true);
        let (w, b) = (tape.var(0.5), tape.var(0.1));
        let z = w * 0.4 + b; // mul (#2), add (#3)
        let e = z.sigmoid().powi(2); // #4, #5
        let _ = e;
        let g = tape.graph();
        assert_eq!(columns(&g), vec![0, 1, 1, 2, 3, 4]);
    }

    #[test]
    fn an_empty_graph_is_refused() {
        let tape = Tape::new();
        let path = std::env::temp_dir().join("nn-test-empty-tape.png");
        let e = tape_graph(&path, &tape.graph(), "nothing").unwrap_err();
        assert!(e.to_string().contains("at least one node"), "{e}");
    }
}
