//! A network saved with its architecture and loaded from the file alone;
//! files without or with bad architecture metadata are refused by name.

use autograd::Tensor;
use nn::data::Feature;
use nn::layers::Layout;
use nn::prelude::*;
use nn::{io, Error};
use std::path::PathBuf;

fn temp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("nn-model-file-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

/// A file with `mlp`'s tensors and the given metadata.
fn file_with(name: &str, mlp: &Mlp<f64>, meta: &[(&str, &str)]) -> PathBuf {
    let path = temp(name);
    io::save(&path, mlp.params().iter().map(|(_, n, t)| (n, t)), meta).unwrap();
    path
}

/// Metadata of a file.
type Meta<'a> = Vec<(&'a str, &'a str)>;

fn mlp() -> Mlp<f64> {
    use Activation::{LeakyRelu, Tanh};
    Mlp::new(&[3, 5, 2, 1], &[LeakyRelu(0.2), Tanh, Tanh], Init::He, 8).unwrap()
}

#[test]
fn a_network_round_trips_with_its_architecture_and_features() {
    let x = Tensor::from_fn(&[4, 3], |i| (i[0] as f64 - 1.5) * 0.7 + i[1] as f64 * 0.1);
    let features = [Feature::X1, Feature::X2, Feature::SinX1];
    let a = mlp().with_features(&features).unwrap();
    let path = temp("round.safetensors");
    a.save_with(&path, &[("epochs", "30")]).unwrap();
    let b = Mlp::<f64>::load(&path).unwrap();
    assert_eq!(b.sizes(), [3, 5, 2, 1]);
    assert_eq!(b.activations(), a.activations());
    assert_eq!(b.features(), Some(&features[..]));
    assert_eq!(b.to_string(), a.to_string());
    assert_eq!(b.named_params(), a.named_params());
    assert_eq!(b.predict(&x).unwrap(), a.predict(&x).unwrap());
    let meta = io::read_header(&path).unwrap().metadata;
    assert_eq!(meta["sizes"], "3,5,2,1");
    assert_eq!(meta["activations"], "leaky_relu(0.2),tanh,tanh");
    assert_eq!(meta["features"], "x1,x2,sin(x1)");
    assert_eq!(meta["epochs"], "30");

    // f32, without features: the file says nothing about them
    let f: Mlp<f32> = mlp().cast();
    let path = temp("round32.safetensors");
    f.save(&path).unwrap();
    let g = Mlp::<f32>::load(&path).unwrap();
    assert_eq!(g.features(), None);
    assert_eq!(g.named_params(), f.named_params());
    assert!(!io::read_header(&path)
        .unwrap()
        .metadata
        .contains_key("features"));
}

#[test]
fn a_file_without_architecture_is_refused_but_loads_into_a_given_one() {
    let a = mlp();
    let path = file_with("bare.safetensors", &a, &[]);
    let err = Mlp::<f64>::load(&path).unwrap_err();
    assert!(matches!(err, Error::Mismatch { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        format!(
            "network architecture in {}: expected metadata `sizes` and `activations` (a file saved by Mlp::save; \
             a file without them, such as a state dict PyTorch wrote, loads into a given architecture with \
             Mlp::load_weights), found no `sizes` in the metadata",
            path.display()
        )
    );
    let mut b = Mlp::<f64>::new(&a.sizes(), a.activations(), Init::Zero, 0).unwrap();
    b.load_weights(&path).unwrap();
    assert_eq!(b.named_params(), a.named_params());
    // activations alone are missing
    let path = file_with("no-acts.safetensors", &a, &[("sizes", "3,5,2,1")]);
    let err = Mlp::<f64>::load(&path).unwrap_err().to_string();
    assert!(
        err.ends_with("found no `activations` in the metadata"),
        "{err}"
    );
}

#[test]
fn bad_metadata_names_the_key_what_was_expected_and_what_was_found() {
    let a = mlp();
    let acts = "leaky_relu(0.2),tanh,tanh";
    let cases: Vec<(&str, Meta, String)> = vec![
        (
            "sizes.safetensors",
            vec![("sizes", "3,five,2,1"), ("activations", acts)],
            "metadata `sizes` in {}: expected layer widths separated by commas, such as 2,4,1, found `five` in `3,five,2,1`".into(),
        ),
        (
            "acts.safetensors",
            vec![("sizes", "3,5,2,1"), ("activations", "tanh,swoosh,tanh")],
            "metadata `activations` in {}: expected one of identity".into(),
        ),
        (
            "count.safetensors",
            vec![("sizes", "3,5,2,1"), ("activations", "tanh,tanh")],
            "network architecture in {}: expected sizes and activations that make a network, found activations: expected 3 (one per layer for sizes [3, 5, 2, 1]), found 2".into(),
        ),
        (
            "features.safetensors",
            vec![("sizes", "3,5,2,1"), ("activations", acts), ("features", "x1,x3,x2")],
            "metadata `features` in {}: expected ".into(),
        ),
        (
            "nfeatures.safetensors",
            vec![("sizes", "3,5,2,1"), ("activations", acts), ("features", "x1,x2")],
            "input features: expected 3 (one per input), found 2".into(),
        ),
        (
            "shape.safetensors",
            vec![("sizes", "3,4,2,1"), ("activations", acts)],
            "tensor `layer0.weight` shape: expected [3, 4], found [3, 5]".into(),
        ),
    ];
    for (name, meta, want) in cases {
        let path = file_with(name, &a, &meta);
        let err = Mlp::<f64>::load(&path).unwrap_err().to_string();
        let want = want.replace("{}", &path.display().to_string());
        assert!(err.contains(&want), "{name}: {err}\nwanted: {want}");
    }
    // the dtype is checked too: an f64 file is not an f32 network
    let path = temp("dtype.safetensors");
    a.save(&path).unwrap();
    let err = Mlp::<f32>::load(&path).unwrap_err().to_string();
    assert!(err.contains("dtype: expected F32, found F64"), "{err}");
    // saving refuses extra metadata that would contradict the architecture
    let err = a
        .save_with(temp("clash.safetensors"), &[("sizes", "1,1")])
        .unwrap_err()
        .to_string();
    assert_eq!(
        err,
        "extra metadata key: expected a key the architecture does not use, found `sizes`"
    );
}

/// A weights file with a NaN or an infinity in it is refused, naming the
/// tensor and the element, by `Mlp::load` and `Mlp::load_weights`.
#[test]
fn a_non_finite_weight_is_refused_naming_the_tensor() {
    let good = temp("finite.safetensors");
    mlp().save(&good).unwrap();
    let meta = io::read_header(&good).unwrap().metadata;
    let meta: Meta = meta.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let tensors = io::load::<f64>(&good).unwrap();
    let (target, _) = tensors.get_index(1).unwrap();
    for bad in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
        let mut changed = tensors.clone();
        let t = &changed[target];
        let mut data = t.data().to_vec();
        let last = data.len() - 1;
        data[last] = bad;
        changed[target] = Tensor::from_vec(t.shape(), data).unwrap();
        let path = temp("non-finite.safetensors");
        io::save(&path, changed.iter().map(|(n, t)| (n.as_str(), t)), &meta).unwrap();
        let err = Mlp::<f64>::load(&path).unwrap_err();
        assert!(matches!(err, Error::Format { .. }), "{err}");
        let msg = err.to_string();
        assert!(
            msg.contains(&format!("tensor `{target}`: element {last} is {bad}")),
            "{msg}"
        );
        let msg = mlp().load_weights(&path).unwrap_err().to_string();
        assert!(msg.contains(&format!("tensor `{target}`")), "{msg}");
        // the plain reader still reads the file back bit for bit
        let back = io::load::<f64>(&path).unwrap();
        assert_eq!(back[target].data()[last].to_bits(), bad.to_bits());
        std::fs::remove_file(&path).unwrap();
    }
    std::fs::remove_file(&good).unwrap();
}

/// `Mlp::to_bytes` is the file `Mlp::save` writes, byte for byte, and
/// `Mlp::from_bytes` reads it back with `Mlp::load`'s checks: a cut file,
/// a file without architecture, a non-finite weight and the wrong dtype are
/// refused, naming the bytes in memory.
#[test]
fn a_network_round_trips_through_bytes_with_the_same_checks() {
    let net = mlp()
        .with_features(&[Feature::X1, Feature::X2, Feature::SinX1])
        .unwrap();
    let path = temp("bytes.safetensors");
    net.save(&path).unwrap();
    let bytes = net.to_bytes().unwrap();
    // the same header (metadata sorted by key: the writer's order of the
    // metadata map is not fixed) and the same tensor data
    let file = std::fs::read(&path).unwrap();
    let (a, b) = (
        nn::io::read_header(&path).unwrap(),
        nn::io::read_header_bytes(&bytes).unwrap(),
    );
    assert_eq!(a, b);
    assert_eq!(file.len(), bytes.len());
    let data = |f: &[u8]| f[8 + u64::from_le_bytes(f[..8].try_into().unwrap()) as usize..].to_vec();
    assert_eq!(data(&file), data(&bytes));
    let back = Mlp::<f64>::from_bytes(&bytes).unwrap();
    assert_eq!(back.sizes(), net.sizes());
    assert_eq!(back.activations(), net.activations());
    assert_eq!(back.features(), net.features());
    let x = Tensor::full(&[4, 3], 0.3);
    assert_eq!(back.predict(&x).unwrap(), net.predict(&x).unwrap());

    let cut = Mlp::<f64>::from_bytes(&bytes[..bytes.len() - 3]).unwrap_err();
    assert!(matches!(cut, Error::Format { .. }), "{cut}");
    assert!(cut.to_string().contains(io::IN_MEMORY), "{cut}");
    let msg = Mlp::<f32>::from_bytes(&bytes).unwrap_err().to_string();
    assert!(msg.contains("F32") && msg.contains("F64"), "{msg}");
    let bare = io::to_bytes(net.params().iter().map(|(_, n, t)| (n, t)), &[]).unwrap();
    let msg = Mlp::<f64>::from_bytes(&bare).unwrap_err().to_string();
    assert!(msg.contains("no `sizes` in the metadata"), "{msg}");

    let meta = io::read_header_bytes(&bytes).unwrap().metadata;
    let meta: Meta = meta.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let mut tensors = io::load::<f64>(&path).unwrap();
    let (name, t) = tensors.get_index_mut(0).unwrap();
    let name = name.clone();
    let mut data = t.data().to_vec();
    data[0] = f64::NAN;
    *t = Tensor::from_vec(t.shape(), data).unwrap();
    let nan = io::to_bytes(tensors.iter().map(|(n, t)| (n.as_str(), t)), &meta).unwrap();
    let msg = Mlp::<f64>::from_bytes(&nan).unwrap_err().to_string();
    assert!(
        msg.contains(&format!("tensor `{name}`: element 0 is NaN")),
        "{msg}"
    );
    std::fs::remove_file(&path).unwrap();
}

/// `Mlp::save` writes PyTorch's layout (`{2i}.weight` [out, in], the
/// transpose of xiaolan's weight); xiaolan's layout is still written on
/// request and read; both give the same network back.
#[test]
fn the_default_layout_is_pytorchs_and_xiaolans_still_reads() {
    let net = mlp()
        .with_features(&[Feature::X1, Feature::X2, Feature::SinX1])
        .unwrap();
    let x = Tensor::from_fn(&[5, 3], |i| i[0] as f64 * 0.3 - i[1] as f64 * 0.7);
    let torch = temp("torch.safetensors");
    net.save(&torch).unwrap();
    let header = io::read_header(&torch).unwrap();
    let shapes: Vec<(&str, &[usize])> = header
        .tensors
        .iter()
        .map(|t| (t.name.as_str(), &t.shape[..]))
        .collect();
    assert_eq!(
        shapes,
        [
            ("0.bias", &[5][..]),
            ("0.weight", &[5, 3][..]),
            ("2.bias", &[2][..]),
            ("2.weight", &[2, 5][..]),
            ("4.bias", &[1][..]),
            ("4.weight", &[1, 2][..]),
        ]
    );
    assert_eq!(header.metadata["layout"], "torch");
    let tensors = io::load::<f64>(&torch).unwrap();
    let w = &net.params()[net.layers()[1].weight()];
    assert_eq!(tensors["2.weight"], w.transpose().unwrap());
    assert_eq!(
        tensors["2.bias"],
        net.params()[net.layers()[1].bias()].clone()
    );

    let ours = temp("ours.safetensors");
    net.save_in(&ours, Layout::Xiaolan, &[("epochs", "3")])
        .unwrap();
    let header = io::read_header(&ours).unwrap();
    assert_eq!(header.metadata["layout"], "xiaolan");
    assert_eq!(header.metadata["epochs"], "3");
    assert!(header
        .tensors
        .iter()
        .any(|t| t.name == "layer0.weight" && t.shape == [3, 5]));
    for path in [&torch, &ours] {
        let back = Mlp::<f64>::load(path).unwrap();
        assert_eq!(
            back.named_params(),
            net.named_params(),
            "{}",
            path.display()
        );
        assert_eq!(back.features(), net.features());
        assert_eq!(back.predict(&x).unwrap(), net.predict(&x).unwrap());
        let mut into = mlp();
        into.load_weights(path).unwrap();
        assert_eq!(into.predict(&x).unwrap(), net.predict(&x).unwrap());
    }

    // an unknown layout, and a state dict of other module names
    let meta = io::read_header(&torch).unwrap().metadata;
    let mut meta: Meta = meta.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    meta.retain(|(k, _)| *k != "layout");
    meta.push(("layout", "keras"));
    let tensors = io::load::<f64>(&torch).unwrap();
    let odd = temp("odd.safetensors");
    io::save(&odd, tensors.iter().map(|(n, t)| (n.as_str(), t)), &meta).unwrap();
    let err = Mlp::<f64>::load(&odd).unwrap_err().to_string();
    assert_eq!(
        err,
        format!(
            "metadata `layout` in {}: expected torch or xiaolan, found `keras`",
            odd.display()
        )
    );
    let prefixed: Vec<(String, &Tensor<f64>)> = tensors
        .iter()
        .map(|(n, t)| (format!("net.{n}"), t))
        .collect();
    io::save(&odd, prefixed.iter().map(|(n, t)| (n.as_str(), *t)), &[]).unwrap();
    let err = mlp().load_weights(&odd).unwrap_err().to_string();
    assert!(
        err.contains(
            "tensor `0.weight`: expected F64 [5, 3], found no tensor of that name in the file"
        ),
        "{err}"
    );
    assert!(err.contains("net.0.weight"), "{err}");
}

/// A state dict that PyTorch wrote (`safetensors.torch.save_file(
/// model.state_dict())`, no xiaolan metadata) for `Sequential(Linear(2, 6),
/// ReLU(), Linear(6, 3), Tanh(), Linear(3, 1))`, made by
/// `tests/python/torch_check.py --write-fixture`: `Mlp::load` says it needs
/// the architecture; loaded into the same architecture, xiaolan gives
/// PyTorch's predictions.
#[test]
fn a_state_dict_pytorch_wrote_loads_into_the_same_architecture() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let state = dir.join("torch_state_dict.safetensors");
    let err = Mlp::<f32>::load(&state).unwrap_err().to_string();
    assert!(err.contains("found no `sizes` in the metadata"), "{err}");
    assert!(err.contains("Mlp::load_weights"), "{err}");
    let cases = io::load::<f32>(dir.join("torch_predictions.safetensors")).unwrap();
    use Activation::{Identity, Relu, Tanh};
    let mut net = Mlp::<f32>::new(&[2, 6, 3, 1], &[Relu, Tanh, Identity], Init::Zero, 0).unwrap();
    net.load_weights(&state).unwrap();
    let y = net.predict(&cases["x"]).unwrap();
    assert_eq!(y.shape(), &[16, 1]);
    let diff = y.max_abs_diff(&cases["y"]);
    assert!(diff < 1e-6, "{diff}");
    // the wrong architecture is refused, naming the tensor
    let mut other = Mlp::<f32>::new(&[2, 5, 3, 1], &[Relu, Tanh, Identity], Init::Zero, 0).unwrap();
    let err = other.load_weights(&state).unwrap_err().to_string();
    assert!(
        err.contains("tensor `0.weight` shape: expected [5, 2], found [6, 2]"),
        "{err}"
    );
}
