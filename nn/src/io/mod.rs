//! Named tensors saved and loaded in the [safetensors] format, which PyTorch
//! (`safetensors.torch.load_file`), NumPy, JAX and candle read.
//!
//! A file is an 8-byte little-endian header length, a JSON header giving each
//! tensor's dtype, shape and byte range, then the raw little-endian data. This
//! module writes `F32` or `F64` tensors and reads them back bit for bit.
//!
//! - [`save`] writes atomically ([`write_atomic`], the one atomic writer of
//!   the crate, which the plots use too): to a temporary file in the same
//!   directory, flushed to disk, renamed over the target, and the directory
//!   flushed. On any error the old file is untouched and the temporary file
//!   is removed.
//! - [`load`] checks the dtype; [`load_as`] converts F32 ↔ F64.
//! - [`check_against`] compares a file's tensors with what an architecture
//!   expects and reports every missing, unexpected, reshaped or retyped
//!   tensor, so a model can refuse a file saved from another architecture.
//!
//! ```
//! use autograd::Tensor;
//! use nn::io::{self, TensorSpec};
//! let path = std::env::temp_dir().join(format!("nn-io-doc-{}.safetensors", std::process::id()));
//! let w = Tensor::from_vec(&[2, 3], vec![0.5f32, -1.0, 2.0, 0.0, 1.5, -0.25]).unwrap();
//! let b = Tensor::from_vec(&[3], vec![0.1f32, 0.2, 0.3]).unwrap();
//! io::save(&path, [("layer.w", &w), ("layer.b", &b)], &[("epoch", "30")]).unwrap();
//!
//! let loaded = io::load::<f32>(&path).unwrap();
//! assert_eq!(loaded["layer.w"], w);
//!
//! // A model with a [3, 3] weight refuses the file and says why.
//! let expected = [TensorSpec::new::<f32>("layer.w", &[3, 3]), TensorSpec::new::<f32>("layer.b", &[3])];
//! let err = io::load_checked::<f32>(&path, &expected).unwrap_err().to_string();
//! assert!(err.contains("tensor `layer.w` shape: expected [3, 3], found [2, 3]"), "{err}");
//! std::fs::remove_file(&path).unwrap();
//! ```
//!
//! [safetensors]: https://huggingface.co/docs/safetensors
//!
//! The module has three parts: the file format (`format`), the comparison of
//! a file's tensors with an architecture (`spec`), and the atomic writer
//! (`atomic`). A whole network saves itself with its architecture through
//! [`Mlp::save`](crate::Mlp::save), in PyTorch's layout or xiaolan's
//! ([`Layout`](crate::layers::Layout)), and exports itself to ONNX through
//! [`Mlp::to_onnx`](crate::Mlp::to_onnx), whose protobuf messages
//! ([`onnx_proto`], a subset of the ONNX schema, which also reads a model
//! back) live here too.

mod atomic;
mod format;
pub mod onnx_proto;
mod spec;

pub use atomic::{write_atomic, AtomicFile};
pub(crate) use format::{checked, header_in, read_file};
pub use format::{
    load, load_as, load_checked, load_checked_bytes, read_header, read_header_bytes, save,
    to_bytes, Dtype, Element, Header, IN_MEMORY, MAX_FILE_BYTES,
};
pub use spec::{check_against, differences, Difference, TensorSpec};
