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
//! | the boundary forming during training | [`gif_heatmaps`] |
//! | digit images with captions ("7 → 2") | [`digit_grid`] |

mod chart;
mod color;
mod contour;
mod digits;
mod heatmap;
mod output;
mod surface;

pub use chart::{line_chart, scatter_with_curves, ChartOptions, Legend, Marker, Series};
pub use color::Color;
pub use contour::{contour, ContourOptions, Levels};
pub use digits::{digit_grid, DigitGridOptions};
pub use heatmap::{
    gif_heatmaps, heatmap, heatmap_grid, heatmap_rows, BoundaryLine, HeatmapOptions, Panel,
};
pub use surface::{surface3d, SurfaceOptions};
