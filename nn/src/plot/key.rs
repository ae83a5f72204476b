//! What a heatmap's colours and markers mean (the key under its panels),
//! and text that fits its width (titles are wrapped or shrunk, never cut).

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::Color as _;

use super::color::{playground_scale, Color};
use super::output::{ensure_fonts, plot_err, tick_label, Area, FONT};
use crate::Result;

/// The colour key drawn under a heatmap picture: what orange and blue mean.
///
/// ```
/// use nn::plot::{HeatmapOptions, Key};
/// let classes = HeatmapOptions { key: Key::classes("poisonous", "safe"), ..Default::default() };
/// let regression = HeatmapOptions { key: Key::scale("target"), threshold: None, ..Default::default() };
/// assert_ne!(classes.key, regression.key);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub enum Key {
    /// No key (and no note of the point markers).
    None,
    /// Two classes: what the low end (orange) and the high end (blue) of
    /// the value range stand for.
    Classes {
        /// The class shown in orange (the low end).
        low: String,
        /// The class shown in blue (the high end).
        high: String,
    },
    /// k classes: a cell's value is the index of its class (0 … k−1), a
    /// point's label too, each drawn in [`Color::class`] (a region in a
    /// lighter shade); the names are the classes', in order.
    Categories(Vec<String>),
    /// A continuous value: a colour bar over the value range, with its ends
    /// and middle written under it.
    Scale {
        /// What the value is ("target", "output").
        name: String,
    },
}

impl Key {
    /// Two classes: orange is `low`, blue is `high`.
    pub fn classes(low: impl Into<String>, high: impl Into<String>) -> Key {
        Key::Classes {
            low: low.into(),
            high: high.into(),
        }
    }

    /// A value scale named `name`.
    pub fn scale(name: impl Into<String>) -> Key {
        Key::Scale { name: name.into() }
    }
}

/// Text set at one size, in lines.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Fitted {
    /// Font size in pixels.
    pub(crate) size: u32,
    /// The lines, in order.
    pub(crate) lines: Vec<String>,
}

impl Fitted {
    /// The height the lines take, at 1.25 × the font size per line.
    pub(crate) fn height(&self) -> u32 {
        self.lines.len() as u32 * line_height(self.size)
    }
}

/// The height of one line of text at `size`.
pub(crate) fn line_height(size: u32) -> u32 {
    size + size.div_ceil(4)
}

/// The width in pixels of `text` at `size` in the embedded font.
pub(crate) fn text_width(text: &str, size: u32) -> u32 {
    if ensure_fonts().is_err() {
        return text.chars().count() as u32 * size;
    }
    FontDesc::new(FontFamily::Name(FONT), f64::from(size), FontStyle::Normal)
        .box_size(text)
        .map_or(text.chars().count() as u32 * size, |(w, _)| w)
}

/// Splits `text` into lines no wider than `width` (by `measure`), breaking
/// between words; a word wider than the whole width is broken between
/// characters.
pub(crate) fn wrap(text: &str, width: u32, measure: &dyn Fn(&str) -> u32) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let candidate = if line.is_empty() {
            word.to_string()
        } else {
            format!("{line} {word}")
        };
        if measure(&candidate) <= width {
            line = candidate;
            continue;
        }
        if !line.is_empty() {
            lines.push(std::mem::take(&mut line));
        }
        if measure(word) <= width {
            line = word.to_string();
            continue;
        }
        // too long for any line: as many characters as fit, at least one
        for c in word.chars() {
            let mut longer = line.clone();
            longer.push(c);
            if !line.is_empty() && measure(&longer) > width {
                lines.push(std::mem::replace(&mut line, c.to_string()));
            } else {
                line = longer;
            }
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

/// Sets `text` in `width` pixels, never cutting it: on one line at the
/// largest size from `sizes.1` down to three quarters of it where it fits,
/// else in at most `max_lines` lines at the largest size down to `sizes.0`
/// where they fit, else wrapped at the smallest size into as many lines as
/// it takes.
pub(crate) fn fit_text(
    text: &str,
    width: u32,
    (min, max): (u32, u32),
    max_lines: usize,
    measure: &dyn Fn(&str, u32) -> u32,
) -> Fitted {
    let max = max.max(min);
    let shrunk = (max * 3 / 4).max(min);
    for (lines_allowed, smallest) in [(1, shrunk), (max_lines.max(1), min)] {
        for size in (smallest..=max).rev() {
            let at = |s: &str| measure(s, size);
            let lines = wrap(text, width, &at);
            if lines.len() <= lines_allowed && lines.iter().all(|l| at(l) <= width) {
                return Fitted { size, lines };
            }
        }
    }
    let at = |s: &str| measure(s, min);
    Fitted {
        size: min,
        lines: wrap(text, width, &at),
    }
}

/// Draws fitted lines centred on `area` from its top, in `color`.
pub(crate) fn draw_centred(area: &Area<'_>, text: &Fitted, color: RGBColor) -> Result<()> {
    let (w, _) = area.dim_in_pixel();
    let style = TextStyle::from((FONT, text.size).into_font())
        .color(&color)
        .pos(Pos::new(HPos::Center, VPos::Center));
    let lh = line_height(text.size);
    for (i, line) in text.lines.iter().enumerate() {
        let y = (i as u32 * lh + lh / 2) as i32 + 3;
        area.draw(&Text::new(
            line.as_str(),
            ((w / 2) as i32, y),
            style.clone(),
        ))
        .map_err(plot_err("drawing a title"))?;
    }
    Ok(())
}

/// Font size of the key.
const KEY_FONT: u32 = 14;
/// Side of a swatch or marker box.
const SWATCH: u32 = 14;
/// Width of the colour bar of a [`Key::Scale`].
const BAR: u32 = 120;
/// Space between two items of a row.
const GAP: u32 = 16;
/// Space around the key.
const PAD: u32 = 6;

/// One thing the key explains.
#[derive(Clone, Debug, PartialEq)]
enum Item {
    /// A colour and what it means.
    Swatch(Color, String),
    /// The colour bar from `lo` to `hi`.
    Bar { name: String, lo: f64, hi: f64 },
    /// A data point with this outline colour.
    Point(Color, String),
    /// The threshold contour.
    Boundary(String),
}

impl Item {
    fn width(&self) -> u32 {
        let t = |s: &str| text_width(s, KEY_FONT);
        match self {
            Item::Swatch(_, s) | Item::Point(_, s) => SWATCH + 4 + t(s),
            Item::Boundary(s) => 24 + 4 + t(s),
            Item::Bar { name, lo, hi } => {
                t(name) + 6 + t(&tick_label(*lo)) + 4 + BAR + 4 + t(&tick_label(*hi))
            }
        }
    }
}

/// What a key says: its items and notes, laid out for one width.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct KeyLayout {
    /// Rows of items.
    rows: Vec<Vec<Item>>,
    /// Note lines, each already wrapped.
    notes: Vec<String>,
    /// Radius of the sample data points.
    point_radius: u32,
}

/// What the key under a heatmap picture must explain.
pub(crate) struct KeyContent<'a> {
    pub(crate) key: &'a Key,
    pub(crate) value_range: (f64, f64),
    pub(crate) threshold: Option<f64>,
    pub(crate) train: bool,
    pub(crate) test: bool,
    pub(crate) dead: bool,
    pub(crate) notes: &'a [String],
    pub(crate) point_radius: u32,
}

impl KeyContent<'_> {
    /// The key laid out in rows of `width` pixels, or `None` when there is
    /// nothing to say.
    pub(crate) fn layout(&self, width: u32) -> Option<KeyLayout> {
        let mut items = Vec::new();
        let (lo, hi) = self.value_range;
        match self.key {
            Key::None => {}
            Key::Classes { low, high } => {
                items.push(Item::Swatch(Color::PLAYGROUND_ORANGE, low.clone()));
                items.push(Item::Swatch(Color::PLAYGROUND_BLUE, high.clone()));
            }
            Key::Categories(names) => {
                for (i, name) in names.iter().enumerate() {
                    items.push(Item::Swatch(Color::class(i), name.clone()));
                }
            }
            Key::Scale { name } => items.push(Item::Bar {
                name: name.clone(),
                lo,
                hi,
            }),
        }
        if *self.key != Key::None {
            if let Some(t) = self.threshold {
                items.push(Item::Boundary(format!(
                    "boundary (output {})",
                    tick_label(t)
                )));
            }
            if self.train {
                items.push(Item::Point(Color::WHITE, "train".into()));
            }
            if self.test {
                items.push(Item::Point(Color::BLACK, "test".into()));
            }
        }
        let mut notes: Vec<String> = Vec::new();
        if self.dead {
            notes.push(
                "crossed out in red: a dead unit (the same output on every training point)".into(),
            );
        }
        notes.extend(self.notes.iter().cloned());
        if items.is_empty() && notes.is_empty() {
            return None;
        }
        let inner = width.saturating_sub(2 * PAD).max(1);
        let mut rows: Vec<Vec<Item>> = Vec::new();
        let mut used = 0;
        for item in items {
            let w = item.width();
            match rows.last_mut() {
                Some(row) if used + GAP + w <= inner => {
                    used += GAP + w;
                    row.push(item);
                }
                _ => {
                    used = w;
                    rows.push(vec![item]);
                }
            }
        }
        let measure = |s: &str| text_width(s, KEY_FONT);
        let notes = notes
            .iter()
            .flat_map(|n| wrap(n, inner, &measure))
            .collect();
        Some(KeyLayout {
            rows,
            notes,
            point_radius: self.point_radius,
        })
    }
}

impl KeyLayout {
    /// Its height in pixels.
    pub(crate) fn height(&self) -> u32 {
        let line = line_height(KEY_FONT).max(SWATCH + 4);
        let bar_extra = if self
            .rows
            .iter()
            .flatten()
            .any(|i| matches!(i, Item::Bar { .. }))
        {
            line_height(KEY_FONT)
        } else {
            0
        };
        2 * PAD + (self.rows.len() + self.notes.len()) as u32 * line + bar_extra
    }

    /// Draws the key on `area` (as wide as the layout, [`KeyLayout::height`] high).
    pub(crate) fn draw(&self, area: &Area<'_>) -> Result<()> {
        let err = plot_err("drawing the colour key");
        let line = line_height(KEY_FONT).max(SWATCH + 4) as i32;
        let font = TextStyle::from((FONT, KEY_FONT).into_font())
            .color(&RGBColor(40, 40, 40))
            .pos(Pos::new(HPos::Left, VPos::Center));
        let under = font.pos(Pos::new(HPos::Center, VPos::Top));
        let s = SWATCH as i32;
        let mut y = PAD as i32 + line / 2;
        for row in &self.rows {
            let mut x = PAD as i32;
            let mut bar_row = false;
            for item in row {
                match item {
                    Item::Swatch(c, text) => {
                        let r = [(x, y - s / 2), (x + s, y + s / 2)];
                        area.draw(&Rectangle::new(r, c.rgb_color().filled()))
                            .map_err(&err)?;
                        area.draw(&Text::new(text.as_str(), (x + s + 4, y), font.clone()))
                            .map_err(&err)?;
                    }
                    Item::Point(outline, text) => {
                        let r = [(x, y - s / 2), (x + s, y + s / 2)];
                        let bg = Color::PLAYGROUND_GREY.mix(Color::GREY, 0.35);
                        area.draw(&Rectangle::new(r, bg.rgb_color().filled()))
                            .map_err(&err)?;
                        let c = (x + s / 2, y);
                        let rad = self.point_radius.clamp(2, 6);
                        let fill = playground_scale(1.0).rgb_color().filled();
                        area.draw(&Circle::new(c, rad, fill)).map_err(&err)?;
                        let ring = ShapeStyle::from(outline.rgb_color()).stroke_width(1);
                        area.draw(&Circle::new(c, rad, ring)).map_err(&err)?;
                        area.draw(&Text::new(text.as_str(), (x + s + 4, y), font.clone()))
                            .map_err(&err)?;
                    }
                    Item::Boundary(text) => {
                        let style = ShapeStyle::from(BLACK.mix(0.7)).stroke_width(2);
                        area.draw(&PathElement::new(vec![(x, y), (x + 24, y)], style))
                            .map_err(&err)?;
                        area.draw(&Text::new(text.as_str(), (x + 28, y), font.clone()))
                            .map_err(&err)?;
                    }
                    Item::Bar { name, lo, hi } => {
                        bar_row = true;
                        let t = |s: &str| text_width(s, KEY_FONT) as i32;
                        let (lo_s, hi_s) = (tick_label(*lo), tick_label(*hi));
                        area.draw(&Text::new(name.as_str(), (x, y), font.clone()))
                            .map_err(&err)?;
                        let mut bx = x + t(name) + 6;
                        area.draw(&Text::new(lo_s.as_str(), (bx, y), font.clone()))
                            .map_err(&err)?;
                        bx += t(&lo_s) + 4;
                        for k in 0..BAR as i32 {
                            let c = playground_scale(f64::from(k) / f64::from(BAR - 1));
                            let r = [(bx + k, y - s / 2), (bx + k + 1, y + s / 2)];
                            area.draw(&Rectangle::new(r, c.rgb_color().filled()))
                                .map_err(&err)?;
                        }
                        let mid = tick_label((lo + hi) / 2.0);
                        let bar_mid = (bx + BAR as i32 / 2, y + s / 2 + 2);
                        area.draw(&Text::new(mid, bar_mid, under.clone()))
                            .map_err(&err)?;
                        bx += BAR as i32 + 4;
                        area.draw(&Text::new(hi_s.as_str(), (bx, y), font.clone()))
                            .map_err(&err)?;
                    }
                }
                x += item.width() as i32 + GAP as i32;
            }
            y += line;
            if bar_row {
                y += line_height(KEY_FONT) as i32;
            }
        }
        for note in &self.notes {
            area.draw(&Text::new(note.as_str(), (PAD as i32, y), font.clone()))
                .map_err(&err)?;
            y += line;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A font whose every character is 0.6 × the size wide.
    fn mono(s: &str, size: u32) -> u32 {
        (s.chars().count() as f64 * size as f64 * 0.6).ceil() as u32
    }

    #[test]
    fn a_short_title_keeps_its_largest_size_on_one_line() {
        let f = fit_text("spiral · 97%", 500, (12, 22), 2, &mono);
        assert_eq!(f.size, 22);
        assert_eq!(f.lines, vec!["spiral · 97%".to_string()]);
    }

    #[test]
    fn a_long_title_shrinks_then_wraps_and_is_never_cut() {
        // 30 characters: 396 px at 22 px, 324 px at 18 px: shrunk onto one line.
        let f = fit_text("spiral 2-8-8-8-1 relu · 98.8%.", 330, (12, 22), 2, &mono);
        assert_eq!((f.size, f.lines.len()), (18, 1), "{f:?}");
        let title = "beans.csv 2-8-8-8-1 leaky-relu:0.01 · epoch 500 · test accuracy 98.8%";
        // 500 px: one line needs 11 px, too small; two lines fit at full size.
        let f = fit_text(title, 500, (12, 22), 2, &mono);
        assert_eq!((f.size, f.lines.len()), (22, 2), "{f:?}");
        assert!(f.lines.iter().all(|l| mono(l, f.size) <= 500), "{f:?}");
        assert_eq!(f.lines.join(" "), title);
        // 300 px: two lines only fit smaller.
        let f = fit_text(title, 300, (12, 22), 2, &mono);
        assert!(f.lines.len() == 2 && f.size < 22 && f.size >= 12, "{f:?}");
        assert!(f.lines.iter().all(|l| mono(l, f.size) <= 300), "{f:?}");
        // A thumbnail's width: more lines at the smallest size, all words kept.
        let f = fit_text(title, 120, (9, 12), 2, &mono);
        assert_eq!(f.size, 9);
        assert!(f.lines.len() > 2, "{f:?}");
        assert_eq!(f.lines.join(" "), title);
        // A word wider than the whole width is broken between characters.
        let f = fit_text("a incomprehensibilities b", 40, (10, 10), 1, &mono);
        assert_eq!(f.lines, vec!["a", "incomp", "rehens", "ibilit", "ies b"]);
        assert!(f.lines.iter().all(|l| mono(l, 10) <= 40), "{f:?}");
    }

    #[test]
    fn wrap_breaks_between_words() {
        let m = |s: &str| s.len() as u32;
        assert_eq!(wrap("aa bb cc", 5, &m), vec!["aa bb", "cc"]);
        assert_eq!(wrap("  ", 5, &m), Vec::<String>::new());
    }

    #[test]
    fn the_key_names_colours_markers_and_dead_units() {
        let notes = vec!["layer 1: the first 24 of 1000 units".to_string()];
        let content = KeyContent {
            key: &Key::classes("class -1", "class +1"),
            value_range: (-1.0, 1.0),
            threshold: Some(0.0),
            train: true,
            test: false,
            dead: true,
            notes: &notes,
            point_radius: 4,
        };
        let k = content.layout(520).unwrap();
        let items: Vec<&Item> = k.rows.iter().flatten().collect();
        assert_eq!(items.len(), 4, "{items:?}");
        assert!(
            matches!(items[0], Item::Swatch(c, s) if *c == Color::PLAYGROUND_ORANGE && s == "class -1")
        );
        assert!(matches!(items[3], Item::Point(c, _) if *c == Color::WHITE));
        assert!(k.notes.iter().any(|n| n.contains("dead")));
        assert!(k.notes.iter().any(|n| n.contains("1000 units")));
        // Narrow: the same items wrap onto more rows.
        let narrow = content.layout(160).unwrap();
        assert!(narrow.rows.len() > k.rows.len());
        assert!(narrow.height() > k.height());
        let none = KeyContent {
            key: &Key::None,
            dead: false,
            notes: &[],
            ..content
        };
        assert!(none.layout(520).is_none());
    }
}
