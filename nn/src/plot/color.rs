//! Colours: a small named palette, the TensorFlow Playground's diverging
//! scale and a height colour map for surfaces and contour maps.

use plotters::style::RGBColor;

/// An RGB colour (8 bits per channel).
///
/// The named colours are matplotlib's "tab10" palette, so pictures look like
/// the ones most courses show; [`Color::palette`] cycles through them.
///
/// ```
/// use nn::plot::Color;
/// assert_eq!(Color::hex(0xf59322), Color::PLAYGROUND_ORANGE);
/// assert_eq!(Color::palette(0), Color::BLUE);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Color {
    /// Red, 0..=255.
    pub r: u8,
    /// Green, 0..=255.
    pub g: u8,
    /// Blue, 0..=255.
    pub b: u8,
}

impl Color {
    /// Blue (#1f77b4).
    pub const BLUE: Color = Color::hex(0x1f77b4);
    /// Orange (#ff7f0e).
    pub const ORANGE: Color = Color::hex(0xff7f0e);
    /// Green (#2ca02c).
    pub const GREEN: Color = Color::hex(0x2ca02c);
    /// Red (#d62728).
    pub const RED: Color = Color::hex(0xd62728);
    /// Purple (#9467bd).
    pub const PURPLE: Color = Color::hex(0x9467bd);
    /// Brown (#8c564b).
    pub const BROWN: Color = Color::hex(0x8c564b);
    /// Pink (#e377c2).
    pub const PINK: Color = Color::hex(0xe377c2);
    /// Grey (#7f7f7f).
    pub const GREY: Color = Color::hex(0x7f7f7f);
    /// Olive (#bcbd22).
    pub const OLIVE: Color = Color::hex(0xbcbd22);
    /// Cyan (#17becf).
    pub const CYAN: Color = Color::hex(0x17becf);
    /// Black.
    pub const BLACK: Color = Color::hex(0x000000);
    /// White.
    pub const WHITE: Color = Color::hex(0xffffff);
    /// The playground's colour for −1 (#f59322).
    pub const PLAYGROUND_ORANGE: Color = Color::hex(0xf59322);
    /// The playground's colour for 0 (#e8eaeb).
    pub const PLAYGROUND_GREY: Color = Color::hex(0xe8eaeb);
    /// The playground's colour for +1 (#0877bd).
    pub const PLAYGROUND_BLUE: Color = Color::hex(0x0877bd);

    const PALETTE: [Color; 10] = [
        Color::BLUE,
        Color::ORANGE,
        Color::GREEN,
        Color::RED,
        Color::PURPLE,
        Color::BROWN,
        Color::PINK,
        Color::GREY,
        Color::OLIVE,
        Color::CYAN,
    ];

    /// A colour from its red, green and blue channels.
    pub const fn rgb(r: u8, g: u8, b: u8) -> Color {
        Color { r, g, b }
    }

    /// A colour from a `0xRRGGBB` number, as written in CSS (`#f59322`).
    pub const fn hex(rgb: u32) -> Color {
        Color {
            r: ((rgb >> 16) & 0xff) as u8,
            g: ((rgb >> 8) & 0xff) as u8,
            b: (rgb & 0xff) as u8,
        }
    }

    /// The colours of k classes ([`Key::Categories`](super::Key::Categories)):
    /// the Playground's orange and blue for classes 0 and 1, then green,
    /// purple, pink, teal, brown and blue-grey (the browser Playground's
    /// palette, in its order).
    pub const CLASSES: [Color; 8] = [
        Color::PLAYGROUND_ORANGE,
        Color::PLAYGROUND_BLUE,
        Color::hex(0x4caf50),
        Color::hex(0x9c27b0),
        Color::hex(0xe91e63),
        Color::hex(0x009688),
        Color::hex(0x795548),
        Color::hex(0x607d8b),
    ];

    /// The colour of class `i` ([`Color::CLASSES`], then again).
    pub fn class(i: usize) -> Color {
        Color::CLASSES[i % Color::CLASSES.len()]
    }

    /// The `i`-th colour of the default cycle (blue, orange, green, red,
    /// purple, brown, pink, grey, olive, cyan, then again).
    pub fn palette(i: usize) -> Color {
        Color::PALETTE[i % Color::PALETTE.len()]
    }

    /// The straight mix `(1 − t)·self + t·other` in RGB, `t` clamped to [0, 1]
    /// (what d3's `interpolateRgb`, used by the playground, computes).
    pub fn mix(self, other: Color, t: f64) -> Color {
        let t = if t.is_nan() { 0.0 } else { t.clamp(0.0, 1.0) };
        let channel =
            |a: u8, b: u8| (f64::from(a) + (f64::from(b) - f64::from(a)) * t).round() as u8;
        Color {
            r: channel(self.r, other.r),
            g: channel(self.g, other.g),
            b: channel(self.b, other.b),
        }
    }

    pub(crate) fn rgb_color(self) -> RGBColor {
        RGBColor(self.r, self.g, self.b)
    }
}

/// The playground's diverging scale at `t` ∈ [0, 1]: orange at 0, light grey
/// at ½, blue at 1 (clamped outside).
pub(crate) fn playground_scale(t: f64) -> Color {
    if t.is_nan() {
        return Color::PLAYGROUND_GREY;
    }
    if t < 0.5 {
        Color::PLAYGROUND_ORANGE.mix(Color::PLAYGROUND_GREY, t * 2.0)
    } else {
        Color::PLAYGROUND_GREY.mix(Color::PLAYGROUND_BLUE, (t - 0.5) * 2.0)
    }
}

/// Viridis (matplotlib's default colour map) at `t` ∈ [0, 1]: dark purple at
/// 0, through blue and green, to yellow at 1.
pub(crate) fn viridis(t: f64) -> Color {
    // Nine evenly spaced stops of matplotlib's viridis.
    const STOPS: [u32; 9] = [
        0x440154, 0x472c7a, 0x3b518b, 0x2c718e, 0x21908d, 0x27ad81, 0x5cc863, 0xaadc32, 0xfde725,
    ];
    let t = if t.is_nan() { 0.0 } else { t.clamp(0.0, 1.0) };
    let scaled = t * (STOPS.len() - 1) as f64;
    let i = (scaled.floor() as usize).min(STOPS.len() - 2);
    Color::hex(STOPS[i]).mix(Color::hex(STOPS[i + 1]), scaled - i as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_splits_channels() {
        assert_eq!(Color::hex(0x0877bd), Color::rgb(0x08, 0x77, 0xbd));
    }

    #[test]
    fn playground_scale_hits_its_three_anchors() {
        assert_eq!(playground_scale(0.0), Color::PLAYGROUND_ORANGE);
        assert_eq!(playground_scale(0.5), Color::PLAYGROUND_GREY);
        assert_eq!(playground_scale(1.0), Color::PLAYGROUND_BLUE);
        assert_eq!(playground_scale(-3.0), Color::PLAYGROUND_ORANGE);
        assert_eq!(playground_scale(7.0), Color::PLAYGROUND_BLUE);
    }

    #[test]
    fn mix_is_linear_per_channel() {
        let m = Color::BLACK.mix(Color::WHITE, 0.5);
        assert_eq!(m, Color::rgb(128, 128, 128));
        assert_eq!(Color::RED.mix(Color::BLUE, 0.0), Color::RED);
        assert_eq!(Color::RED.mix(Color::BLUE, 1.0), Color::BLUE);
    }

    #[test]
    fn viridis_runs_from_purple_to_yellow() {
        assert_eq!(viridis(0.0), Color::hex(0x440154));
        assert_eq!(viridis(1.0), Color::hex(0xfde725));
        assert!(viridis(0.5).g > viridis(0.0).g);
    }
}
