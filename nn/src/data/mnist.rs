//! MNIST from its four standard IDX files, gzipped or not, split as in
//! Nielsen's *Neural Networks and Deep Learning*: the first 50,000 training
//! images for training, the last 10,000 for validation, the official 10,000
//! test images for testing.
//!
//! Pixels are scaled from 0..255 to [0, 1]; each image is a row of 784
//! values (28 × 28, row-major). Targets are one-hot rows of 10; the digits
//! themselves are the class indices.
//!
//! ```no_run
//! use nn::data::Mnist;
//! // The directory given here, unless MNIST_DIR is set.
//! let mnist: Mnist = Mnist::from_env_or(Some("data/mnist"))?;
//! assert_eq!(mnist.train.len(), 50_000);
//! assert_eq!(mnist.validation.len(), 10_000);
//! assert_eq!(mnist.test.classes().unwrap()[0], 7);
//! # Ok::<(), nn::Error>(())
//! ```
//!
//! When the files are missing the error names each file looked for and says
//! how to get them.

use super::idx::{check_counts, scale_table, IdxReader, IMAGES_MAGIC, LABELS_MAGIC};
use super::Dataset;
use crate::error::{Error, Result};
use autograd::{Real, Tensor};
use std::io::ErrorKind;
use std::path::{Path, PathBuf};

/// The training images file name (60,000 images), without `.gz`.
pub const TRAIN_IMAGES: &str = "train-images-idx3-ubyte";
/// The training labels file name, without `.gz`.
pub const TRAIN_LABELS: &str = "train-labels-idx1-ubyte";
/// The test images file name (10,000 images), without `.gz`.
pub const TEST_IMAGES: &str = "t10k-images-idx3-ubyte";
/// The test labels file name, without `.gz`.
pub const TEST_LABELS: &str = "t10k-labels-idx1-ubyte";

/// The environment variable naming the directory of the MNIST files.
pub const ENV_VAR: &str = "MNIST_DIR";

/// Nielsen's validation set: the last 10,000 of the 60,000 training images.
pub const VALIDATION_LEN: usize = 10_000;

/// The number of classes (digits 0..9).
pub const NUM_CLASSES: usize = 10;

/// How to get the files, appended to every "not found" error.
pub const HOW_TO_GET: &str = "MNIST needs the four files train-images-idx3-ubyte, \
train-labels-idx1-ubyte, t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte (each may be \
gzipped, with a .gz suffix) in one directory: download the MNIST database of handwritten \
digits in its original IDX format (described on the MNIST page, yann.lecun.com/exdb/mnist) \
and set MNIST_DIR to that directory";

/// MNIST split for training, validation and testing.
#[derive(Clone, Debug)]
pub struct Mnist<E: Real = f32> {
    /// The training images (the first 50,000 of the official training set).
    pub train: Dataset<E>,
    /// The validation images (the last 10,000 of the official training set).
    pub validation: Dataset<E>,
    /// The official 10,000 test images.
    pub test: Dataset<E>,
}

/// The path of one MNIST file in `dir`: `NAME`, `NAME.gz`, or the dotted
/// spelling some copies use (`train-images.idx3-ubyte`, with or without `.gz`).
///
/// # Errors
/// [`Error::Io`] (kind `NotFound`) naming the file, the directory and every
/// name tried, followed by [`HOW_TO_GET`].
pub fn find_file(dir: &Path, name: &str) -> Result<PathBuf> {
    let dotted = name.replacen("-idx", ".idx", 1);
    let candidates = [
        name.to_string(),
        format!("{name}.gz"),
        dotted.clone(),
        format!("{dotted}.gz"),
    ];
    for c in &candidates {
        let p = dir.join(c);
        if p.is_file() {
            return Ok(p);
        }
    }
    let where_ = if dir.is_dir() {
        format!("in the directory {}", dir.display())
    } else if dir.exists() {
        format!("because {} is a file, not a directory", dir.display())
    } else {
        format!("because the directory {} does not exist", dir.display())
    };
    Err(Error::io(
        dir.join(name),
        std::io::Error::new(
            ErrorKind::NotFound,
            format!(
                "MNIST file {name} not found {where_} (looked for {}). {HOW_TO_GET}",
                candidates.join(", ")
            ),
        ),
    ))
}

/// The MNIST directory: `MNIST_DIR` when it is set and non-empty, else `dir`.
///
/// # Errors
/// [`Error::Invalid`] saying how to get the files when neither is given.
pub fn resolve_dir(dir: Option<&Path>) -> Result<PathBuf> {
    match std::env::var_os(ENV_VAR) {
        Some(v) if !v.is_empty() => Ok(PathBuf::from(v)),
        _ => dir.map(Path::to_path_buf).ok_or_else(|| {
            Error::invalid(
                "MNIST directory",
                format!("a directory argument or the {ENV_VAR} environment variable"),
                format!("neither. {HOW_TO_GET}"),
            )
        }),
    }
}

struct Pair {
    images: IdxReader<'static>,
    labels: IdxReader<'static>,
}

impl Pair {
    fn open(dir: &Path, images: &str, labels: &str) -> Result<Self> {
        let images = IdxReader::open(&find_file(dir, images)?)?;
        images.expect_magic(IMAGES_MAGIC, "images")?;
        let labels = IdxReader::open(&find_file(dir, labels)?)?;
        labels.expect_magic(LABELS_MAGIC, "labels")?;
        check_counts(&images, &labels)?;
        Ok(Pair { images, labels })
    }

    fn len(&self) -> usize {
        self.images.dims[0]
    }

    fn pixels(&self) -> usize {
        self.images.dims[1] * self.images.dims[2]
    }

    /// Reads everything, cutting it into consecutive parts of the given sizes.
    fn read<E: Real>(mut self, parts: &[usize]) -> Result<Vec<Dataset<E>>> {
        debug_assert_eq!(parts.iter().sum::<usize>(), self.len());
        let pixels = self.pixels();
        let classes = self.labels.read_labels(NUM_CLASSES)?;
        self.labels.finish()?;
        let table = scale_table::<E>(1.0 / 255.0);
        let mut out = Vec::with_capacity(parts.len());
        let mut start = 0;
        for &n in parts {
            let data = self.images.read_scaled(n * pixels, &table)?;
            let x = Tensor::from_vec(&[n, pixels], data)?;
            out.push(Dataset::classification(
                x,
                classes[start..start + n].to_vec(),
                NUM_CLASSES,
            )?);
            start += n;
        }
        self.images.finish()?;
        Ok(out)
    }
}

impl<E: Real> Mnist<E> {
    /// Loads the four files from `dir` with Nielsen's split (50,000 / 10,000 / 10,000).
    ///
    /// # Errors
    /// [`Error::Io`] if a file is missing (the message names it and says how
    /// to get it) or unreadable; [`Error::Format`] for a wrong magic number
    /// (expected 2051 for images, 2049 for labels), a truncated file, a
    /// header whose dimensions do not match the data, or a label outside
    /// 0..9; [`Error::Mismatch`] if an image file and its label file hold
    /// different numbers of samples.
    pub fn load(dir: impl AsRef<Path>) -> Result<Self> {
        Self::load_with_validation(dir, VALIDATION_LEN)
    }

    /// Loads `MNIST_DIR` if it is set, else `dir` (see [`resolve_dir`]).
    ///
    /// # Errors
    /// As [`Mnist::load`]; [`Error::Invalid`] if neither is given.
    pub fn from_env_or<P: AsRef<Path>>(dir: Option<P>) -> Result<Self> {
        let dir = resolve_dir(dir.as_ref().map(AsRef::as_ref))?;
        Self::load(dir)
    }

    /// Loads with the last `validation` training images held out for
    /// validation (Nielsen's split is [`VALIDATION_LEN`] = 10,000; small
    /// IDX files need a smaller number).
    ///
    /// # Errors
    /// As [`Mnist::load`]; [`Error::Invalid`] unless 1 ≤ `validation` <
    /// the number of training images.
    pub fn load_with_validation(dir: impl AsRef<Path>, validation: usize) -> Result<Self> {
        let dir = dir.as_ref();
        let train = Pair::open(dir, TRAIN_IMAGES, TRAIN_LABELS)?;
        let test = Pair::open(dir, TEST_IMAGES, TEST_LABELS)?;
        let n = train.len();
        if validation == 0 || validation >= n {
            let expected = if n < 2 {
                "a training file of at least 2 images (some to train on, some to validate)"
                    .to_string()
            } else {
                format!(
                    "a whole number from 1 to {} (the last images of the training file; \
                     at least one is left to train on)",
                    n - 1
                )
            };
            return Err(Error::invalid(
                format!("validation size for {n} training images"),
                expected,
                validation,
            ));
        }
        if test.len() == 0 {
            return Err(Error::invalid(
                "MNIST test set",
                "at least one image",
                "none",
            ));
        }
        if train.images.dims[1..] != test.images.dims[1..] {
            return Err(Error::mismatch(
                "MNIST test image size",
                format!("{:?} like the training images", &train.images.dims[1..]),
                format!("{:?}", &test.images.dims[1..]),
            ));
        }
        let mut parts = train.read(&[n - validation, validation])?.into_iter();
        let (train, validation) = (parts.next().unwrap(), parts.next().unwrap());
        let n_test = test.len();
        let test = test.read(&[n_test])?.pop().unwrap();
        Ok(Mnist {
            train,
            validation,
            test,
        })
    }

    /// Loads the official split: all 60,000 training images and the 10,000
    /// test images.
    ///
    /// # Errors
    /// As [`Mnist::load`].
    pub fn load_official(dir: impl AsRef<Path>) -> Result<(Dataset<E>, Dataset<E>)> {
        let dir = dir.as_ref();
        let train = Pair::open(dir, TRAIN_IMAGES, TRAIN_LABELS)?;
        let test = Pair::open(dir, TEST_IMAGES, TEST_LABELS)?;
        for (what, p) in [("training", &train), ("test", &test)] {
            if p.len() == 0 {
                return Err(Error::invalid(
                    format!("MNIST {what} set"),
                    "at least one image",
                    "none",
                ));
            }
        }
        let (nt, ns) = (train.len(), test.len());
        let train = train.read(&[nt])?.pop().unwrap();
        let test = test.read(&[ns])?.pop().unwrap();
        Ok((train, test))
    }
}
