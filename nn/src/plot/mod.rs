//! Pictures of what a network learned: PNG (and animated GIF) plots.
//!
//! Plain data in, a picture file out. Every function here
//!
//! - renders with DejaVu Sans embedded in the binary (registered on first
//!   use), so it works on a machine with no system fonts and no font
//!   library; labels should be in Latin script (DejaVu has no CJK glyphs);
//! - writes atomically: it draws into a temporary file next to the target and
//!   renames it into place, so a failed render never replaces a good picture
//!   with a broken one;
//! - explains itself: heatmaps name their axes ([`HeatmapOptions::x_label`])
//!   and carry a [`Key`] saying what the colours and the point markers
//!   mean; titles are wrapped or shrunk to their width, never cut;
//! - returns [`Error::Io`](crate::Error::Io) naming the file when its
//!   directory is missing or not writable, [`Error::Invalid`](crate::Error::Invalid)
//!   for bad arguments and [`Error::Plot`](crate::Error::Plot) when drawing fails.
//!
//! | picture | function |
//! |---|---|
//! | loss / accuracy curves, gradient norms (log axis), descent steps on a parabola | [`line_chart`] |
//! | bean data with fitted lines and S-curves | [`scatter_with_curves`] |
//! | cost surface e(w, b) with the descent path; a neuron's sigmoid surface | [`surface3d`] |
//! | contour map of a cost with the descent path | [`contour`] |
//! | the playground's decision heatmap with train/test points | [`heatmap`] |
//! | per-neuron heatmaps, comparisons side by side | [`heatmap_grid`], [`heatmap_rows`] |
//! | the network as the Playground draws it: units as thumbnails, weights as edges | [`network`] |
//! | the boundary forming during training | [`gif_heatmaps`] |
//! | digit images with captions ("7 → 2") | [`digit_grid`] |
//! | the tape: ops, values, gradients, partials on the edges (the chain rule) | [`tape_graph`] |
//!
//! A network's maps come from one batched pass over a [`PlaneGrid`] (the
//! heatmap's cells as network inputs): its output, each unit's output
//! ([`PlaneGrid::units`]) and the [`Network`] picture. [`Panel::fit_range`]
//! picks a view that shows the data; [`dead_units`] finds the units to
//! cross out.

mod chart;
mod color;
mod contour;
mod digits;
mod heatmap;
mod key;
mod legend;
mod network;
mod output;
mod panel;
mod plane;
mod surface;
mod tape;

pub use chart::{line_chart, scatter_with_curves, ChartOptions, Legend, Marker, Series};
pub use color::Color;
pub use contour::{contour, ContourOptions, Levels};
pub use digits::{digit_grid, DigitGridOptions};
pub use heatmap::{gif_heatmaps, heatmap, heatmap_grid, heatmap_rows, HeatmapOptions};
pub use key::Key;
pub use network::{network, Network, NetworkLayer};
pub use panel::{BoundaryLine, Panel};
pub use plane::{dead_units, labelled_points, PlaneGrid};
pub use surface::{surface3d, SurfaceOptions};
pub use tape::tape_graph;
