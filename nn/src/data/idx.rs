//! The IDX file format of MNIST and its relatives, gzipped or not.
//!
//! An IDX file is a 4-byte big-endian magic number (two zero bytes, an
//! element-type code, the number of dimensions), one big-endian `u32` per
//! dimension, then the elements row-major. MNIST's images have magic 2051
//! (`0x00000803`: unsigned bytes, 3 dimensions [n, rows, cols]) and its labels
//! 2049 (`0x00000801`: unsigned bytes, 1 dimension `[n]`). A file starting with
//! the gzip magic bytes `1f 8b` is decompressed while it is read.
//!
//! ```no_run
//! // The 8×8 digits set stores pixels 0..16: scale them to [0, 1] with 1/16.
//! use nn::data::idx;
//! let digits = idx::load_labelled::<f32>(
//!     "digits8x8-images-idx3-ubyte.gz",
//!     "digits8x8-labels-idx1-ubyte.gz",
//!     1.0 / 16.0,
//!     10,
//! )?;
//! assert_eq!((digits.len(), digits.input_dim()), (1797, 64));
//! # Ok::<(), nn::Error>(())
//! ```

use super::Dataset;
use crate::error::{Error, Result};
use autograd::{Real, Tensor};
use flate2::read::MultiGzDecoder;
use std::fs::File;
use std::io::{BufRead, BufReader, ErrorKind, Read};
use std::path::{Path, PathBuf};

/// The magic number of an IDX file of images: unsigned bytes, 3 dimensions.
pub const IMAGES_MAGIC: u32 = 0x0803;

/// The magic number of an IDX file of labels: unsigned bytes, 1 dimension.
pub const LABELS_MAGIC: u32 = 0x0801;

const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// The most data bytes an IDX file may announce: 1 GiB (MNIST's training
/// images are 47 MB). A header announcing more is refused before anything
/// is allocated; so is a raw file whose header announces more bytes than
/// the file holds. A gzipped file's size does not bound its data, so it is
/// read in chunks, never more than this many bytes.
pub const MAX_IDX_BYTES: usize = 1 << 30;

/// What the reader reserves at most before the data has been read, for a
/// gzipped file (whose header is not checked against the file's size).
const GZIP_RESERVE: usize = 1 << 20;

/// An IDX array of unsigned bytes, read whole.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IdxArray {
    /// The dimensions from the header, outermost first.
    pub dims: Vec<usize>,
    /// The elements, row-major; `data.len()` is the product of `dims`.
    pub data: Vec<u8>,
}

impl IdxArray {
    /// The elements as a tensor of shape `dims`, each byte multiplied by `scale`.
    pub fn to_tensor<E: Real>(&self, scale: f64) -> Tensor<E> {
        let table = scale_table::<E>(scale);
        let data = self.data.iter().map(|&b| table[b as usize]).collect();
        Tensor::from_vec(&self.dims, data).expect("data length checked against the header")
    }
}

/// Reads an IDX file of unsigned bytes with any number of dimensions.
///
/// # Errors
/// [`Error::Io`] if the file cannot be opened or read; [`Error::Format`] if
/// it is not IDX, has an element type other than unsigned bytes (`0x08`), is
/// truncated, or has more data than its header's dimensions say.
pub fn read(path: impl AsRef<Path>) -> Result<IdxArray> {
    read_all(IdxReader::open(path.as_ref())?)
}

/// The name errors give to IDX bytes held in memory ([`parse`]), in place
/// of a file's path.
pub const IN_MEMORY: &str = "<IDX bytes in memory>";

/// As [`read`], for the bytes of an IDX file held in memory, raw or
/// gzipped (errors name [`IN_MEMORY`] as the file). The header is checked
/// against the bytes there before anything is allocated, as a file's is
/// against its size.
///
/// ```
/// // 2 × 3 unsigned bytes: magic 0x0802, dimensions 2 and 3, the data.
/// let bytes = [0, 0, 8, 2, 0, 0, 0, 2, 0, 0, 0, 3, 1, 2, 3, 4, 5, 6];
/// let a = nn::data::idx::parse(&bytes).unwrap();
/// assert_eq!((a.dims, a.data), (vec![2, 3], vec![1, 2, 3, 4, 5, 6]));
/// let err = nn::data::idx::parse(&bytes[..15]).unwrap_err().to_string();
/// assert!(err.contains("say 6 data bytes, found 3"), "{err}");
/// ```
///
/// # Errors
/// As [`read`], but for opening a file.
pub fn parse(bytes: &[u8]) -> Result<IdxArray> {
    read_all(IdxReader::new(
        Path::new(IN_MEMORY),
        bytes,
        Some(bytes.len() as u64),
    )?)
}

/// The whole array of an opened reader, checked to end where its header says.
fn read_all(mut r: IdxReader<'_>) -> Result<IdxArray> {
    let n = r.remaining;
    let data = r.read_bytes(n)?;
    let dims = r.dims.clone();
    r.finish()?;
    Ok(IdxArray { dims, data })
}

/// Reads an IDX image file (magic 2051) as a matrix [n, rows·cols], each
/// pixel byte multiplied by `scale` (1/255 for MNIST's 0..255, 1/16 for the
/// 8×8 digits' 0..16).
///
/// # Errors
/// As [`read`]; [`Error::Format`] if the magic number is not 2051.
pub fn read_images<E: Real>(path: impl AsRef<Path>, scale: f64) -> Result<Tensor<E>> {
    let mut r = IdxReader::open(path.as_ref())?;
    r.expect_magic(IMAGES_MAGIC, "images")?;
    let (n, pixels) = (r.dims[0], r.dims[1] * r.dims[2]);
    let data = r.read_scaled(n * pixels, &scale_table(scale))?;
    r.finish()?;
    Ok(Tensor::from_vec(&[n, pixels], data)?)
}

/// Reads an IDX label file (magic 2049) as class indices.
///
/// # Errors
/// As [`read`]; [`Error::Format`] if the magic number is not 2049.
pub fn read_labels(path: impl AsRef<Path>) -> Result<Vec<usize>> {
    let mut r = IdxReader::open(path.as_ref())?;
    r.expect_magic(LABELS_MAGIC, "labels")?;
    let n = r.dims[0];
    let labels = r.read_bytes(n)?.into_iter().map(usize::from).collect();
    r.finish()?;
    Ok(labels)
}

/// A classification [`Dataset`] from an image file and a label file: inputs
/// [n, rows·cols] scaled by `scale`, targets one-hot [n, `num_classes`],
/// class indices attached.
///
/// # Errors
/// As [`read_images`] and [`read_labels`]; [`Error::Mismatch`] if the files
/// hold different numbers of samples; [`Error::Format`] if a label is not
/// below `num_classes`.
pub fn load_labelled<E: Real>(
    images: impl AsRef<Path>,
    labels: impl AsRef<Path>,
    scale: f64,
    num_classes: usize,
) -> Result<Dataset<E>> {
    let (images, labels) = (images.as_ref(), labels.as_ref());
    let mut ri = IdxReader::open(images)?;
    ri.expect_magic(IMAGES_MAGIC, "images")?;
    let mut rl = IdxReader::open(labels)?;
    rl.expect_magic(LABELS_MAGIC, "labels")?;
    check_counts(&ri, &rl)?;
    let classes = rl.read_labels(num_classes)?;
    rl.finish()?;
    let (n, pixels) = (ri.dims[0], ri.dims[1] * ri.dims[2]);
    let data = ri.read_scaled(n * pixels, &scale_table(scale))?;
    ri.finish()?;
    Dataset::classification(Tensor::from_vec(&[n, pixels], data)?, classes, num_classes)
}

/// The value of each byte 0..=255 times `scale`, converted once.
pub(crate) fn scale_table<E: Real>(scale: f64) -> [E; 256] {
    std::array::from_fn(|b| E::from_f64(b as f64 * scale))
}

pub(crate) fn check_counts(images: &IdxReader<'_>, labels: &IdxReader<'_>) -> Result<()> {
    if images.dims[0] != labels.dims[0] {
        return Err(Error::mismatch(
            format!(
                "number of labels in {} for the images in {}",
                labels.path.display(),
                images.path.display()
            ),
            format!("{} (one per image)", images.dims[0]),
            labels.dims[0],
        ));
    }
    Ok(())
}

fn type_name(code: u8) -> &'static str {
    match code {
        0x08 => "unsigned byte",
        0x09 => "signed byte",
        0x0B => "i16",
        0x0C => "i32",
        0x0D => "f32",
        0x0E => "f64",
        _ => "not an IDX type",
    }
}

/// A streaming reader of an IDX file of unsigned bytes: the header is parsed
/// on open, the data is read in chunks into buffers allocated once.
pub(crate) struct IdxReader<'a> {
    pub(crate) path: PathBuf,
    inner: Box<dyn Read + 'a>,
    gzipped: bool,
    pub(crate) magic: u32,
    pub(crate) dims: Vec<usize>,
    /// Data bytes the header promises that have not been read yet.
    pub(crate) remaining: usize,
    total: usize,
}

impl IdxReader<'static> {
    /// Opens the file at `path` and parses its header.
    pub(crate) fn open(path: &Path) -> Result<Self> {
        let file = File::open(path).map_err(|e| Error::io(path, e))?;
        // the bytes a regular file holds (None for a pipe or a device)
        let file_len = file
            .metadata()
            .ok()
            .filter(|m| m.is_file())
            .map(|m| m.len());
        IdxReader::new(path, BufReader::with_capacity(1 << 16, file), file_len)
    }
}

impl<'a> IdxReader<'a> {
    /// Parses the header of the IDX bytes `buf` yields (raw or gzipped);
    /// `path` names them in errors and `file_len` is how many bytes there
    /// are, when that is known (a regular file's size, a slice's length).
    fn new(path: &Path, mut buf: impl BufRead + 'a, file_len: Option<u64>) -> Result<Self> {
        let head = buf.fill_buf().map_err(|e| Error::io(path, e))?;
        let gzipped = head.starts_with(&GZIP_MAGIC);
        let inner: Box<dyn Read + 'a> = if gzipped {
            Box::new(MultiGzDecoder::new(buf))
        } else {
            Box::new(buf)
        };
        let mut r = IdxReader {
            path: path.to_path_buf(),
            inner,
            gzipped,
            magic: 0,
            dims: Vec::new(),
            remaining: 0,
            total: 0,
        };
        let mut m = [0u8; 4];
        let got = r.read_full(&mut m)?;
        if got < 4 {
            return Err(r.format(format!(
                "truncated: an IDX file starts with a 4-byte magic number, found {got} bytes"
            )));
        }
        r.magic = u32::from_be_bytes(m);
        let (code, ndims) = (m[2], m[3] as usize);
        if m[0] != 0 || m[1] != 0 || ndims == 0 {
            return Err(r.format(format!(
                "not an IDX file: expected a magic number 0x0000TTDD (e.g. {IMAGES_MAGIC} for \
                 images, {LABELS_MAGIC} for labels), found {} (0x{:08x})",
                r.magic, r.magic
            )));
        }
        if code != 0x08 {
            return Err(r.format(format!(
                "unsupported IDX element type 0x{code:02x} ({}): expected 0x08 (unsigned byte)",
                type_name(code)
            )));
        }
        let mut raw = vec![0u8; 4 * ndims];
        let got = r.read_full(&mut raw)?;
        if got < raw.len() {
            return Err(r.format(format!(
                "truncated header: magic {} announces {ndims} dimensions ({} bytes), found {got} bytes",
                r.magic,
                raw.len()
            )));
        }
        r.dims = raw
            .chunks_exact(4)
            .map(|c| u32::from_be_bytes([c[0], c[1], c[2], c[3]]) as usize)
            .collect();
        r.total = r
            .dims
            .iter()
            .try_fold(1usize, |a, &d| a.checked_mul(d))
            .ok_or_else(|| r.format(format!("dimensions {:?} overflow", r.dims)))?;
        if r.total > MAX_IDX_BYTES {
            return Err(r.format(format!(
                "the header's dimensions {:?} announce {} data bytes, more than the limit of \
                 {MAX_IDX_BYTES} bytes (1 GiB) an IDX file may hold",
                r.dims, r.total
            )));
        }
        let header_len = 4 + raw.len() as u64;
        if let (false, Some(len)) = (gzipped, file_len) {
            let held = len.saturating_sub(header_len);
            if r.total as u64 > held {
                return Err(r.format(format!(
                    "truncated: the header's dimensions {:?} say {} data bytes, found {held}",
                    r.dims, r.total
                )));
            }
        }
        r.remaining = r.total;
        Ok(r)
    }

    fn format(&self, what: String) -> Error {
        Error::format(&self.path, what)
    }

    /// Checks the magic number (which also fixes the number of dimensions).
    pub(crate) fn expect_magic(&self, expected: u32, what: &str) -> Result<()> {
        if self.magic != expected {
            let hint = match self.magic {
                IMAGES_MAGIC => " (an IDX image file)",
                LABELS_MAGIC => " (an IDX label file)",
                _ => "",
            };
            return Err(self.format(format!(
                "expected magic number {expected} (IDX {what}), found {}{hint}",
                self.magic
            )));
        }
        Ok(())
    }

    /// Reads until `buf` is full or the stream ends; returns the bytes read.
    fn read_full(&mut self, buf: &mut [u8]) -> Result<usize> {
        let mut got = 0;
        while got < buf.len() {
            match self.inner.read(&mut buf[got..]) {
                Ok(0) => break,
                Ok(k) => got += k,
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(e) => return Err(self.read_error(e, got)),
            }
        }
        Ok(got)
    }

    /// The error for `e`, met after `got` bytes of the current read.
    fn read_error(&self, e: std::io::Error, got: usize) -> Error {
        let done = self.total - self.remaining + got;
        match e.kind() {
            // the header is parsed before any dimension is known
            ErrorKind::UnexpectedEof if self.gzipped && self.dims.is_empty() => self.format(
                "truncated gzip stream: it ends inside the IDX header (expected a 4-byte \
                 magic number and 4 bytes per dimension)"
                    .to_string(),
            ),
            ErrorKind::UnexpectedEof if self.gzipped && self.remaining == 0 => {
                self.format(format!(
                    "truncated gzip stream: all {} data bytes the header's dimensions {:?} \
                     say were read, but the stream ends before its gzip trailer",
                    self.total, self.dims
                ))
            }
            ErrorKind::UnexpectedEof if self.gzipped => self.format(format!(
                "truncated gzip stream: the header's dimensions {:?} say {} data bytes, \
                 found {done}",
                self.dims, self.total
            )),
            ErrorKind::InvalidInput | ErrorKind::InvalidData if self.gzipped => {
                self.format(format!("corrupt gzip data: {e}"))
            }
            _ => Error::io(&self.path, e),
        }
    }

    fn truncated(&self) -> Error {
        let found = self.total - self.remaining;
        self.format(format!(
            "truncated: the header's dimensions {:?} say {} data bytes, found {found}",
            self.dims, self.total
        ))
    }

    /// Reads the next `count` data bytes, each mapped through `table`.
    pub(crate) fn read_scaled<E: Real>(
        &mut self,
        count: usize,
        table: &[E; 256],
    ) -> Result<Vec<E>> {
        self.read_mapped(count, |b| table[b as usize])
    }

    /// Reads the next `count` data bytes.
    pub(crate) fn read_bytes(&mut self, count: usize) -> Result<Vec<u8>> {
        self.read_mapped(count, |b| b)
    }

    /// Reads the next `count` data bytes in chunks, each mapped through `f`.
    /// A raw file's vector is allocated once (its size was checked against
    /// the file's on open); a gzipped file's grows as its data arrives, so a
    /// header that lies costs no more memory than the data that is there.
    fn read_mapped<T>(&mut self, count: usize, f: impl Fn(u8) -> T) -> Result<Vec<T>> {
        assert!(
            count <= self.remaining,
            "read past the header's data length"
        );
        let reserve = if self.gzipped {
            count.min(GZIP_RESERVE)
        } else {
            count
        };
        let mut out = Vec::with_capacity(reserve);
        let mut chunk = vec![0u8; (1 << 16).min(count.max(1))];
        let mut left = count;
        while left > 0 {
            let want = left.min(chunk.len());
            let got = self.read_full(&mut chunk[..want])?;
            out.extend(chunk[..got].iter().map(|&b| f(b)));
            // counted as it arrives, so an error names the bytes found
            self.remaining -= got;
            if got < want {
                return Err(self.truncated());
            }
            left -= got;
        }
        Ok(out)
    }

    /// Reads all labels, checking each is below `num_classes`.
    pub(crate) fn read_labels(&mut self, num_classes: usize) -> Result<Vec<usize>> {
        let n = self.remaining;
        let bytes = self.read_bytes(n)?;
        if let Some((i, &b)) = bytes
            .iter()
            .enumerate()
            .find(|(_, &b)| b as usize >= num_classes)
        {
            return Err(self.format(format!(
                "label of sample {i}: expected a class in 0..{num_classes}, found {b}"
            )));
        }
        Ok(bytes.into_iter().map(usize::from).collect())
    }

    /// Checks that the file ends where its header says the data ends.
    pub(crate) fn finish(mut self) -> Result<()> {
        debug_assert_eq!(self.remaining, 0, "finish before reading all data");
        let mut probe = [0u8; 1];
        if self.read_full(&mut probe)? > 0 {
            let mut extra = 1usize;
            let mut sink = [0u8; 8192];
            loop {
                match self.inner.read(&mut sink) {
                    Ok(0) | Err(_) => break,
                    Ok(k) => extra += k,
                }
            }
            return Err(self.format(format!(
                "the header's dimensions {:?} say {} data bytes, but the file has {} more",
                self.dims, self.total, extra
            )));
        }
        Ok(())
    }
}
