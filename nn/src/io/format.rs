//! The safetensors format: element types, the header, and the bytes of a
//! file written and read.

use super::atomic::write_atomic;
use super::spec::{check_against, TensorSpec};
use crate::error::{Error, Result};
use autograd::{Real, Tensor};
use indexmap::IndexMap;
use safetensors::{SafeTensorError, SafeTensors, View};
use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;
use std::fs;
use std::io::Read;
use std::path::Path;

/// A tensor element type as named in a safetensors header.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Dtype {
    /// 32-bit float (`f32`).
    F32,
    /// 64-bit float (`f64`).
    F64,
    /// Any other dtype a file may hold (`F16`, `BF16`, `I64`, …), by its
    /// safetensors name. This crate reads and writes only `F32` and `F64`.
    Other(String),
}

impl fmt::Display for Dtype {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Dtype::F32 => f.write_str("F32"),
            Dtype::F64 => f.write_str("F64"),
            Dtype::Other(s) => f.write_str(s),
        }
    }
}

impl From<safetensors::Dtype> for Dtype {
    fn from(d: safetensors::Dtype) -> Self {
        match d {
            safetensors::Dtype::F32 => Dtype::F32,
            safetensors::Dtype::F64 => Dtype::F64,
            other => Dtype::Other(format!("{other:?}")),
        }
    }
}

/// An element type that can be saved: `f32` (as `F32`) and `f64` (as `F64`),
/// little-endian.
pub trait Element: Real {
    /// The dtype this type is saved as.
    const DTYPE: Dtype;
    /// The size of one element in bytes.
    const SIZE: usize;
    /// Appends the little-endian bytes of `data` to `out`.
    fn write_le(data: &[Self], out: &mut Vec<u8>);
    /// Decodes little-endian bytes (a multiple of [`Self::SIZE`] long).
    fn read_le(bytes: &[u8]) -> Vec<Self>;
}

macro_rules! impl_element {
    ($t:ty, $dtype:ident, $size:literal) => {
        impl Element for $t {
            const DTYPE: Dtype = Dtype::$dtype;
            const SIZE: usize = $size;
            fn write_le(data: &[Self], out: &mut Vec<u8>) {
                out.reserve(data.len() * $size);
                for x in data {
                    out.extend_from_slice(&x.to_le_bytes());
                }
            }
            fn read_le(bytes: &[u8]) -> Vec<Self> {
                bytes
                    .chunks_exact($size)
                    .map(|c| <$t>::from_le_bytes(c.try_into().expect("chunk of SIZE bytes")))
                    .collect()
            }
        }
    };
}

impl_element!(f32, F32, 4);
impl_element!(f64, F64, 8);

/// What a file's header says: its tensors in file order and its metadata.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Header {
    /// Name, shape and dtype of each tensor, in the order of their data in the file.
    pub tensors: Vec<TensorSpec>,
    /// The `__metadata__` string map, sorted by key.
    pub metadata: IndexMap<String, String>,
}

struct Raw<'a> {
    dtype: safetensors::Dtype,
    shape: &'a [usize],
    bytes: Vec<u8>,
}

impl View for Raw<'_> {
    fn dtype(&self) -> safetensors::Dtype {
        self.dtype
    }
    fn shape(&self) -> &[usize] {
        self.shape
    }
    fn data(&self) -> Cow<'_, [u8]> {
        Cow::Borrowed(&self.bytes)
    }
    fn data_len(&self) -> usize {
        self.bytes.len()
    }
}

fn st_dtype(d: &Dtype) -> safetensors::Dtype {
    match d {
        Dtype::F32 => safetensors::Dtype::F32,
        Dtype::F64 => safetensors::Dtype::F64,
        Dtype::Other(s) => unreachable!("Element types are F32 or F64, not {s}"),
    }
}

/// The bytes of a safetensors file holding `tensors` and `metadata`.
///
/// The file stores the tensors sorted by name (the safetensors writer's
/// order); [`load`] returns them in that order.
///
/// # Errors
/// [`Error::Invalid`] if a name is empty or appears twice.
pub fn to_bytes<'a, E: Element>(
    tensors: impl IntoIterator<Item = (&'a str, &'a Tensor<E>)>,
    metadata: &[(&str, &str)],
) -> Result<Vec<u8>> {
    let mut raws: Vec<(&str, Raw<'a>)> = Vec::new();
    let mut seen: HashMap<&str, ()> = HashMap::new();
    for (name, t) in tensors {
        if name.is_empty() {
            return Err(Error::invalid("tensor name", "a non-empty name", "\"\""));
        }
        if name == "__metadata__" || seen.insert(name, ()).is_some() {
            return Err(Error::invalid(
                "tensor name",
                "a unique name other than __metadata__",
                format!("`{name}` twice or reserved"),
            ));
        }
        let mut bytes = Vec::new();
        E::write_le(t.data(), &mut bytes);
        raws.push((
            name,
            Raw {
                dtype: st_dtype(&E::DTYPE),
                shape: t.shape(),
                bytes,
            },
        ));
    }
    let meta: Option<HashMap<String, String>> = if metadata.is_empty() {
        None
    } else {
        Some(
            metadata
                .iter()
                .map(|&(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        )
    };
    safetensors::serialize(raws, meta)
        .map_err(|e| Error::invalid("tensors to save", "tensors safetensors can describe", e))
}

/// Saves named tensors and string metadata to `path` in the safetensors
/// format, atomically (see [`write_atomic`]).
///
/// # Errors
/// As [`to_bytes`]; [`Error::Io`] if the file cannot be written (for
/// example, its directory does not exist); the old file, if any, is then
/// unchanged.
pub fn save<'a, E: Element>(
    path: impl AsRef<Path>,
    tensors: impl IntoIterator<Item = (&'a str, &'a Tensor<E>)>,
    metadata: &[(&str, &str)],
) -> Result<()> {
    let bytes = to_bytes(tensors, metadata)?;
    write_atomic(path, |w| w.write_all(&bytes))
}

/// The end of the data the header's `data_offsets` describe, read from the
/// JSON text for an error message (the header itself was valid JSON).
fn described_data_len(header: &str) -> Option<usize> {
    let mut end = None;
    let mut rest = header;
    while let Some(i) = rest.find("\"data_offsets\"") {
        rest = &rest[i + "\"data_offsets\"".len()..];
        let open = rest.find('[')?;
        let close = rest.find(']')?;
        let nums: Vec<usize> = rest[open + 1..close]
            .split(',')
            .map(|s| s.trim().parse().ok())
            .collect::<Option<_>>()?;
        end = end.max(nums.last().copied());
    }
    end
}

fn parse<'b>(path: &Path, bytes: &'b [u8]) -> Result<(Header, SafeTensors<'b>)> {
    let bad = |what: String| Error::format(path, what);
    if bytes.len() < 8 {
        return Err(bad(format!(
            "truncated: a safetensors file starts with an 8-byte header length, found {} bytes",
            bytes.len()
        )));
    }
    // the format's header is a JSON object: its first byte is `{`
    if bytes.get(8) != Some(&b'{') {
        let found = bytes.get(8).map_or_else(
            || "nothing after them".to_string(),
            |b| format!("the byte 0x{b:02x} after them"),
        );
        return Err(bad(format!(
            "not a safetensors file: expected an 8-byte header length and a JSON header \
             starting with `{{`, found {found}"
        )));
    }
    let n = u64::from_le_bytes(bytes[..8].try_into().expect("8 bytes"));
    let after = (bytes.len() - 8) as u64;
    if n > after {
        return Err(bad(format!(
            "truncated header: the first 8 bytes announce a {n}-byte JSON header, \
             but only {after} bytes follow"
        )));
    }
    let header_text = &bytes[8..8 + n as usize];
    let data_len = bytes.len() - 8 - n as usize;
    let (_, meta) = SafeTensors::read_metadata(bytes).map_err(|e| {
        bad(match e {
            SafeTensorError::InvalidHeader(e) => format!("header is not UTF-8 text: {e}"),
            SafeTensorError::InvalidHeaderDeserialization(e) => {
                format!("header is not valid safetensors JSON: {e}")
            }
            SafeTensorError::MetadataIncompleteBuffer => {
                let described = std::str::from_utf8(header_text)
                    .ok()
                    .and_then(described_data_len)
                    .map_or("a different number of".to_string(), |d| d.to_string());
                format!(
                    "data length mismatch: the header describes {described} bytes of tensor \
                     data, found {data_len} bytes after the header"
                )
            }
            SafeTensorError::InvalidOffset(name) => format!(
                "tensor `{name}`: its data_offsets do not start where the previous tensor's end"
            ),
            SafeTensorError::TensorInvalidInfo => {
                "a tensor's data_offsets do not span its shape × dtype size".to_string()
            }
            other => format!("invalid safetensors file: {other}"),
        })
    })?;
    let st = SafeTensors::deserialize(bytes)
        .map_err(|e| bad(format!("invalid safetensors file: {e}")))?;
    let tensors = meta
        .offset_keys()
        .into_iter()
        .map(|name| {
            let info = meta.info(&name).expect("a key of the header");
            TensorSpec {
                shape: info.shape.clone(),
                dtype: info.dtype.into(),
                name,
            }
        })
        .collect();
    let mut metadata: IndexMap<String, String> = meta
        .metadata()
        .as_ref()
        .map(|m| m.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
        .unwrap_or_default();
    metadata.sort_keys();
    Ok((Header { tensors, metadata }, st))
}

/// The largest safetensors file this module reads: 1 GiB (a 784-512-512-10
/// network in `f64` is 5.4 MB). A larger file
/// (or a device or pipe that yields more) is refused before it is read
/// whole; the header's sizes are then checked against the bytes read.
pub const MAX_FILE_BYTES: u64 = 1 << 30;

fn too_big(path: &Path, size: String) -> Error {
    Error::format(
        path,
        format!(
            "the file holds {size} bytes, more than the limit of {MAX_FILE_BYTES} bytes \
             (1 GiB) a safetensors file may hold"
        ),
    )
}

fn check_len(path: &Path, bytes: &[u8]) -> Result<()> {
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(too_big(path, bytes.len().to_string()));
    }
    Ok(())
}

/// The bytes of the file at `path`, refused past [`MAX_FILE_BYTES`].
pub(crate) fn read_file(path: &Path) -> Result<Vec<u8>> {
    let too_big = |size: String| too_big(path, size);
    let file = fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let len = file.metadata().map_err(|e| Error::io(path, e))?.len();
    if len > MAX_FILE_BYTES {
        return Err(too_big(len.to_string()));
    }
    let mut bytes = Vec::with_capacity(len as usize);
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Error::io(path, e))?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(too_big(format!("more than {MAX_FILE_BYTES}")));
    }
    Ok(bytes)
}

/// Reads a file's header: its tensors' names, shapes and dtypes, and its metadata.
///
/// # Errors
/// [`Error::Io`] if the file cannot be read; [`Error::Format`] if it is not a
/// valid safetensors file (truncated, a header that is not JSON, data whose
/// length does not match the header).
pub fn read_header(path: impl AsRef<Path>) -> Result<Header> {
    let path = path.as_ref();
    let bytes = read_file(path)?;
    Ok(parse(path, &bytes)?.0)
}

/// The name errors give to safetensors bytes held in memory (the
/// `_bytes` functions), in place of a file's path.
pub const IN_MEMORY: &str = "<safetensors bytes in memory>";

/// As [`read_header`], for the bytes of a safetensors file held in memory
/// (errors name [`IN_MEMORY`] as the file).
///
/// ```
/// let t = autograd::Tensor::full(&[2], 1.0f32);
/// let bytes = nn::io::to_bytes([("w", &t)], &[("k", "v")]).unwrap();
/// let header = nn::io::read_header_bytes(&bytes).unwrap();
/// assert_eq!(header.metadata["k"], "v");
/// assert!(nn::io::read_header_bytes(&bytes[..5]).is_err());
/// ```
///
/// # Errors
/// As [`read_header`]; [`Error::Format`] if there are more than
/// [`MAX_FILE_BYTES`] bytes.
pub fn read_header_bytes(bytes: &[u8]) -> Result<Header> {
    header_in(Path::new(IN_MEMORY), bytes)
}

/// The header of the safetensors `bytes` read from `path` (named in errors).
pub(crate) fn header_in(path: &Path, bytes: &[u8]) -> Result<Header> {
    check_len(path, bytes)?;
    Ok(parse(path, bytes)?.0)
}

fn decode<E: Element>(
    path: &Path,
    header: &Header,
    st: &SafeTensors<'_>,
    convert: bool,
    finite: bool,
) -> Result<IndexMap<String, Tensor<E>>> {
    let mut out = IndexMap::with_capacity(header.tensors.len());
    for spec in &header.tensors {
        let view = st
            .tensor(&spec.name)
            .map_err(|e| Error::format(path, e.to_string()))?;
        let data: Vec<E> = match (&spec.dtype, convert) {
            (d, _) if *d == E::DTYPE => E::read_le(view.data()),
            (Dtype::F32, true) => f32::read_le(view.data())
                .into_iter()
                .map(|x| E::from_f64(x as f64))
                .collect(),
            (Dtype::F64, true) => f64::read_le(view.data())
                .into_iter()
                .map(E::from_f64)
                .collect(),
            (found, _) => {
                return Err(Error::mismatch(
                    format!("dtype of tensor `{}` in {}", spec.name, path.display()),
                    if convert {
                        "F32 or F64".to_string()
                    } else {
                        E::DTYPE.to_string()
                    },
                    found,
                ))
            }
        };
        if let Some((i, x)) = data
            .iter()
            .enumerate()
            .find(|(_, x)| finite && !x.is_finite())
        {
            let x = x.to_f64();
            return Err(Error::format(
                path,
                format!(
                    "tensor `{}`: element {i} is {x}, expected a finite number",
                    spec.name
                ),
            ));
        }
        out.insert(spec.name.clone(), Tensor::from_vec(&spec.shape, data)?);
    }
    Ok(out)
}

/// Loads every tensor of a safetensors file, in file order; each must have
/// the dtype of `E` (`F32` for `f32`, `F64` for `f64`).
///
/// # Errors
/// As [`read_header`]; [`Error::Mismatch`] naming the first tensor whose
/// dtype is not `E`'s (use [`load_as`] to convert).
pub fn load<E: Element>(path: impl AsRef<Path>) -> Result<IndexMap<String, Tensor<E>>> {
    let path = path.as_ref();
    let bytes = read_file(path)?;
    let (header, st) = parse(path, &bytes)?;
    decode(path, &header, &st, false, false)
}

/// Loads every tensor of a safetensors file, converting `F32` and `F64`
/// tensors to `E` (an `F64` → `f32` conversion rounds).
///
/// # Errors
/// As [`read_header`]; [`Error::Mismatch`] for a tensor of another dtype.
pub fn load_as<E: Element>(path: impl AsRef<Path>) -> Result<IndexMap<String, Tensor<E>>> {
    let path = path.as_ref();
    let bytes = read_file(path)?;
    let (header, st) = parse(path, &bytes)?;
    decode(path, &header, &st, true, false)
}

/// Loads a file only if its tensors are exactly `expected` (names, shapes
/// and dtypes; see [`check_against`]) and every element is finite: the
/// weights of a model, which a NaN or an infinity would ruin silently.
/// ([`load`] and [`load_as`] read any value back bit for bit.)
///
/// # Errors
/// As [`load`]; [`Error::Mismatch`] naming the first difference and listing
/// the others; [`Error::Format`] naming the first tensor holding a NaN or an
/// infinity, and the element's index.
pub fn load_checked<E: Element>(
    path: impl AsRef<Path>,
    expected: &[TensorSpec],
) -> Result<IndexMap<String, Tensor<E>>> {
    let path = path.as_ref();
    let bytes = read_file(path)?;
    checked(path, &bytes, expected)
}

/// As [`load_checked`], for the bytes of a safetensors file held in memory
/// (errors name [`IN_MEMORY`] as the file).
///
/// # Errors
/// As [`load_checked`]; [`Error::Format`] if there are more than
/// [`MAX_FILE_BYTES`] bytes.
pub fn load_checked_bytes<E: Element>(
    bytes: &[u8],
    expected: &[TensorSpec],
) -> Result<IndexMap<String, Tensor<E>>> {
    checked(Path::new(IN_MEMORY), bytes, expected)
}

/// The tensors of the safetensors `bytes` read from `path` (named in
/// errors), checked as by [`load_checked`].
pub(crate) fn checked<E: Element>(
    path: &Path,
    bytes: &[u8],
    expected: &[TensorSpec],
) -> Result<IndexMap<String, Tensor<E>>> {
    check_len(path, bytes)?;
    let (header, st) = parse(path, bytes)?;
    check_against(expected, &header.tensors)?;
    decode(path, &header, &st, false, true)
}
