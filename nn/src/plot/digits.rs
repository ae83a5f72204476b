//! Grids of small grayscale images (MNIST digits) with captions.

use std::path::Path;

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::output::{plot_err, render_png, FONT};
use crate::{Error, Result};

/// Options of [`digit_grid`].
#[derive(Clone, Debug, PartialEq)]
pub struct DigitGridOptions {
    /// Drawn width and height of each image in pixels; 112 by default
    /// (4 pixels per pixel of a 28×28 digit, 14 of an 8×8 one).
    pub image_px: u32,
    /// Caption font size in pixels.
    pub caption_px: u32,
    /// The values drawn as background and as full ink. `None` (the default)
    /// stretches each image's own minimum and maximum, so both [0, 1] MNIST
    /// pixels and 0..16 scikit-learn digits show with full contrast.
    pub value_range: Option<(f64, f64)>,
    /// Dark ink on a white background (true, the default), or light on dark.
    pub dark_ink: bool,
    /// A title above the grid; empty for none.
    pub title: String,
}

impl Default for DigitGridOptions {
    fn default() -> Self {
        DigitGridOptions {
            image_px: 112,
            caption_px: 18,
            value_range: None,
            dark_ink: true,
            title: String::new(),
        }
    }
}

/// Draws `side`×`side` grayscale images (row-major, one value per pixel) in
/// a grid of `columns`, each with its caption below (`labels` is empty, or
/// one per image: "7", "7 → 2" for a misclassified digit), and writes a PNG
/// at `path`.
///
/// # Errors
///
/// [`Error::Mismatch`] when an image does not have `side²` values or
/// `labels` is neither empty nor one per image; [`Error::Invalid`] when
/// there are no images, `side` or `columns` is 0, or the picture would be
/// too large; otherwise as for [`line_chart`](super::line_chart).
///
/// ```
/// use nn::plot::{digit_grid, DigitGridOptions};
/// let one: Vec<f64> = (0..64).map(|i| if i % 8 == 4 { 1.0 } else { 0.0 }).collect();
/// let zero: Vec<f64> = (0..64).map(|i| { let (r, c) = (i / 8, i % 8); if r == 1 || r == 6 || c == 2 || c == 5 { 1.0 } else { 0.0 } }).collect();
/// let path = std::env::temp_dir().join("nn-doc-digits.png");
/// digit_grid(&path, &[&one, &zero], 8, &["1".to_string(), "0 → 8".to_string()], 2, &DigitGridOptions::default())?;
/// # Ok::<(), nn::Error>(())
/// ```
pub fn digit_grid(
    path: impl AsRef<Path>,
    images: &[&[f64]],
    side: usize,
    labels: &[String],
    columns: usize,
    options: &DigitGridOptions,
) -> Result<()> {
    if images.is_empty() {
        return Err(Error::invalid("digit images", "at least one image", "none"));
    }
    if side == 0 || columns == 0 {
        return Err(Error::invalid(
            "digit grid",
            "side ≥ 1 and columns ≥ 1",
            format!("side {side}, columns {columns}"),
        ));
    }
    for (k, image) in images.iter().enumerate() {
        if image.len() != side * side {
            return Err(Error::mismatch(
                format!("digit image {k}"),
                format!("{side} × {side} = {} values", side * side),
                format!("{} values", image.len()),
            ));
        }
    }
    if !labels.is_empty() && labels.len() != images.len() {
        return Err(Error::mismatch(
            "digit captions",
            format!("none or one per image ({})", images.len()),
            format!("{} captions", labels.len()),
        ));
    }
    if let Some((lo, hi)) = options.value_range {
        if !(lo.is_finite() && hi.is_finite() && lo < hi) {
            return Err(Error::invalid(
                "digit value range",
                "finite bounds with low < high",
                format!("({lo}, {hi})"),
            ));
        }
    }
    if options.image_px < side as u32 || options.image_px > 4096 {
        return Err(Error::invalid(
            "digit image size",
            format!("{side}..=4096 pixels (at least one per image pixel)"),
            options.image_px,
        ));
    }
    let pad = 12u32;
    let caption_h = if labels.is_empty() {
        0
    } else {
        options.caption_px + 8
    };
    let title_h = if options.title.is_empty() { 0 } else { 44 };
    let cell_w = options.image_px + pad;
    let cell_h = options.image_px + caption_h + pad;
    let columns = columns.min(images.len());
    let rows = images.len().div_ceil(columns);
    let too_big = || {
        Error::invalid(
            "digit grid picture",
            "at most 16384 pixels a side",
            format!("{rows} rows × {columns} columns"),
        )
    };
    let width = u32::try_from(columns)
        .ok()
        .and_then(|c| c.checked_mul(cell_w))
        .map(|w| w + pad)
        .ok_or_else(too_big)?;
    let height = u32::try_from(rows)
        .ok()
        .and_then(|r| r.checked_mul(cell_h))
        .map(|h| h + pad + title_h)
        .ok_or_else(too_big)?;
    if width > 16_384 || height > 16_384 {
        return Err(too_big());
    }
    render_png(path.as_ref(), (width.max(160), height.max(64)), |root| {
        if !options.title.is_empty() {
            let style =
                TextStyle::from((FONT, 24).into_font()).pos(Pos::new(HPos::Center, VPos::Center));
            root.draw(&Text::new(
                options.title.as_str(),
                (width.max(160) as i32 / 2, 24),
                style,
            ))
            .map_err(plot_err("drawing the title"))?;
        }
        let caption_style = TextStyle::from((FONT, options.caption_px).into_font())
            .pos(Pos::new(HPos::Center, VPos::Top));
        let px = options.image_px as i64;
        for (k, image) in images.iter().enumerate() {
            let ox = (pad + (k % columns) as u32 * cell_w) as i32;
            let oy = (title_h + pad + (k / columns) as u32 * cell_h) as i32;
            let (lo, hi) = options.value_range.unwrap_or_else(|| {
                let finite = image.iter().copied().filter(|v| v.is_finite());
                let lo = finite.clone().fold(f64::INFINITY, f64::min);
                let hi = finite.fold(f64::NEG_INFINITY, f64::max);
                if lo < hi {
                    (lo, hi)
                } else {
                    (lo.min(0.0), lo.max(0.0) + 1.0)
                }
            });
            let edge = |i: usize| (i as i64 * px / side as i64) as i32;
            for (i, &v) in image.iter().enumerate() {
                let (r, c) = (i / side, i % side);
                let t = if v.is_finite() {
                    ((v - lo) / (hi - lo)).clamp(0.0, 1.0)
                } else {
                    0.0
                };
                let ink = if options.dark_ink { 1.0 - t } else { t };
                let g = (ink * 255.0).round() as u8;
                root.draw(&Rectangle::new(
                    [
                        (ox + edge(c), oy + edge(r)),
                        (ox + edge(c + 1), oy + edge(r + 1)),
                    ],
                    RGBColor(g, g, g).filled(),
                ))
                .map_err(plot_err("drawing a digit"))?;
            }
            root.draw(&Rectangle::new(
                [(ox - 1, oy - 1), (ox + px as i32, oy + px as i32)],
                ShapeStyle::from(RGBColor(180, 180, 180)).stroke_width(1),
            ))
            .map_err(plot_err("drawing an image frame"))?;
            if let Some(label) = labels.get(k) {
                root.draw(&Text::new(
                    label.as_str(),
                    (ox + px as i32 / 2, oy + px as i32 + 5),
                    caption_style.clone(),
                ))
                .map_err(plot_err("drawing a caption"))?;
            }
        }
        Ok(())
    })
}
