//! What every plot shares: the embedded font, atomic file writes, error
//! conversion, picture sizes and axis ranges.

use std::fmt::Display;
use std::fs;
use std::path::Path;
use std::sync::OnceLock;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::{register_font, FontStyle};

use crate::{Error, Result};

/// The font family every plot asks for; it is DejaVu Sans, embedded.
pub(crate) const FONT: &str = "sans-serif";

/// Registers DejaVu (embedded in the binary by the `dejavu` crate) under the
/// family names plotters asks for, once per process. No system font and no
/// font library is ever consulted.
pub(crate) fn ensure_fonts() -> Result<()> {
    static REGISTERED: OnceLock<std::result::Result<(), String>> = OnceLock::new();
    REGISTERED
        .get_or_init(|| {
            let faces: [(&str, FontStyle, &'static [u8]); 10] = [
                ("sans-serif", FontStyle::Normal, dejavu::sans::regular()),
                ("sans-serif", FontStyle::Bold, dejavu::sans::bold()),
                ("sans-serif", FontStyle::Italic, dejavu::sans::oblique()),
                ("sans-serif", FontStyle::Oblique, dejavu::sans::oblique()),
                ("serif", FontStyle::Normal, dejavu::serif::regular()),
                ("serif", FontStyle::Bold, dejavu::serif::bold()),
                ("serif", FontStyle::Italic, dejavu::serif::italic()),
                ("serif", FontStyle::Oblique, dejavu::serif::italic()),
                ("monospace", FontStyle::Normal, dejavu::sans_mono::regular()),
                ("monospace", FontStyle::Bold, dejavu::sans_mono::bold()),
            ];
            for (family, style, bytes) in faces {
                register_font(family, style, bytes).map_err(|_| {
                    format!(
                        "the embedded DejaVu font for {family} ({}) could not be parsed",
                        style.as_str()
                    )
                })?;
            }
            Ok(())
        })
        .clone()
        .map_err(Error::Plot)
}

/// Turns a plotters error into [`Error::Plot`], saying what was being drawn.
pub(crate) fn plot_err<E: Display>(what: &'static str) -> impl Fn(E) -> Error {
    move |e| Error::Plot(format!("{what}: {e}"))
}

/// Checks a picture size: both sides in [`MIN_SIDE`, `MAX_SIDE`].
pub(crate) fn check_size(what: &str, (w, h): (u32, u32)) -> Result<()> {
    const MIN_SIDE: u32 = 32;
    const MAX_SIDE: u32 = 16_384;
    if !(MIN_SIDE..=MAX_SIDE).contains(&w) || !(MIN_SIDE..=MAX_SIDE).contains(&h) {
        return Err(Error::invalid(
            what,
            format!("width and height in {MIN_SIDE}..={MAX_SIDE} pixels"),
            format!("{w}×{h}"),
        ));
    }
    Ok(())
}

/// Checks that a range is finite and increasing.
pub(crate) fn check_range(what: &str, (lo, hi): (f64, f64)) -> Result<()> {
    if !(lo.is_finite() && hi.is_finite() && lo < hi) {
        return Err(Error::invalid(
            what,
            "finite bounds with low < high",
            format!("({lo}, {hi})"),
        ));
    }
    Ok(())
}

/// A picture written atomically by the crate's one atomic writer
/// ([`crate::io::AtomicFile`]): drawing goes to a temporary file in the same
/// directory, and only [`AtomicFile::commit`] moves it over `target`.
pub(crate) struct AtomicFile {
    file: crate::io::AtomicFile,
}

impl AtomicFile {
    /// Prepares to write `target`, whose extension must be `extension`
    /// (plotters picks the image format from it). Fails with [`Error::Io`]
    /// when the directory does not exist or cannot be written (the checks of
    /// [`crate::io::AtomicFile::create`]).
    pub(crate) fn new(target: &Path, extension: &str) -> Result<Self> {
        let matches = target
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| e.eq_ignore_ascii_case(extension));
        if !matches {
            return Err(Error::invalid(
                "plot file name",
                format!("a path ending in .{extension}"),
                target.display(),
            ));
        }
        if target.file_name().and_then(|n| n.to_str()).is_none() {
            return Err(Error::invalid(
                "plot file name",
                "a path ending in a UTF-8 file name",
                target.display(),
            ));
        }
        Ok(AtomicFile {
            file: crate::io::AtomicFile::create(target)?,
        })
    }

    /// Where to draw.
    pub(crate) fn temp_path(&self) -> &Path {
        self.file.temp_path()
    }

    /// Moves the finished file into place.
    pub(crate) fn commit(self) -> Result<()> {
        let written = fs::metadata(self.file.temp_path())
            .map(|m| m.len())
            .unwrap_or(0);
        if written == 0 {
            return Err(Error::Plot(format!(
                "{}: the renderer wrote nothing",
                self.file.target().display()
            )));
        }
        self.file.commit()
    }
}

/// The drawing area every PNG plot draws on.
pub(crate) type Area<'a> = DrawingArea<BitMapBackend<'a>, Shift>;

/// Renders one PNG of `size` at `path`: registers the font, fills the
/// picture white, lets `draw` paint, presents and renames into place.
pub(crate) fn render_png(
    path: &Path,
    size: (u32, u32),
    draw: impl FnOnce(&Area<'_>) -> Result<()>,
) -> Result<()> {
    ensure_fonts()?;
    check_size("picture size", size)?;
    let file = AtomicFile::new(path, "png")?;
    {
        let root = BitMapBackend::new(file.temp_path(), size).into_drawing_area();
        root.fill(&WHITE)
            .map_err(plot_err("filling the background"))?;
        draw(&root)?;
        root.present()
            .map_err(|e| Error::Plot(format!("writing {}: {e}", path.display())))?;
    }
    file.commit()
}

/// The range covering `values` (finite ones only), widened by `pad` of its
/// width on each side; a single value gets a unit-wide range around it.
pub(crate) fn data_range(values: impl IntoIterator<Item = f64>, pad: f64) -> Option<(f64, f64)> {
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for v in values.into_iter().filter(|v| v.is_finite()) {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    if lo > hi {
        return None;
    }
    if hi - lo <= f64::EPSILON * lo.abs().max(hi.abs()).max(1.0) {
        let half = (lo.abs() * 0.1).max(0.5);
        return Some((lo - half, hi + half));
    }
    let margin = (hi - lo) * pad;
    Some((lo - margin, hi + margin))
}

/// A short tick label: integers without decimals, others with up to three
/// significant digits, very large or small ones in scientific notation.
pub(crate) fn tick_label(v: f64) -> String {
    if v == 0.0 {
        return "0".into();
    }
    let a = v.abs();
    if !(1e-4..1e5).contains(&a) {
        let s = format!("{v:.1e}");
        return s.replace(".0e", "e");
    }
    if (v - v.round()).abs() < 1e-9 * a.max(1.0) {
        return format!("{}", v.round() as i64);
    }
    let decimals = (2 - a.log10().floor() as i32).clamp(0, 6) as usize;
    let s = format!("{v:.decimals$}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    s.to_string()
}

/// [`tick_label`] for an axis over `range`: a tick that is zero up to
/// rounding (−2.2e−16 from summing steps) is written 0.
pub(crate) fn axis_labeler((lo, hi): (f64, f64)) -> impl Fn(&f64) -> String {
    let snap = 1e-9 * (hi - lo).abs();
    move |&v| {
        if v.abs() < snap {
            "0".into()
        } else {
            tick_label(v)
        }
    }
}

/// Splits a polyline into the pieces that lie inside the box
/// `x_range` × `y_range`, cutting segments where they cross its border
/// (Liang–Barsky). Points with a non-finite coordinate break the line.
/// Plotters would instead pull outside points onto the border, drawing a
/// plateau that is not in the data.
pub(crate) fn clip_polyline(
    points: &[(f64, f64)],
    (x0, x1): (f64, f64),
    (y0, y1): (f64, f64),
) -> Vec<Vec<(f64, f64)>> {
    let mut pieces: Vec<Vec<(f64, f64)>> = Vec::new();
    let mut current: Vec<(f64, f64)> = Vec::new();
    let finite = |p: &(f64, f64)| p.0.is_finite() && p.1.is_finite();
    for pair in points.windows(2) {
        let (a, b) = (pair[0], pair[1]);
        let clipped = if finite(&a) && finite(&b) {
            clip_segment(a, b, (x0, x1), (y0, y1))
        } else {
            None
        };
        match clipped {
            Some((p, q)) => {
                if current.last() != Some(&p) {
                    if current.len() >= 2 {
                        pieces.push(std::mem::take(&mut current));
                    }
                    current.clear();
                    current.push(p);
                }
                current.push(q);
                // Leaving the box ends this piece.
                if q != b {
                    pieces.push(std::mem::take(&mut current));
                }
            }
            None => {
                if current.len() >= 2 {
                    pieces.push(std::mem::take(&mut current));
                }
                current.clear();
            }
        }
    }
    if current.len() >= 2 {
        pieces.push(current);
    }
    pieces
}

/// The part of segment a–b inside the box, if any.
fn clip_segment(
    a: (f64, f64),
    b: (f64, f64),
    (x0, x1): (f64, f64),
    (y0, y1): (f64, f64),
) -> Option<((f64, f64), (f64, f64))> {
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let (mut t0, mut t1) = (0.0f64, 1.0f64);
    for (p, q) in [
        (-dx, a.0 - x0),
        (dx, x1 - a.0),
        (-dy, a.1 - y0),
        (dy, y1 - a.1),
    ] {
        if p == 0.0 {
            if q < 0.0 {
                return None;
            }
        } else {
            let r = q / p;
            if p < 0.0 {
                t0 = t0.max(r);
            } else {
                t1 = t1.min(r);
            }
        }
    }
    if t0 > t1 {
        return None;
    }
    let at = |t: f64| {
        if t == 0.0 {
            a
        } else if t == 1.0 {
            b
        } else {
            (a.0 + dx * t, a.1 + dy * t)
        }
    };
    Some((at(t0), at(t1)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_range_pads_and_ignores_non_finite() {
        let (lo, hi) = data_range([1.0, f64::NAN, 3.0, f64::INFINITY], 0.05).unwrap();
        assert!(
            (lo - 0.9).abs() < 1e-12 && (hi - 3.1).abs() < 1e-12,
            "{lo} {hi}"
        );
        assert_eq!(data_range([f64::NAN], 0.05), None);
        let (lo, hi) = data_range([2.0, 2.0], 0.05).unwrap();
        assert!(lo < 2.0 && hi > 2.0);
    }

    #[test]
    fn tick_labels_are_short() {
        assert_eq!(tick_label(3.0), "3");
        assert_eq!(tick_label(0.25), "0.25");
        assert_eq!(tick_label(-1.5), "-1.5");
        assert_eq!(tick_label(0.1 + 0.2), "0.3");
        assert_eq!(tick_label(1e-5), "1e-5");
        assert_eq!(tick_label(2.5e-6), "2.5e-6");
        assert_eq!(tick_label(1e-4), "0.0001");
        assert_eq!(axis_labeler((-1.0, 1.0))(&-2.2e-16), "0");
        assert_eq!(tick_label(24.83), "24.8");
        assert_eq!(tick_label(0.5068), "0.507");
    }

    #[test]
    fn polylines_are_cut_at_the_border_not_pulled_onto_it() {
        let r = (0.0, 10.0);
        // Up and out through the top, back in, then a NaN break.
        let line = [
            (0.0, 5.0),
            (2.0, 15.0),
            (4.0, 5.0),
            (5.0, 6.0),
            (6.0, f64::NAN),
            (7.0, 1.0),
            (8.0, 2.0),
        ];
        let pieces = clip_polyline(&line, r, r);
        assert_eq!(pieces.len(), 3, "{pieces:?}");
        assert_eq!(pieces[0], vec![(0.0, 5.0), (1.0, 10.0)]);
        assert_eq!(pieces[1], vec![(3.0, 10.0), (4.0, 5.0), (5.0, 6.0)]);
        assert_eq!(pieces[2], vec![(7.0, 1.0), (8.0, 2.0)]);
        assert!(clip_polyline(&[(20.0, 20.0), (30.0, 30.0)], r, r).is_empty());
        assert_eq!(
            clip_polyline(&[(1.0, 1.0), (2.0, 2.0), (3.0, 3.0)], r, r),
            vec![vec![(1.0, 1.0), (2.0, 2.0), (3.0, 3.0)]]
        );
    }

    #[test]
    fn sizes_and_ranges_are_checked() {
        assert!(check_size("s", (800, 600)).is_ok());
        let e = check_size("s", (0, 600)).unwrap_err().to_string();
        assert!(e.contains("0×600"), "{e}");
        assert!(check_range("r", (0.0, 1.0)).is_ok());
        assert!(check_range("r", (1.0, 1.0)).is_err());
        assert!(check_range("r", (f64::NAN, 1.0)).is_err());
    }

    #[test]
    fn atomic_file_refuses_a_missing_directory_and_a_wrong_extension() {
        let missing = std::env::temp_dir()
            .join("xiaolan-no-such-dir-7f3a")
            .join("a.png");
        let e = AtomicFile::new(&missing, "png").err().unwrap();
        assert!(matches!(e, Error::Io { .. }), "{e}");
        assert!(e.to_string().contains("does not exist"), "{e}");
        let e = AtomicFile::new(Path::new("picture.jpg"), "png")
            .err()
            .unwrap();
        assert!(e.to_string().contains(".png"), "{e}");
    }

    #[test]
    fn an_uncommitted_atomic_file_leaves_nothing_behind() {
        let dir = std::env::temp_dir();
        let target = dir.join(format!("xiaolan-atomic-{}.png", std::process::id()));
        let f = AtomicFile::new(&target, "png").unwrap();
        let temp = f.temp_path().to_path_buf();
        assert!(temp.exists());
        drop(f);
        assert!(!temp.exists());
        assert!(!target.exists());
    }

    #[test]
    fn a_failing_drawing_leaves_the_old_file_and_no_temporary() {
        let dir = std::env::temp_dir().join(format!("xiaolan-render-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        let target = dir.join("picture.png");
        fs::write(&target, b"the good picture").unwrap();
        let e = render_png(&target, (64, 64), |_| Err(Error::Plot("boom".into()))).unwrap_err();
        assert!(e.to_string().contains("boom"));
        assert_eq!(fs::read(&target).unwrap(), b"the good picture");
        let names: Vec<_> = fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("picture.png")]);
        render_png(&target, (64, 64), |_| Ok(())).unwrap();
        assert_eq!(&fs::read(&target).unwrap()[1..4], b"PNG");
        fs::remove_dir_all(&dir).unwrap();
    }
}
