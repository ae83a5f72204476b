//! Saving and loading named tensors in the safetensors format.

use autograd::Tensor;
use nn::io::{self, Difference, Dtype, TensorSpec};
use nn::Error;
use std::path::{Path, PathBuf};

/// A fresh directory under the system temp dir, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> Self {
        let p = std::env::temp_dir().join(format!("nn-io-test-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).unwrap();
        TempDir(p)
    }
    fn join(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
    /// The names of the files in the directory, sorted.
    fn entries(&self) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(&self.0)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn awkward_f64() -> Vec<f64> {
    vec![
        0.0,
        -0.0,
        1.0 / 3.0,
        -2.5e-300,
        f64::MIN_POSITIVE / 8.0, // subnormal
        f64::MAX,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::from_bits(0x7ff8_0000_dead_beef), // a NaN with a payload
        std::f64::consts::PI,
        -1e-9,
        12345.678,
    ]
}

fn bits<T: Copy>(data: &[T], f: impl Fn(T) -> u64) -> Vec<u64> {
    data.iter().map(|&x| f(x)).collect()
}

#[test]
fn round_trip_is_bit_identical_in_f64() {
    let dir = TempDir::new("f64");
    let path = dir.join("model.safetensors");
    let w = Tensor::from_vec(&[3, 4], awkward_f64()).unwrap();
    let b = Tensor::from_vec(&[4], vec![0.1, -0.2, 0.3, -0.4]).unwrap();
    let s = Tensor::scalar(7.25);
    let empty = Tensor::<f64>::zeros(&[0, 3]);
    io::save(
        &path,
        [
            ("l1.weight", &w),
            ("l1.bias", &b),
            ("step", &s),
            ("none", &empty),
        ],
        &[("epoch", "3"), ("note", "ü ✓")],
    )
    .unwrap();
    let loaded = io::load::<f64>(&path).unwrap();
    assert_eq!(loaded.len(), 4);
    for (name, t) in [
        ("l1.weight", &w),
        ("l1.bias", &b),
        ("step", &s),
        ("none", &empty),
    ] {
        let l = &loaded[name];
        assert_eq!(l.shape(), t.shape(), "{name}");
        assert_eq!(
            bits(l.data(), f64::to_bits),
            bits(t.data(), f64::to_bits),
            "{name}"
        );
    }
    let header = io::read_header(&path).unwrap();
    assert_eq!(header.metadata["epoch"], "3");
    assert_eq!(header.metadata["note"], "ü ✓");
    assert!(header
        .tensors
        .contains(&TensorSpec::new::<f64>("l1.weight", &[3, 4])));
    assert!(header
        .tensors
        .contains(&TensorSpec::new::<f64>("step", &[])));
    assert_eq!(
        dir.entries(),
        ["model.safetensors"],
        "no temporary file left"
    );
}

#[test]
fn round_trip_is_bit_identical_in_f32() {
    let dir = TempDir::new("f32");
    let path = dir.join("model.safetensors");
    let data: Vec<f32> = awkward_f64().into_iter().map(|x| x as f32).collect();
    let mut data = data;
    data.push(f32::from_bits(0x7fc0_1234)); // NaN with a payload
    data.push(f32::MIN_POSITIVE / 4.0);
    let w = Tensor::from_vec(&[2, 7], data).unwrap();
    io::save(&path, [("w", &w)], &[]).unwrap();
    let loaded = io::load::<f32>(&path).unwrap();
    let f = |x: f32| x.to_bits() as u64;
    assert_eq!(bits(loaded["w"].data(), f), bits(w.data(), f));
    assert_eq!(loaded["w"].shape(), &[2, 7]);
    assert!(io::read_header(&path).unwrap().metadata.is_empty());
}

#[test]
fn the_file_layout_is_standard_safetensors() {
    let dir = TempDir::new("layout");
    let path = dir.join("m.safetensors");
    let w = Tensor::from_vec(&[1, 2], vec![1.5f32, -2.0]).unwrap();
    io::save(&path, [("w", &w)], &[("format", "pt")]).unwrap();
    let bytes = std::fs::read(&path).unwrap();
    let n = u64::from_le_bytes(bytes[..8].try_into().unwrap()) as usize;
    let header = std::str::from_utf8(&bytes[8..8 + n]).unwrap();
    assert!(
        header.contains(r#""w":{"dtype":"F32","shape":[1,2],"data_offsets":[0,8]}"#),
        "{header}"
    );
    assert!(
        header.contains(r#""__metadata__":{"format":"pt"}"#),
        "{header}"
    );
    let data = &bytes[8 + n..];
    assert_eq!(
        data,
        [1.5f32.to_le_bytes(), (-2.0f32).to_le_bytes()].concat()
    );
}

#[test]
fn reads_a_file_written_by_hand_from_the_specification() {
    // Two tensors in the order b (F64 [2]) then a (F32 [2, 1]), as another
    // tool might write them, with spaces in the JSON.
    let header = r#"{"b": {"dtype": "F64", "shape": [2], "data_offsets": [0, 16]}, "a": {"dtype": "F32", "shape": [2, 1], "data_offsets": [16, 24]}, "__metadata__": {"who": "hand"}}"#;
    let mut bytes = (header.len() as u64).to_le_bytes().to_vec();
    bytes.extend(header.as_bytes());
    bytes.extend(0.25f64.to_le_bytes());
    bytes.extend((-8.0f64).to_le_bytes());
    bytes.extend(3.0f32.to_le_bytes());
    bytes.extend(0.5f32.to_le_bytes());
    let dir = TempDir::new("hand");
    let path = dir.join("hand.safetensors");
    std::fs::write(&path, bytes).unwrap();
    let h = io::read_header(&path).unwrap();
    let names: Vec<&str> = h.tensors.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["b", "a"], "file order");
    assert_eq!(h.tensors[1].dtype, Dtype::F32);
    let t = io::load_as::<f64>(&path).unwrap();
    assert_eq!(t["b"].data(), &[0.25, -8.0]);
    assert_eq!(t["a"].data(), &[3.0, 0.5]);
    assert_eq!(t["a"].shape(), &[2, 1]);
    let err = io::load::<f64>(&path).unwrap_err();
    assert!(matches!(err, Error::Mismatch { .. }), "{err}");
    let msg = err.to_string();
    assert!(
        msg.contains("dtype of tensor `a`") && msg.contains("expected F64, found F32"),
        "{msg}"
    );
}

#[test]
fn dtype_is_checked_or_converted() {
    let dir = TempDir::new("dtype");
    let path = dir.join("m.safetensors");
    let w = Tensor::from_vec(&[2], vec![0.1f64, 1e300]).unwrap();
    io::save(&path, [("w", &w)], &[]).unwrap();
    let msg = io::load::<f32>(&path).unwrap_err().to_string();
    assert!(msg.contains("expected F32, found F64"), "{msg}");
    let c = io::load_as::<f32>(&path).unwrap();
    assert_eq!(c["w"].data(), &[0.1f32, f32::INFINITY]);
}

#[test]
fn corrupt_files_give_clear_errors() {
    let dir = TempDir::new("corrupt");
    let good = dir.join("good.safetensors");
    let w = Tensor::from_vec(&[2, 2], vec![1.0f32, 2.0, 3.0, 4.0]).unwrap();
    io::save(&good, [("w", &w)], &[]).unwrap();
    let bytes = std::fs::read(&good).unwrap();
    let n = u64::from_le_bytes(bytes[..8].try_into().unwrap()) as usize;
    let write = |name: &str, b: &[u8]| {
        let p = dir.join(name);
        std::fs::write(&p, b).unwrap();
        p
    };
    let expect = |p: &Path, needles: &[&str]| {
        let err = io::load::<f32>(p).unwrap_err();
        assert!(matches!(err, Error::Format { .. }), "{err:?}");
        let msg = err.to_string();
        assert!(msg.contains(&p.display().to_string()), "{msg}");
        for n in needles {
            assert!(msg.contains(n), "{n:?} not in: {msg}");
        }
        assert!(io::read_header(p).is_err());
    };
    expect(
        &write("short", &bytes[..5]),
        &["8-byte header length, found 5 bytes"],
    );
    expect(
        &write("cut-header", &bytes[..8 + n / 2]),
        &[&format!(
            "announce a {n}-byte JSON header, but only {} bytes follow",
            n / 2
        )],
    );
    let mut garbage = bytes.clone();
    garbage[8..8 + 6].copy_from_slice(b"{nope!");
    expect(
        &write("garbage", &garbage),
        &["header is not valid safetensors JSON"],
    );
    expect(
        &write("cut-data", &bytes[..bytes.len() - 3]),
        &["data length mismatch: the header describes 16 bytes of tensor data, found 13"],
    );
    let mut long = bytes.clone();
    long.extend([0u8; 4]);
    expect(
        &write("long-data", &long),
        &["describes 16 bytes", "found 20"],
    );
    let msg = io::load::<f32>(dir.join("absent")).unwrap_err().to_string();
    assert!(msg.contains("absent"), "{msg}");
}

#[test]
fn a_file_from_another_architecture_is_rejected_naming_the_first_mismatch() {
    let dir = TempDir::new("arch");
    let path = dir.join("m.safetensors");
    let w1 = Tensor::<f32>::zeros(&[2, 3]);
    let b1 = Tensor::<f32>::zeros(&[3]);
    let w2 = Tensor::<f32>::zeros(&[3, 1]);
    io::save(&path, [("l1.w", &w1), ("l1.b", &b1), ("l2.w", &w2)], &[]).unwrap();
    let ours = vec![
        TensorSpec::of("l1.w", &w1),
        TensorSpec::of("l1.b", &b1),
        TensorSpec::of("l2.w", &w2),
    ];
    assert_eq!(io::load_checked::<f32>(&path, &ours).unwrap().len(), 3);

    // A wider hidden layer, a missing output bias, an f64 model.
    let other = vec![
        TensorSpec::new::<f32>("l1.w", &[2, 4]),
        TensorSpec::new::<f32>("l1.b", &[4]),
        TensorSpec::new::<f32>("l2.w", &[4, 1]),
        TensorSpec::new::<f32>("l2.b", &[1]),
    ];
    let err = io::load_checked::<f32>(&path, &other).unwrap_err();
    assert!(matches!(err, Error::Mismatch { .. }), "{err}");
    let msg = err.to_string();
    assert!(
        msg.starts_with("tensor `l1.w` shape: expected [2, 4], found [2, 3]"),
        "{msg}"
    );
    assert!(msg.contains("first of 4 differences"), "{msg}");
    assert!(
        msg.contains("tensor `l2.b`: expected F32 [1], found no tensor of that name"),
        "{msg}"
    );

    let header = io::read_header(&path).unwrap();
    let diffs = io::differences(&other, &header.tensors);
    assert_eq!(diffs.len(), 4);
    assert_eq!(
        diffs[3],
        Difference::Missing(TensorSpec::new::<f32>("l2.b", &[1]))
    );

    let extra = vec![TensorSpec::of("l1.w", &w1), TensorSpec::of("l1.b", &b1)];
    let msg = io::load_checked::<f32>(&path, &extra)
        .unwrap_err()
        .to_string();
    assert!(
        msg.starts_with("tensor `l2.w`: expected no tensor of that name"),
        "{msg}"
    );
    assert!(msg.contains("F32 [3, 1] in the file"), "{msg}");

    let f64_model: Vec<TensorSpec> = ours
        .iter()
        .map(|s| TensorSpec::new::<f64>(s.name.clone(), &s.shape))
        .collect();
    let msg = io::load_checked::<f64>(&path, &f64_model)
        .unwrap_err()
        .to_string();
    assert!(
        msg.starts_with("tensor `l1.w` dtype: expected F64, found F32"),
        "{msg}"
    );
}

#[test]
fn a_failed_write_keeps_the_good_file_and_leaves_no_temporary_file() {
    let dir = TempDir::new("atomic");
    let path = dir.join("model.safetensors");
    let good = Tensor::from_vec(&[2], vec![1.0f64, 2.0]).unwrap();
    io::save(&path, [("w", &good)], &[]).unwrap();
    let before = std::fs::read(&path).unwrap();

    // The writer fails half-way.
    let err = io::write_atomic(&path, |w| {
        w.write_all(b"partial data")?;
        Err(std::io::Error::other("simulated disk failure"))
    })
    .unwrap_err();
    assert!(matches!(err, Error::Io { .. }), "{err}");
    assert!(err.to_string().contains("simulated disk failure"), "{err}");
    assert_eq!(std::fs::read(&path).unwrap(), before);
    assert_eq!(dir.entries(), ["model.safetensors"]);

    // The rename fails: the target is a directory.
    let blocker = dir.join("blocked.safetensors");
    std::fs::create_dir(&blocker).unwrap();
    std::fs::write(blocker.join("inside"), b"x").unwrap();
    let err = io::save(&blocker, [("w", &good)], &[]).unwrap_err();
    assert!(err.to_string().contains("renaming"), "{err}");
    assert_eq!(dir.entries(), ["blocked.safetensors", "model.safetensors"]);

    // Invalid tensors are refused before anything is written.
    let err = io::save(&path, [("w", &good), ("w", &good)], &[]).unwrap_err();
    assert!(matches!(err, Error::Invalid { .. }), "{err}");
    assert!(io::save(&path, [("", &good)], &[]).is_err());
    assert_eq!(std::fs::read(&path).unwrap(), before);

    // A successful save replaces the file.
    let new = Tensor::from_vec(&[3], vec![5.0f64, 6.0, 7.0]).unwrap();
    io::save(&path, [("w", &new)], &[]).unwrap();
    assert_eq!(io::load::<f64>(&path).unwrap()["w"], new);
    assert_eq!(dir.entries(), ["blocked.safetensors", "model.safetensors"]);
}

#[test]
fn a_save_into_a_missing_directory_fails_cleanly() {
    let dir = TempDir::new("missing");
    let path = dir.join("no/such/dir/model.safetensors");
    let t = Tensor::<f32>::ones(&[2]);
    let err = io::save(&path, [("w", &t)], &[]).unwrap_err();
    let Error::Io { path: p, source } = &err else {
        panic!("expected an Io error, found {err:?}")
    };
    assert_eq!(p, &path);
    assert_eq!(source.kind(), std::io::ErrorKind::NotFound);
    assert!(
        err.to_string()
            .contains("cannot create a temporary file in"),
        "{err}"
    );
    assert!(dir.entries().is_empty());
}

#[test]
fn the_atomic_writer_keeps_the_extension_and_leaves_no_temporary_file() {
    let dir = std::env::temp_dir().join(format!("nn-io-atomic-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let target = dir.join("picture.png");
    let file = io::AtomicFile::create(&target).unwrap();
    let temp = file.temp_path().to_path_buf();
    assert_eq!(temp.parent(), Some(dir.as_path()));
    assert_eq!(temp.extension().unwrap(), "png");
    assert!(temp.exists());
    drop(file); // not committed: removed, and no target
    assert!(!temp.exists() && !target.exists());
    let mut file = io::AtomicFile::create(&target).unwrap();
    file.write(|w| w.write_all(b"pixels")).unwrap();
    file.commit().unwrap();
    assert_eq!(std::fs::read(&target).unwrap(), b"pixels");
    let left: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(left, ["picture.png"]);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A file larger than the limit is refused before it is read (a sparse
/// file: no disk is used).
#[test]
fn a_file_over_the_size_limit_is_refused_before_reading() {
    let dir = TempDir::new("huge");
    let path = dir.join("huge.safetensors");
    let f = std::fs::File::create(&path).unwrap();
    f.set_len(io::MAX_FILE_BYTES + 1).unwrap();
    drop(f);
    for msg in [
        io::load::<f32>(&path).unwrap_err().to_string(),
        io::read_header(&path).unwrap_err().to_string(),
    ] {
        assert!(
            msg.contains(&format!(
                "holds {} bytes, more than the limit of {}",
                io::MAX_FILE_BYTES + 1,
                io::MAX_FILE_BYTES
            )),
            "{msg}"
        );
    }
}

/// load_checked, the reader of a model's weights, refuses a non-finite
/// value naming the tensor; load reads it back as it is.
#[test]
fn load_checked_refuses_a_non_finite_value_naming_the_tensor() {
    let dir = TempDir::new("nan");
    let path = dir.join("nan.safetensors");
    let w = Tensor::from_vec(&[3], vec![1.0f32, f32::NAN, 2.0]).unwrap();
    let b = Tensor::from_vec(&[1], vec![0.5f32]).unwrap();
    io::save(&path, [("w", &w), ("b", &b)], &[]).unwrap();
    let expected = [
        TensorSpec::new::<f32>("b", &[1]),
        TensorSpec::new::<f32>("w", &[3]),
    ];
    let err = io::load_checked::<f32>(&path, &expected).unwrap_err();
    assert!(matches!(err, Error::Format { .. }), "{err}");
    let msg = err.to_string();
    assert!(
        msg.contains("tensor `w`: element 1 is NaN, expected a finite number"),
        "{msg}"
    );
    assert!(io::load::<f32>(&path).unwrap()["w"].data()[1].is_nan());
}

#[test]
fn random_bytes_are_not_a_safetensors_file() {
    // bytes whose first 8 would announce a header of quintillions of bytes
    let random: Vec<u8> = (0..64u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    assert_ne!(random[8], b'{');
    let msg = io::read_header_bytes(&random).unwrap_err().to_string();
    assert!(
        msg.contains("not a safetensors file: expected an 8-byte header length and a JSON header starting with `{`"),
        "{msg}"
    );
    assert!(
        msg.contains(&format!("found the byte 0x{:02x}", random[8])),
        "{msg}"
    );
    assert!(!msg.contains("-byte JSON header"), "{msg}");
    // the path is named once
    let dir = TempDir::new("random");
    let path = dir.join("random.safetensors");
    std::fs::write(&path, &random).unwrap();
    let msg = nn::Mlp::<f64>::load(&path).unwrap_err().to_string();
    assert_eq!(msg.matches("random.safetensors").count(), 1, "{msg}");
    assert!(msg.contains("not a safetensors file"), "{msg}");
    // 8 bytes and nothing after them
    let msg = io::read_header_bytes(&random[..8]).unwrap_err().to_string();
    assert!(msg.contains("found nothing after them"), "{msg}");
}

/// A safetensors file of `header` followed by `data` zero bytes.
fn with_header(header: &str, data: usize) -> Vec<u8> {
    let mut bytes = (header.len() as u64).to_le_bytes().to_vec();
    bytes.extend(header.as_bytes());
    bytes.extend(vec![0u8; data]);
    bytes
}

#[test]
fn names_and_paths_from_outside_are_shown_escaped_on_one_line() {
    // found by the weights fuzz target: a tensor whose data_offsets do not
    // start at 0 had its name, with the file's line break, quoted as is
    let name = r"a\nb\r\u001b[2J";
    let bytes = with_header(
        &format!(r#"{{"{name}":{{"dtype":"F64","shape":[1],"data_offsets":[8,16]}}}}"#),
        16,
    );
    for err in [
        io::read_header_bytes(&bytes).unwrap_err(),
        nn::Mlp::<f64>::from_bytes(&bytes).unwrap_err(),
    ] {
        let msg = err.to_string();
        assert!(!msg.contains(char::is_control), "{msg:?}");
        assert!(
            msg.ends_with(r"tensor `a\nb\r\u{1b}[2J`: its data_offsets do not start where the previous tensor's end"),
            "{msg:?}"
        );
    }
    // the architecture check names the file's tensors the same way
    let bytes = with_header(
        &format!(r#"{{"{name}":{{"dtype":"F64","shape":[1],"data_offsets":[0,8]}}}}"#),
        8,
    );
    let header = io::read_header_bytes(&bytes).unwrap();
    let msg = io::check_against(&[TensorSpec::new::<f64>("w", &[1])], &header.tensors)
        .unwrap_err()
        .to_string();
    assert!(!msg.contains(char::is_control), "{msg:?}");
    assert!(msg.contains(r"tensor `a\nb\r\u{1b}[2J`"), "{msg:?}");
    // and a path with control characters in an error of the file system
    let msg = io::load::<f64>(Path::new("no\nsuch\t.safetensors"))
        .unwrap_err()
        .to_string();
    assert!(msg.starts_with(r"no\nsuch\t.safetensors: "), "{msg:?}");
}
