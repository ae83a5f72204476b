//! An [`Mlp`] saved with its architecture: the weights as safetensors
//! tensors, the layer sizes, activations and input features in the file's
//! metadata.
//!
//! The tensors are named and shaped in one of two [`Layout`]s: PyTorch's
//! (the default), which `torch.nn.Sequential(...).load_state_dict` takes
//! as it is, or xiaolan's own (the files written before PyTorch's layout
//! was the default). One writer ([`Mlp::to_bytes_in`]) and one reader
//! (`load_weights_from`) take the layout as a parameter; the reader finds
//! it in the file.

use super::mlp::Mlp;
use crate::activation::Activation;
use crate::data::Feature;
use crate::error::{Error, Result};
use crate::io::{self, Element, TensorSpec};
use crate::param::ParamStore;
use std::path::Path;

/// The metadata key of the layer widths, inputs first: `"2,4,1"`.
pub const SIZES_KEY: &str = "sizes";
/// The metadata key of the activations, one per layer: `"tanh,sigmoid"`.
pub const ACTIVATIONS_KEY: &str = "activations";
/// The metadata key of the input features, if any: `"x1,x2,x1^2"`.
pub const FEATURES_KEY: &str = "features";
/// The metadata key of the tensors' [`Layout`]: `"torch"` or `"xiaolan"`.
pub const LAYOUT_KEY: &str = "layout";

/// How a file names and shapes an [`Mlp`]'s tensors.
///
/// | layout | layer `i`'s weight | its bias | read by |
/// |---|---|---|---|
/// | `Torch` (the default) | `{2i}.weight` `[out, in]` | `{2i}.bias` `[out]` | `nn.Sequential(Linear, act, Linear, act, …).load_state_dict` |
/// | `Xiaolan` | `layer{i}.weight` `[in, out]` | `layer{i}.bias` `[out]` | xiaolan (files written before PyTorch's layout was the default) |
///
/// In PyTorch's layout each `nn.Linear` is followed by its activation
/// module, so layer `i` is module `2i` (an identity activation is
/// `nn.Identity()`). Reading, the linear modules are taken in the order of
/// their indices, whatever they are: a state dict of
/// `Sequential(Linear, ReLU, Linear)` (modules 0 and 2) or one with
/// dropout modules in between loads too.
///
/// ```
/// use nn::layers::Layout;
/// use nn::prelude::*;
/// let mlp = Mlp::<f32>::new(&[2, 3, 1], &[Activation::Tanh, Activation::Sigmoid], Init::Xavier, 1).unwrap();
/// let torch = nn::io::read_header_bytes(&mlp.to_bytes().unwrap()).unwrap();
/// let names: Vec<_> = torch.tensors.iter().map(|t| (t.name.as_str(), t.shape.clone())).collect();
/// assert_eq!(names, [("0.bias", vec![3]), ("0.weight", vec![3, 2]), ("2.bias", vec![1]), ("2.weight", vec![1, 3])]);
/// assert_eq!(torch.metadata["layout"], "torch");
/// let ours = mlp.to_bytes_in(Layout::Xiaolan, &[]).unwrap();
/// assert_eq!(nn::io::read_header_bytes(&ours).unwrap().tensors[1].name, "layer0.weight");
/// // both read back to the same network
/// let x = autograd::Tensor::full(&[1, 2], 0.5f32);
/// assert_eq!(Mlp::<f32>::from_bytes(&ours).unwrap().predict(&x).unwrap(), mlp.predict(&x).unwrap());
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Layout {
    /// PyTorch's `nn.Sequential` state dict: `0.weight` [out, in], `0.bias`,
    /// `2.weight`, …
    #[default]
    Torch,
    /// xiaolan's parameter names and shapes: `layer0.weight` [in, out],
    /// `layer0.bias`, `layer1.weight`, …
    Xiaolan,
}

impl Layout {
    /// The name [`LAYOUT_KEY`] records: `torch` or `xiaolan`.
    pub fn name(self) -> &'static str {
        match self {
            Layout::Torch => "torch",
            Layout::Xiaolan => "xiaolan",
        }
    }

    /// The layout of a file: its metadata's [`LAYOUT_KEY`], or, without
    /// one, xiaolan's if a tensor is named `layer…`, else PyTorch's.
    fn of(path: &Path, header: &io::Header) -> Result<Layout> {
        match header.metadata.get(LAYOUT_KEY).map(|s| s.trim()) {
            Some("torch") => Ok(Layout::Torch),
            Some("xiaolan") => Ok(Layout::Xiaolan),
            Some(other) => Err(Error::mismatch(
                format!("metadata `{LAYOUT_KEY}` in {}", path.display()),
                "torch or xiaolan",
                format!("`{other}`"),
            )),
            None if header.tensors.iter().any(|t| t.name.starts_with("layer")) => {
                Ok(Layout::Xiaolan)
            }
            None => Ok(Layout::Torch),
        }
    }

    /// The names of the weight and the bias of each of `layers` layers in
    /// a file with this layout (for reading, the file's `header`: the
    /// indices of its linear modules, if it has one per layer).
    fn names(self, layers: usize, header: Option<&io::Header>) -> Vec<(String, String)> {
        let pair = |prefix: String| (format!("{prefix}.weight"), format!("{prefix}.bias"));
        match self {
            Layout::Xiaolan => (0..layers).map(|i| pair(format!("layer{i}"))).collect(),
            Layout::Torch => {
                let mut found: Vec<usize> = header
                    .map(|h| {
                        h.tensors
                            .iter()
                            .filter_map(|t| t.name.strip_suffix(".weight")?.parse().ok())
                            .collect()
                    })
                    .unwrap_or_default();
                found.sort_unstable();
                found.dedup();
                if found.len() != layers {
                    found = (0..layers).map(|i| 2 * i).collect();
                }
                found.into_iter().map(|i| pair(i.to_string())).collect()
            }
        }
    }

    /// A layer's weight as the layout stores it, from xiaolan's [in, out]
    /// (PyTorch's is its transpose, [out, in]), and back: the transpose is
    /// its own inverse.
    fn convert<E: Element>(self, w: &autograd::Tensor<E>) -> Result<autograd::Tensor<E>> {
        match self {
            Layout::Xiaolan => Ok(w.clone()),
            Layout::Torch => Ok(w.transpose()?),
        }
    }

    /// The stored shape of a weight of `inputs` → `outputs`.
    fn weight_shape(self, inputs: usize, outputs: usize) -> [usize; 2] {
        match self {
            Layout::Xiaolan => [inputs, outputs],
            Layout::Torch => [outputs, inputs],
        }
    }
}

impl<E: Element> Mlp<E> {
    /// Saves the network to `path` (safetensors, atomically): its tensors
    /// in PyTorch's [`Layout`] (`0.weight` [out, in], `0.bias`, `2.weight`,
    /// …) and, in the metadata, its architecture — layer sizes (`sizes`),
    /// activations (`activations`), the layout (`layout`) and, if the
    /// network has them, its input features (`features`) — so that
    /// [`Mlp::load`] rebuilds it from the file alone.
    ///
    /// ```
    /// use nn::data::Feature;
    /// use nn::prelude::*;
    /// let path = std::env::temp_dir().join(format!("nn-mlp-doc-{}.safetensors", std::process::id()));
    /// let mlp = Mlp::<f32>::new(&[3, 4, 1], &[Activation::Tanh, Activation::Sigmoid], Init::Xavier, 2)
    ///     .unwrap()
    ///     .with_features(&[Feature::X1, Feature::X2, Feature::X1Squared])
    ///     .unwrap();
    /// mlp.save(&path).unwrap();
    /// let back = Mlp::<f32>::load(&path).unwrap();
    /// assert_eq!(back.sizes(), [3, 4, 1]);
    /// assert_eq!(back.activations(), mlp.activations());
    /// assert_eq!(back.features(), mlp.features());
    /// let x = autograd::Tensor::full(&[2, 3], 0.5f32);
    /// assert_eq!(back.predict(&x).unwrap(), mlp.predict(&x).unwrap());
    /// std::fs::remove_file(&path).unwrap();
    /// ```
    ///
    /// # Errors
    /// As [`io::save`].
    pub fn save(&self, path: impl AsRef<Path>) -> Result<()> {
        self.save_with(path, &[])
    }

    /// As [`Mlp::save`], with more metadata (for example the training run's
    /// epochs or data set).
    ///
    /// # Errors
    /// [`Error::Invalid`] if `extra` uses one of the architecture's keys; as
    /// [`io::save`].
    pub fn save_with(&self, path: impl AsRef<Path>, extra: &[(&str, &str)]) -> Result<()> {
        self.save_in(path, Layout::default(), extra)
    }

    /// As [`Mlp::save_with`], in the given [`Layout`].
    ///
    /// # Errors
    /// As [`Mlp::save_with`].
    pub fn save_in(
        &self,
        path: impl AsRef<Path>,
        layout: Layout,
        extra: &[(&str, &str)],
    ) -> Result<()> {
        let bytes = self.to_bytes_in(layout, extra)?;
        io::write_atomic(path, |w| w.write_all(&bytes))
    }

    /// The bytes of the safetensors file [`Mlp::save`] writes (same tensors,
    /// same metadata), in memory: for sending a network over a connection.
    /// [`Mlp::from_bytes`] reads them back.
    ///
    /// ```
    /// use nn::prelude::*;
    /// let mlp = Mlp::<f32>::new(&[2, 3, 1], &[Activation::Tanh, Activation::Sigmoid], Init::Xavier, 1).unwrap();
    /// let bytes = mlp.to_bytes().unwrap();
    /// let back = Mlp::<f32>::from_bytes(&bytes).unwrap();
    /// assert_eq!(back.sizes(), [2, 3, 1]);
    /// let x = autograd::Tensor::full(&[1, 2], 0.25f32);
    /// assert_eq!(back.predict(&x).unwrap(), mlp.predict(&x).unwrap());
    /// ```
    ///
    /// # Errors
    /// As [`io::to_bytes`].
    pub fn to_bytes(&self) -> Result<Vec<u8>> {
        self.to_bytes_with(&[])
    }

    /// The bytes of [`Mlp::save_with`]'s file, with the extra metadata.
    ///
    /// # Errors
    /// As [`Mlp::to_bytes_in`].
    pub fn to_bytes_with(&self, extra: &[(&str, &str)]) -> Result<Vec<u8>> {
        self.to_bytes_in(Layout::default(), extra)
    }

    /// The bytes of a file of the network in `layout`, with the extra
    /// metadata: the one serializer behind saving.
    ///
    /// # Errors
    /// [`Error::Invalid`] if `extra` uses one of the architecture's keys; as
    /// [`io::to_bytes`].
    pub fn to_bytes_in(&self, layout: Layout, extra: &[(&str, &str)]) -> Result<Vec<u8>> {
        let mut meta = vec![
            (SIZES_KEY, join(self.sizes())),
            (ACTIVATIONS_KEY, join(self.activations().iter())),
            (LAYOUT_KEY, layout.name().to_string()),
        ];
        if let Some(f) = self.features() {
            meta.push((FEATURES_KEY, join(f.iter())));
        }
        for (k, _) in extra {
            if meta.iter().any(|(m, _)| m == k) {
                return Err(Error::invalid(
                    "extra metadata key",
                    "a key the architecture does not use",
                    format!("`{k}`"),
                ));
            }
        }
        let mut meta: Vec<(&str, &str)> = meta.iter().map(|(k, v)| (*k, v.as_str())).collect();
        meta.extend_from_slice(extra);
        let names = layout.names(self.layers().len(), None);
        let mut tensors = Vec::with_capacity(2 * names.len());
        for (layer, (w, b)) in self.layers().iter().zip(names) {
            tensors.push((w, layout.convert(&self.params()[layer.weight()])?));
            tensors.push((b, self.params()[layer.bias()].clone()));
        }
        io::to_bytes(tensors.iter().map(|(n, t)| (n.as_str(), t)), &meta)
    }

    /// Loads a network saved by [`Mlp::save`], in either [`Layout`]: its
    /// architecture from the file's metadata, its weights checked against
    /// that architecture (each tensor's name, shape and `E`'s dtype).
    ///
    /// A state dict without xiaolan's metadata (one that PyTorch's
    /// `safetensors.torch.save_file(model.state_dict(), …)` wrote) does not
    /// say its activations, which hold no tensors: it is refused, saying
    /// so, and loads into a network of the architecture given in code with
    /// [`Mlp::load_weights`].
    ///
    /// # Errors
    /// As [`io::read_header`]; [`Error::Mismatch`] naming the file when its
    /// metadata has no architecture (a file saved by other means: load it
    /// into a network of known architecture with [`Mlp::load_weights`]), when
    /// `layout` is neither `torch` nor `xiaolan`, when
    /// `sizes`, `activations` or `features` cannot be read (the message
    /// gives what was expected and the text found), or when the tensors do
    /// not fit the architecture; [`Error::Format`] naming the first tensor
    /// that holds a NaN or an infinity.
    pub fn load(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        Self::from_source(path, &io::read_file(path)?)
    }

    /// Reads a network from the bytes of a file saved by [`Mlp::save`] (or
    /// made by [`Mlp::to_bytes`]), with [`Mlp::load`]'s checks; errors name
    /// [`io::IN_MEMORY`] as the file.
    ///
    /// ```
    /// use nn::prelude::*;
    /// let mlp = Mlp::<f64>::new(&[2, 4, 1], &[Activation::Relu, Activation::Identity], Init::He, 3).unwrap();
    /// let back = Mlp::<f64>::from_bytes(&mlp.to_bytes().unwrap()).unwrap();
    /// assert_eq!(back.activations(), mlp.activations());
    /// // an f64 network is not an f32 one, and a cut file is not a file
    /// assert!(Mlp::<f32>::from_bytes(&mlp.to_bytes().unwrap()).is_err());
    /// let err = Mlp::<f64>::from_bytes(b"not a file").unwrap_err().to_string();
    /// assert!(err.contains("header"), "{err}");
    /// ```
    ///
    /// # Errors
    /// As [`Mlp::load`]; [`Error::Format`] if there are more than
    /// [`io::MAX_FILE_BYTES`] bytes.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        Self::from_source(Path::new(io::IN_MEMORY), bytes)
    }

    /// [`Mlp::load`] and [`Mlp::from_bytes`]: the network in `bytes`, read
    /// from `path` (named in errors).
    fn from_source(path: &Path, bytes: &[u8]) -> Result<Self> {
        let header = io::header_in(path, bytes)?;
        let get = |key: &str| {
            header.metadata.get(key).ok_or_else(|| {
                Error::mismatch(
                    format!("network architecture in {}", path.display()),
                    format!(
                        "metadata `{SIZES_KEY}` and `{ACTIVATIONS_KEY}` (a file saved by Mlp::save; \
                         a file without them, such as a state dict PyTorch wrote, loads into a \
                         given architecture with Mlp::load_weights)"
                    ),
                    format!("no `{key}` in the metadata"),
                )
            })
        };
        let sizes_text = get(SIZES_KEY)?;
        let acts_text = get(ACTIVATIONS_KEY)?;
        let sizes: Vec<usize> = parse_list(path, SIZES_KEY, sizes_text, |s| {
            s.parse::<usize>()
                .map_err(|_| "layer widths separated by commas, such as 2,4,1".to_string())
        })?;
        let activations: Vec<Activation> = parse_list(path, ACTIVATIONS_KEY, acts_text, |s| {
            s.parse::<Activation>().map_err(|e| match e {
                Error::Invalid { expected, .. } => expected,
                other => other.to_string(),
            })
        })?;
        let features = match header.metadata.get(FEATURES_KEY) {
            None => None,
            Some(text) if text.trim().is_empty() => None,
            Some(text) => Some(parse_list(path, FEATURES_KEY, text, |s| {
                s.parse::<Feature>().map_err(|e| match e {
                    Error::Invalid { expected, .. } => expected,
                    other => other.to_string(),
                })
            })?),
        };
        let mut mlp = Mlp::new(&sizes, &activations, crate::Init::Zero, 0).map_err(|e| {
            Error::mismatch(
                format!("network architecture in {}", path.display()),
                "sizes and activations that make a network",
                e,
            )
        })?;
        mlp.load_weights_from(path, bytes)?;
        match features {
            Some(f) => mlp.with_features(&f),
            None => Ok(mlp),
        }
    }

    /// Replaces the weights by those of a file, which must hold exactly this
    /// network's tensors (names, shapes and `E`'s dtype) in either
    /// [`Layout`] (the metadata's `layout`, or else the tensors' names,
    /// say which); the architecture in its metadata is not read, so any
    /// safetensors file of the right tensors will do — such as a state dict
    /// PyTorch wrote for the same `nn.Sequential`.
    ///
    /// ```
    /// use autograd::Tensor;
    /// use nn::prelude::*;
    /// let path = std::env::temp_dir().join(format!("nn-weights-doc-{}.safetensors", std::process::id()));
    /// let trained = Mlp::<f64>::new(&[2, 3, 1], &[Activation::Relu, Activation::Identity], Init::He, 4).unwrap();
    /// // a file of bare tensors, without the architecture
    /// nn::io::save(&path, trained.params().iter().map(|(_, n, t)| (n, t)), &[]).unwrap();
    /// let err = Mlp::<f64>::load(&path).unwrap_err().to_string();
    /// assert!(err.contains("no `sizes` in the metadata"), "{err}");
    /// let mut mlp = Mlp::<f64>::new(&[2, 3, 1], &[Activation::Relu, Activation::Identity], Init::Zero, 0).unwrap();
    /// mlp.load_weights(&path).unwrap();
    /// assert_eq!(mlp.params()[mlp.layers()[0].weight()], trained.params()[trained.layers()[0].weight()]);
    /// let mut other = Mlp::<f64>::new(&[2, 5, 1], &[Activation::Relu, Activation::Identity], Init::Zero, 0).unwrap();
    /// let err = other.load_weights(&path).unwrap_err().to_string();
    /// assert!(err.contains("tensor `layer0.weight` shape: expected [2, 5], found [2, 3]"), "{err}");
    /// // PyTorch's layout: `0.weight` [out, in]
    /// nn::io::save(&path, [("0.weight", &Tensor::zeros(&[3, 2])), ("0.bias", &Tensor::zeros(&[3])),
    ///     ("2.weight", &Tensor::full(&[1, 3], 0.5)), ("2.bias", &Tensor::full(&[1], 0.25))], &[]).unwrap();
    /// mlp.load_weights(&path).unwrap();
    /// assert_eq!(mlp.predict(&Tensor::zeros(&[1, 2])).unwrap().data(), &[0.25]);
    /// let err = other.load_weights(&path).unwrap_err().to_string();
    /// assert!(err.contains("tensor `0.weight` shape: expected [5, 2], found [3, 2]"), "{err}");
    /// std::fs::remove_file(&path).unwrap();
    /// ```
    ///
    /// # Errors
    /// As [`io::load_checked`] (which refuses a NaN or an infinity, naming
    /// the tensor); the network is then unchanged.
    pub fn load_weights(&mut self, path: impl AsRef<Path>) -> Result<()> {
        let path = path.as_ref();
        self.load_weights_from(path, &io::read_file(path)?)
    }

    /// [`Mlp::load_weights`] from the bytes read from `path`: the one
    /// reader, for either [`Layout`].
    fn load_weights_from(&mut self, path: &Path, bytes: &[u8]) -> Result<()> {
        let header = io::header_in(path, bytes)?;
        let layout = Layout::of(path, &header)?;
        let names = layout.names(self.layers().len(), Some(&header));
        let mut expected = Vec::with_capacity(2 * names.len());
        for (layer, (w, b)) in self.layers().iter().zip(&names) {
            let shape = layout.weight_shape(layer.inputs(), layer.outputs());
            expected.push(TensorSpec::new::<E>(w, &shape));
            expected.push(TensorSpec::new::<E>(b, &[layer.outputs()]));
        }
        let mut tensors = io::checked::<E>(path, bytes, &expected)?;
        let mut store = ParamStore::new();
        for (layer, (w, b)) in self.layers().iter().zip(&names) {
            let mut take = |name: &str| {
                tensors
                    .shift_remove(name)
                    .expect("checked against the expected tensors")
            };
            let (weight, bias) = (take(w), take(b));
            store.add(format!("{}.weight", layer.name()), layout.convert(&weight)?)?;
            store.add(format!("{}.bias", layer.name()), bias)?;
        }
        let features = self.features().map(<[Feature]>::to_vec);
        let mut mlp = Mlp::from_params(&self.sizes(), self.activations(), store)?;
        if let Some(f) = features {
            mlp = mlp.with_features(&f)?;
        }
        *self = mlp;
        Ok(())
    }
}

fn join<T: ToString>(items: impl IntoIterator<Item = T>) -> String {
    items
        .into_iter()
        .map(|x| x.to_string())
        .collect::<Vec<_>>()
        .join(",")
}

/// The comma-separated items of metadata `key`, each read by `parse`
/// (which says what it expected).
fn parse_list<T>(
    path: &Path,
    key: &str,
    text: &str,
    parse: impl Fn(&str) -> std::result::Result<T, String>,
) -> Result<Vec<T>> {
    text.split(',')
        .map(|item| {
            parse(item.trim()).map_err(|expected| {
                Error::mismatch(
                    format!("metadata `{key}` in {}", path.display()),
                    expected,
                    format!("`{}` in `{text}`", item.trim()),
                )
            })
        })
        .collect()
}
