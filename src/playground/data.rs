//! The points to learn: a Playground data set or a user's CSV file, split
//! into training and test points, and their input features.

use super::args::{Problem, MAX_CLASSES, MAX_CSV_BYTES};
use super::error::{Error, Result};
use autograd::Tensor;
use nn::data::playground::features;
use nn::data::{Feature, PlaygroundSet};
use std::fs::File;
use std::io::Read;
use std::path::Path;

/// A point (x1, x2) and its label or target.
pub type Point = (f64, f64, f64);

/// Training and test points.
#[derive(Clone, Debug)]
pub struct Split {
    /// Training points, in the order training walks them.
    pub train: Vec<Point>,
    /// Test points.
    pub test: Vec<Point>,
}

/// The Playground's split of a generated set: `noise` and `ratio` in
/// percent, as on its sliders.
///
/// # Errors
/// As [`PlaygroundSet::generate_split`].
pub fn generated(set: PlaygroundSet, noise: u32, ratio: u32, seed: u64) -> Result<Split> {
    let (train, test) = set.generate_split(f64::from(noise) / 100.0, ratio, seed)?;
    let points = |d: &nn::data::Dataset| -> Vec<Point> {
        d.x()
            .data()
            .chunks_exact(2)
            .zip(d.y().data())
            .map(|(p, &y)| (p[0], p[1], y))
            .collect()
    };
    Ok(Split {
        train: points(&train),
        test: points(&test),
    })
}

/// A CSV file's points, its problem and the names of its two coordinates.
#[derive(Clone, Debug, PartialEq)]
pub struct Csv {
    /// The rows, in the file's order.
    pub points: Vec<Point>,
    /// Classification or regression.
    pub problem: Problem,
    /// The header's names of the first two columns ("x1", "x2" without a
    /// header): the axes of the pictures.
    pub columns: [String; 2],
    /// Whether the classes were written 0 and 1 (read as −1 and 1).
    pub zero_labels: bool,
    /// The number of classes: 2 (labels ±1), k ≥ 3 (labels 0 … k−1, kept
    /// as class indices), or 0 for a regression.
    pub classes: usize,
}

/// The bytes of a data file of at most [`MAX_CSV_BYTES`]: a larger file is
/// refused before it is read, and a pipe or device is read no further than
/// the limit.
fn read_capped(path: &Path) -> Result<Vec<u8>> {
    let read_error = |source| Error::ReadData {
        path: path.to_path_buf(),
        source,
    };
    let too_big = |size: String| Error::Csv {
        path: path.to_path_buf(),
        line: None,
        what: format!(
            "expected at most {MAX_CSV_BYTES} bytes (16 MiB) of data, found {size} bytes"
        ),
    };
    let file = File::open(path).map_err(read_error)?;
    let len = file.metadata().map_err(read_error)?.len();
    if len > MAX_CSV_BYTES {
        return Err(too_big(len.to_string()));
    }
    let mut bytes = Vec::new();
    file.take(MAX_CSV_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(read_error)?;
    if bytes.len() as u64 > MAX_CSV_BYTES {
        return Err(too_big(format!("more than {MAX_CSV_BYTES}")));
    }
    Ok(bytes)
}

/// Reads a CSV file of `x1,x2,label` rows. Blank lines and lines starting
/// with `#` are skipped; the first data line may be a header (its fields are
/// not numbers), whose first two names label the pictures' axes.
/// Classification labels are −1 and 1 (0 is read as −1) for two classes,
/// or 0 … k−1 for k classes (3 ≤ k ≤ [`MAX_CLASSES`]). With no `problem`,
/// the file is a regression set when some label is not a whole number,
/// else a classification set whose labels must be one of those two kinds.
///
/// # Errors
/// [`Error::ReadData`] if the file cannot be read; [`Error::Csv`] naming the
/// file, the line number and what was wrong, or the file's size when it is
/// over [`MAX_CSV_BYTES`].
pub fn read_csv(path: &Path, problem: Option<Problem>) -> Result<Csv> {
    parse_csv_bytes(&read_capped(path)?, path, problem)
}

/// Parses a data file's bytes as [`read_csv`] does: UTF-8 text, then
/// [`parse_csv`]; `path` names the source in the errors.
///
/// # Errors
/// As [`parse_csv`]; [`Error::Csv`] naming the line and the byte where the
/// bytes stop being UTF-8 text.
pub fn parse_csv_bytes(bytes: &[u8], path: &Path, problem: Option<Problem>) -> Result<Csv> {
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let at = e.valid_up_to();
        Error::Csv {
            path: path.to_path_buf(),
            line: Some(1 + bytes[..at].iter().filter(|&&b| b == b'\n').count()),
            what: format!(
                "expected UTF-8 text, found the byte 0x{:02x} (byte {} of the file) that is not",
                bytes[at],
                at + 1
            ),
        }
    })?;
    parse_csv(text, path, problem)
}

/// Parses CSV text as [`read_csv`] does a file's contents; `path` names the
/// source in the errors (a file, or an upload's name). The text is not
/// read past [`MAX_CSV_BYTES`].
///
/// # Errors
/// [`Error::Csv`] naming `path`, the line number and what was wrong, or
/// the size when the text is over [`MAX_CSV_BYTES`].
pub fn parse_csv(text: &str, path: &Path, problem: Option<Problem>) -> Result<Csv> {
    if text.len() as u64 > MAX_CSV_BYTES {
        return Err(Error::Csv {
            path: path.to_path_buf(),
            line: None,
            what: format!(
                "expected at most {MAX_CSV_BYTES} bytes, found {}",
                text.len()
            ),
        });
    }
    let mut points = Vec::new();
    let mut lines: Vec<usize> = Vec::new();
    let mut seen_data = false;
    let mut columns = ["x1".to_string(), "x2".to_string()];
    for (i, line) in text.lines().enumerate() {
        let number = i + 1;
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let fields: Vec<&str> = line.split(',').map(str::trim).collect();
        let at = |what: String| Error::Csv {
            path: path.to_path_buf(),
            line: Some(number),
            what,
        };
        if fields.len() != 3 {
            return Err(at(format!(
                "expected 3 comma-separated fields x1,x2,label, found {}",
                fields.len()
            )));
        }
        let parsed: Vec<Result<f64, _>> = fields.iter().map(|f| f.parse::<f64>()).collect();
        if !seen_data && parsed.iter().all(|p| p.is_err()) {
            seen_data = true; // a header
            for (name, field) in columns.iter_mut().zip(&fields) {
                if !field.is_empty() {
                    *name = field.to_string();
                }
            }
            continue;
        }
        seen_data = true;
        let mut values = [0.0; 3];
        for (k, (name, p)) in ["x1", "x2", "label"].iter().zip(&parsed).enumerate() {
            match p {
                Ok(v) if v.is_finite() => values[k] = *v,
                Ok(_) => {
                    return Err(at(format!(
                        "{name} is {:?}, expected a finite number",
                        fields[k]
                    )))
                }
                Err(_) => return Err(at(format!("{name} is {:?}, expected a number", fields[k]))),
            }
        }
        points.push((values[0], values[1], values[2]));
        lines.push(number);
    }
    if points.len() < 2 {
        return Err(Error::Csv {
            path: path.to_path_buf(),
            line: None,
            what: format!(
                "expected at least 2 data rows (x1,x2,label), found {}",
                points.len()
            ),
        });
    }
    let problem = problem.unwrap_or(if points.iter().all(|p| p.2.fract() == 0.0) {
        Problem::Classification
    } else {
        Problem::Regression
    });
    let (classes, zero_labels) = match problem {
        Problem::Regression => (0, false),
        Problem::Classification => class_labels(&mut points, &lines, path)?,
    };
    Ok(Csv {
        points,
        problem,
        columns,
        zero_labels,
        classes,
    })
}

/// Checks classification labels (`lines[i]` is the line of `points[i]`):
/// −1, 0 and 1 are two classes (0 rewritten −1); whole numbers 0 … k−1 with
/// 3 ≤ k ≤ [`MAX_CLASSES`] are k classes. Returns the number of classes and
/// whether 0 stood for −1.
fn class_labels(points: &mut [Point], lines: &[usize], path: &Path) -> Result<(usize, bool)> {
    let two = |y: f64| y == -1.0 || y == 0.0 || y == 1.0;
    let many = |y: f64| y.fract() == 0.0 && (0.0..MAX_CLASSES as f64).contains(&y);
    let top = points.iter().map(|p| p.2).fold(f64::NEG_INFINITY, f64::max);
    let k_classes = top >= 2.0 && top.fract() == 0.0;
    let fits = |y: f64| if k_classes { many(y) } else { two(y) };
    if let Some((p, line)) = points.iter().zip(lines).find(|(p, _)| !fits(p.2)) {
        let found = if k_classes && p.2 >= 0.0 && p.2.fract() == 0.0 {
            format!(
                "label {} would make {} classes, more than {MAX_CLASSES}",
                p.2,
                p.2 + 1.0
            )
        } else if k_classes {
            format!("label {} among labels up to {top}", p.2)
        } else {
            format!("label {}", p.2)
        };
        return Err(Error::Csv {
            path: path.to_path_buf(),
            line: Some(*line),
            what: format!(
                "{found}: expected class labels -1 and 1 (or 0 and 1) for two classes, or 0 to \
                 k-1 for k classes (3 ≤ k ≤ {MAX_CLASSES}), or --problem regression for \
                 real-valued targets"
            ),
        });
    }
    if k_classes {
        return Ok((top as usize + 1, false));
    }
    let mut zero_labels = false;
    for p in points.iter_mut().filter(|p| p.2 == 0.0) {
        p.2 = -1.0;
        zero_labels = true;
    }
    Ok((2, zero_labels))
}

/// Shuffles the points with `seed` and splits them: the first
/// ⌊n·ratio/100⌋ for training (as the Playground splits its sets).
///
/// # Errors
/// [`Error::EmptySplit`] if either part would be empty.
pub fn split(points: &[Point], ratio: u32, seed: u64) -> Result<Split> {
    let n = points.len();
    let cut = n * ratio as usize / 100;
    if cut == 0 || cut == n {
        return Err(Error::EmptySplit { ratio, points: n });
    }
    let order = nn::Rng::new(seed).permutation(n);
    let shuffled: Vec<Point> = order.iter().map(|&i| points[i]).collect();
    Ok(Split {
        train: shuffled[..cut].to_vec(),
        test: shuffled[cut..].to_vec(),
    })
}

/// The feature matrix [n, features] of the points' (x1, x2).
pub fn inputs(xy: impl IntoIterator<Item = (f64, f64)>, chosen: &[Feature]) -> Tensor<f64> {
    let xy: Vec<f64> = xy.into_iter().flat_map(|(a, b)| [a, b]).collect();
    let n = xy.len() / 2;
    let x = Tensor::from_vec(&[n, 2], xy).expect("two columns");
    features(&x, chosen).expect("a non-empty feature list and [n, 2] points")
}

/// The targets of the points: [n, 1] labels or values, or for `classes`
/// ≥ 3 one-hot rows [n, classes] of the class indices.
pub fn targets(points: &[Point], classes: usize) -> Tensor<f64> {
    if classes >= 3 {
        let index: Vec<usize> = points.iter().map(|p| p.2 as usize).collect();
        return Tensor::one_hot(&index, classes).expect("class indices below the class count");
    }
    Tensor::from_vec(&[points.len(), 1], points.iter().map(|p| p.2).collect())
        .expect("one target per point")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(name: &str, text: &str) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("xiaolan-pg-data-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        path
    }

    #[test]
    fn csv_reads_headers_comments_and_labels_and_names_bad_lines() {
        let p = write(
            "ok.csv",
            "x1,x2,label\n# a comment\n1,2,1\n\n-1,0.5,0\n3,3,-1\n",
        );
        let csv = read_csv(&p, None).unwrap();
        let (pts, problem) = (csv.points, csv.problem);
        assert_eq!(problem, Problem::Classification);
        assert_eq!(csv.columns, ["x1".to_string(), "x2".to_string()]);
        let named = write("named.csv", "size, colour ,toxic\n0.2,0.4,1\n0.6,0.1,0\n");
        let csv = read_csv(&named, None).unwrap();
        assert_eq!(csv.columns, ["size".to_string(), "colour".to_string()]);
        assert!(csv.zero_labels);
        assert_eq!(csv.points.len(), 2);
        assert_eq!(
            pts,
            vec![(1.0, 2.0, 1.0), (-1.0, 0.5, -1.0), (3.0, 3.0, -1.0)]
        );
        let r = write("reg.csv", "0,0,0.25\n1,1,-0.5\n");
        assert_eq!(read_csv(&r, None).unwrap().problem, Problem::Regression);
        // whole-number labels 0 … k−1: k classes, kept as indices
        let three = write("three.csv", "x,y,c\n0,0,0\n1,0,2\n0,1,1\n");
        let csv = read_csv(&three, None).unwrap();
        assert_eq!((csv.problem, csv.classes), (Problem::Classification, 3));
        assert_eq!(csv.points[1].2, 2.0);
        assert_eq!(
            targets(&csv.points, 3).data(),
            &[1., 0., 0., 0., 0., 1., 0., 1., 0.]
        );
        let err = |text: &str| {
            let path = write("labels.csv", text);
            read_csv(&path, None).unwrap_err().to_string()
        };
        let e = err("0,0,0\n1,0,2\n0,1,-1\n");
        assert!(
            e.contains("line 3: label -1 among labels up to 2: expected class labels -1 and 1"),
            "{e}"
        );
        let e = err("0,0,0\n1,0,2\n0,1,8\n");
        assert!(
            e.contains("line 3: label 8 would make 9 classes, more than 8"),
            "{e}"
        );
        assert!(
            e.contains("--problem regression for real-valued targets"),
            "{e}"
        );
        let e = err("0,0,1\n1,0,-3\n");
        assert!(e.contains("line 2: label -3: expected class labels"), "{e}");
        // the same labels read as targets when asked
        let p = write("whole.csv", "0,0,0\n1,0,2\n0,1,-1\n");
        assert_eq!(read_csv(&p, Some(Problem::Regression)).unwrap().classes, 0);
        let err = read_csv(&r, Some(Problem::Classification))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("line 1: label 0.25: expected class labels"),
            "{err}"
        );
        let bad = write("bad.csv", "1,2,1\n1,2\n");
        let err = read_csv(&bad, None).unwrap_err().to_string();
        assert!(
            err.ends_with("line 2: expected 3 comma-separated fields x1,x2,label, found 2"),
            "{err}"
        );
        let bad = write("nan.csv", "1,2,1\n1,abc,1\n");
        assert!(read_csv(&bad, None)
            .unwrap_err()
            .to_string()
            .ends_with("line 2: x2 is \"abc\", expected a number"));
    }

    #[test]
    fn split_keeps_every_point_once() {
        let pts: Vec<Point> = (0..10).map(|i| (i as f64, 0.0, 1.0)).collect();
        let s = split(&pts, 30, 4).unwrap();
        assert_eq!((s.train.len(), s.test.len()), (3, 7));
        let mut all: Vec<f64> = s.train.iter().chain(&s.test).map(|p| p.0).collect();
        all.sort_by(f64::total_cmp);
        assert_eq!(all, (0..10).map(|i| i as f64).collect::<Vec<_>>());
        assert!(split(&pts[..1], 50, 0).is_err());
    }
}
