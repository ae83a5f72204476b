//! MNIST and IDX files: always on small files written here, and on the real
//! MNIST files when `MNIST_DIR` is set (CI points it at the shared data).

use flate2::write::GzEncoder;
use flate2::Compression;
use nn::data::{idx, mnist, Mnist};
use nn::Error;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// A fresh directory under the system temp dir, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> Self {
        let p = std::env::temp_dir().join(format!("nn-mnist-test-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).unwrap();
        TempDir(p)
    }
    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn idx_bytes(magic: u32, dims: &[u32], data: &[u8]) -> Vec<u8> {
    let mut out = magic.to_be_bytes().to_vec();
    for d in dims {
        out.extend(d.to_be_bytes());
    }
    out.extend(data);
    out
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut e = GzEncoder::new(Vec::new(), Compression::fast());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

const ROWS: u32 = 3;
const COLS: u32 = 2;

/// The pixel bytes of image `i` of a set (`salt` tells the sets apart).
fn pixel(salt: usize, i: usize, k: usize) -> u8 {
    ((salt * 101 + i * 37 + k * 11) % 256) as u8
}

fn images(salt: usize, n: usize) -> Vec<u8> {
    let p = (ROWS * COLS) as usize;
    (0..n)
        .flat_map(|i| (0..p).map(move |k| pixel(salt, i, k)))
        .collect()
}

fn labels(salt: usize, n: usize) -> Vec<u8> {
    (0..n).map(|i| ((i * 3 + salt) % 10) as u8).collect()
}

/// Writes a small MNIST: 12 training and 5 test images of 3 × 2 pixels.
/// `gz` picks, per file, whether it is gzipped.
fn write_small_mnist(dir: &Path, gz: [bool; 4]) {
    let files = [
        (
            mnist::TRAIN_IMAGES,
            idx_bytes(2051, &[12, ROWS, COLS], &images(0, 12)),
        ),
        (mnist::TRAIN_LABELS, idx_bytes(2049, &[12], &labels(0, 12))),
        (
            mnist::TEST_IMAGES,
            idx_bytes(2051, &[5, ROWS, COLS], &images(1, 5)),
        ),
        (mnist::TEST_LABELS, idx_bytes(2049, &[5], &labels(1, 5))),
    ];
    for ((name, bytes), gz) in files.into_iter().zip(gz) {
        if gz {
            std::fs::write(dir.join(format!("{name}.gz")), gzip(&bytes)).unwrap();
        } else {
            std::fs::write(dir.join(name), bytes).unwrap();
        }
    }
}

/// Finds the file of `name` in `dir` (gzipped or not) and replaces it.
fn overwrite(dir: &Path, name: &str, bytes: Vec<u8>) {
    for f in [dir.join(name), dir.join(format!("{name}.gz"))] {
        let _ = std::fs::remove_file(f);
    }
    std::fs::write(dir.join(name), bytes).unwrap();
}

fn check_small(m: &Mnist<f32>) {
    assert_eq!(
        (m.train.len(), m.validation.len(), m.test.len()),
        (10, 2, 5)
    );
    assert_eq!(m.train.input_dim(), 6);
    assert_eq!(m.train.target_dim(), 10);
    // Pixels scaled to [0, 1], images in file order: validation = the last two.
    for (set, salt, offset) in [(&m.train, 0, 0), (&m.validation, 0, 10), (&m.test, 1, 0)] {
        let want_labels = labels(salt, offset + set.len());
        for i in 0..set.len() {
            for k in 0..6 {
                assert_eq!(set.x_row(i)[k], pixel(salt, offset + i, k) as f32 / 255.0);
            }
            let c = set.classes().unwrap()[i];
            assert_eq!(c, want_labels[offset + i] as usize);
            let hot: Vec<f32> = (0..10).map(|j| if j == c { 1.0 } else { 0.0 }).collect();
            assert_eq!(set.y_row(i), hot.as_slice());
        }
    }
}

#[test]
fn loads_small_files_raw_gzipped_and_mixed() {
    for (k, gz) in [[false; 4], [true; 4], [true, false, false, true]]
        .into_iter()
        .enumerate()
    {
        let dir = TempDir::new(&format!("small-{k}"));
        write_small_mnist(dir.path(), gz);
        let m: Mnist = Mnist::load_with_validation(dir.path(), 2).unwrap();
        check_small(&m);
        let (train, test) = Mnist::<f64>::load_official(dir.path()).unwrap();
        assert_eq!((train.len(), test.len()), (12, 5));
        assert_eq!(train.x_row(11)[5], pixel(0, 11, 5) as f64 / 255.0);
    }
}

#[test]
fn finds_dotted_file_names() {
    let dir = TempDir::new("dotted");
    write_small_mnist(dir.path(), [false, true, false, true]);
    for name in [
        mnist::TRAIN_IMAGES,
        mnist::TRAIN_LABELS,
        mnist::TEST_IMAGES,
        mnist::TEST_LABELS,
    ] {
        let found = mnist::find_file(dir.path(), name).unwrap();
        let dotted = found
            .file_name()
            .unwrap()
            .to_str()
            .unwrap()
            .replacen("-idx", ".idx", 1);
        std::fs::rename(&found, dir.path().join(dotted)).unwrap();
    }
    check_small(&Mnist::load_with_validation(dir.path(), 2).unwrap());
}

#[test]
fn validation_size_must_leave_training_images() {
    let dir = TempDir::new("validation");
    write_small_mnist(dir.path(), [false; 4]);
    let err = Mnist::<f32>::load(dir.path()).unwrap_err();
    assert!(matches!(err, Error::Invalid { .. }), "{err}");
    assert!(err.to_string().contains("found 10000"), "{err}");
    assert!(err.to_string().contains("12 training images"), "{err}");
    assert!(Mnist::<f32>::load_with_validation(dir.path(), 0).is_err());
    assert!(Mnist::<f32>::load_with_validation(dir.path(), 12).is_err());
}

#[test]
fn missing_files_say_what_was_looked_for_and_how_to_get_it() {
    let dir = TempDir::new("missing");
    let err = Mnist::<f32>::load(dir.path()).unwrap_err();
    let Error::Io { source, .. } = &err else {
        panic!("expected an Io error, found {err:?}")
    };
    assert_eq!(source.kind(), std::io::ErrorKind::NotFound);
    let msg = err.to_string();
    for needle in [
        "train-images-idx3-ubyte not found in the directory",
        &dir.path().display().to_string(),
        "train-images-idx3-ubyte.gz",
        "train-labels-idx1-ubyte",
        "t10k-images-idx3-ubyte",
        "t10k-labels-idx1-ubyte",
        "IDX format",
        "MNIST_DIR",
    ] {
        assert!(msg.contains(needle), "{needle:?} not in: {msg}");
    }
    // With only the training files present, the test images are named.
    write_small_mnist(dir.path(), [false; 4]);
    std::fs::remove_file(dir.path().join(mnist::TEST_IMAGES)).unwrap();
    let msg = Mnist::<f32>::load_with_validation(dir.path(), 2)
        .unwrap_err()
        .to_string();
    assert!(msg.contains("t10k-images-idx3-ubyte not found"), "{msg}");
    // A directory that does not exist is called that.
    let msg = Mnist::<f32>::load(dir.path().join("nope"))
        .unwrap_err()
        .to_string();
    assert!(msg.contains("does not exist"), "{msg}");
}

#[test]
fn truncated_files_are_format_errors() {
    let dir = TempDir::new("truncated");
    write_small_mnist(dir.path(), [false; 4]);
    let mut bytes = idx_bytes(2051, &[12, ROWS, COLS], &images(0, 12));
    bytes.truncate(16 + 60);
    overwrite(dir.path(), mnist::TRAIN_IMAGES, bytes);
    let err = Mnist::<f32>::load_with_validation(dir.path(), 2).unwrap_err();
    assert!(matches!(err, Error::Format { .. }), "{err}");
    let msg = err.to_string();
    assert!(
        msg.contains("truncated") && msg.contains("72 data bytes, found 60"),
        "{msg}"
    );
    assert!(msg.contains(mnist::TRAIN_IMAGES), "{msg}");

    // A gzip stream cut short.
    let gz = gzip(&idx_bytes(2051, &[12, ROWS, COLS], &images(0, 12)));
    let cut = gz[..gz.len() - 12].to_vec();
    overwrite(dir.path(), mnist::TRAIN_IMAGES, cut);
    let err = Mnist::<f32>::load_with_validation(dir.path(), 2).unwrap_err();
    assert!(matches!(err, Error::Format { .. }), "{err}");
    assert!(err.to_string().contains("gzip"), "{err}");

    // A header cut short.
    overwrite(dir.path(), mnist::TRAIN_IMAGES, vec![0, 0, 8, 3, 0, 0]);
    let msg = Mnist::<f32>::load_with_validation(dir.path(), 2)
        .unwrap_err()
        .to_string();
    assert!(
        msg.contains("truncated header") && msg.contains("3 dimensions"),
        "{msg}"
    );
    overwrite(dir.path(), mnist::TRAIN_IMAGES, vec![0, 0]);
    let msg = Mnist::<f32>::load_with_validation(dir.path(), 2)
        .unwrap_err()
        .to_string();
    assert!(msg.contains("4-byte magic number, found 2 bytes"), "{msg}");
}

#[test]
fn wrong_magic_numbers_name_expected_and_found() {
    let dir = TempDir::new("magic");
    write_small_mnist(dir.path(), [false; 4]);
    // Labels where images belong.
    overwrite(
        dir.path(),
        mnist::TRAIN_IMAGES,
        idx_bytes(2049, &[12], &labels(0, 12)),
    );
    let msg = Mnist::<f32>::load_with_validation(dir.path(), 2)
        .unwrap_err()
        .to_string();
    assert!(
        msg.contains("expected magic number 2051 (IDX images), found 2049"),
        "{msg}"
    );
    // Images where labels belong.
    write_small_mnist(dir.path(), [false; 4]);
    overwrite(
        dir.path(),
        mnist::TEST_LABELS,
        idx_bytes(2051, &[5, ROWS, COLS], &images(1, 5)),
    );
    let msg = Mnist::<f32>::load_with_validation(dir.path(), 2)
        .unwrap_err()
        .to_string();
    assert!(
        msg.contains("expected magic number 2049 (IDX labels), found 2051"),
        "{msg}"
    );
    // Not an IDX file at all.
    overwrite(dir.path(), mnist::TEST_LABELS, b"hello, world".to_vec());
    let msg = Mnist::<f32>::load_with_validation(dir.path(), 2)
        .unwrap_err()
        .to_string();
    assert!(msg.contains("not an IDX file"), "{msg}");
}

#[test]
fn image_and_label_counts_must_agree() {
    let dir = TempDir::new("counts");
    write_small_mnist(dir.path(), [true; 4]);
    overwrite(
        dir.path(),
        mnist::TRAIN_LABELS,
        idx_bytes(2049, &[11], &labels(0, 11)),
    );
    let err = Mnist::<f32>::load_with_validation(dir.path(), 2).unwrap_err();
    assert!(matches!(err, Error::Mismatch { .. }), "{err}");
    let msg = err.to_string();
    assert!(
        msg.contains("expected 12 (one per image), found 11"),
        "{msg}"
    );
}

#[test]
fn header_dimensions_must_match_the_data_length() {
    let dir = TempDir::new("dims");
    write_small_mnist(dir.path(), [false; 4]);
    // The header says 12 images; the data holds 13.
    overwrite(
        dir.path(),
        mnist::TRAIN_IMAGES,
        idx_bytes(2051, &[12, ROWS, COLS], &images(0, 13)),
    );
    let err = Mnist::<f32>::load_with_validation(dir.path(), 2).unwrap_err();
    assert!(matches!(err, Error::Format { .. }), "{err}");
    let msg = err.to_string();
    assert!(
        msg.contains("[12, 3, 2] say 72 data bytes, but the file has 6 more"),
        "{msg}"
    );
    // The header says 3 × 3 pixels; the data is 3 × 2 per image.
    let p = dir.path().join(mnist::TRAIN_IMAGES);
    std::fs::write(&p, idx_bytes(2051, &[12, 3, 3], &images(0, 12))).unwrap();
    let msg = idx::read_images::<f32>(&p, 1.0).unwrap_err().to_string();
    assert!(msg.contains("say 108 data bytes, found 72"), "{msg}");
    // Test images of another size than the training images.
    write_small_mnist(dir.path(), [false; 4]);
    overwrite(
        dir.path(),
        mnist::TEST_IMAGES,
        idx_bytes(2051, &[5, 2, 3], &images(1, 5)),
    );
    let msg = Mnist::<f32>::load_with_validation(dir.path(), 2)
        .unwrap_err()
        .to_string();
    assert!(
        msg.contains("expected [3, 2] like the training images, found [2, 3]"),
        "{msg}"
    );
    // A label outside 0..9.
    write_small_mnist(dir.path(), [false; 4]);
    let mut l = labels(0, 12);
    l[4] = 10;
    overwrite(dir.path(), mnist::TRAIN_LABELS, idx_bytes(2049, &[12], &l));
    let msg = Mnist::<f32>::load_with_validation(dir.path(), 2)
        .unwrap_err()
        .to_string();
    assert!(
        msg.contains("label of sample 4: expected a class in 0..10, found 10"),
        "{msg}"
    );
}

#[test]
fn generic_idx_reader() {
    let dir = TempDir::new("idx");
    let p = dir.path().join("cube.idx");
    let data: Vec<u8> = (0..24).collect();
    std::fs::write(&p, gzip(&idx_bytes(0x0804, &[2, 3, 2, 2], &data))).unwrap();
    let a = idx::read(&p).unwrap();
    assert_eq!(a.dims, [2, 3, 2, 2]);
    assert_eq!(a.data, data);
    let t = a.to_tensor::<f64>(0.5);
    assert_eq!(t.shape(), &[2, 3, 2, 2]);
    assert_eq!(t.at(&[1, 2, 1, 1]), 11.5);

    std::fs::write(&p, idx_bytes(0x0D01, &[2], &[0; 8])).unwrap();
    let msg = idx::read(&p).unwrap_err().to_string();
    assert!(
        msg.contains("unsupported IDX element type 0x0d (f32)"),
        "{msg}"
    );

    // Images and labels with a caller-chosen scale (pixels 0..16 here).
    let (pi, pl) = (dir.path().join("img"), dir.path().join("lab"));
    std::fs::write(&pi, idx_bytes(2051, &[2, 1, 2], &[0, 16, 8, 4])).unwrap();
    std::fs::write(&pl, gzip(&idx_bytes(2049, &[2], &[3, 1]))).unwrap();
    let x = idx::read_images::<f32>(&pi, 1.0 / 16.0).unwrap();
    assert_eq!(x.data(), &[0.0, 1.0, 0.5, 0.25]);
    assert_eq!(idx::read_labels(&pl).unwrap(), [3, 1]);
    let d = idx::load_labelled::<f32>(&pi, &pl, 1.0 / 16.0, 4).unwrap();
    assert_eq!(d.classes().unwrap(), &[3, 1]);
    assert_eq!(d.y_row(0), &[0.0, 0.0, 0.0, 1.0]);
    assert!(
        idx::load_labelled::<f32>(&pi, &pl, 1.0, 3).is_err(),
        "label 3 of 3 classes"
    );
    assert!(idx::read_labels(&pi).is_err());
    assert!(idx::read_images::<f32>(&pl, 1.0).is_err());
}

/// The 8×8 digits set: `DIGITS_DIR`, or the shared data beside the project.
#[test]
fn digits8x8_when_present() {
    let dir = std::env::var_os("DIGITS_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/data/digits8x8")
        });
    if !dir.is_dir() {
        eprintln!("digits8x8 not found at {}: skipping", dir.display());
        return;
    }
    let d = idx::load_labelled::<f32>(
        dir.join("digits8x8-images-idx3-ubyte.gz"),
        dir.join("digits8x8-labels-idx1-ubyte.gz"),
        1.0 / 16.0,
        10,
    )
    .unwrap();
    assert_eq!((d.len(), d.input_dim()), (1797, 64));
    assert_eq!(&d.classes().unwrap()[..10], &[0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    let mut counts = [0; 10];
    d.classes().unwrap().iter().for_each(|&c| counts[c] += 1);
    assert_eq!(counts, [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]);
    let max = d.x().data().iter().cloned().fold(0.0f32, f32::max);
    assert_eq!(max, 1.0, "pixels 0..16 scaled by 1/16");
}

#[test]
fn env_or_argument() {
    match std::env::var_os(mnist::ENV_VAR) {
        Some(v) if !v.is_empty() => {
            // MNIST_DIR wins over the argument.
            assert_eq!(
                mnist::resolve_dir(Some(Path::new("elsewhere"))).unwrap(),
                PathBuf::from(v)
            );
        }
        _ => {
            let dir = TempDir::new("env");
            write_small_mnist(dir.path(), [false; 4]);
            // The argument is used: it holds 12 training images, too few for
            // Nielsen's 10,000-image validation set.
            let msg = Mnist::<f32>::from_env_or(Some(dir.path()))
                .unwrap_err()
                .to_string();
            assert!(msg.contains("12 training images"), "{msg}");
            let msg = Mnist::<f32>::from_env_or(None::<&Path>)
                .unwrap_err()
                .to_string();
            assert!(
                msg.contains("MNIST_DIR") && msg.contains("t10k-images-idx3-ubyte"),
                "{msg}"
            );
        }
    }
}

/// The real MNIST, when `MNIST_DIR` is set.
#[test]
fn real_mnist_when_mnist_dir_is_set() {
    let Some(dir) = std::env::var_os(mnist::ENV_VAR).filter(|v| !v.is_empty()) else {
        eprintln!("MNIST_DIR is not set: skipping the real MNIST files");
        return;
    };
    let start = Instant::now();
    let m: Mnist = Mnist::load(&dir).unwrap();
    eprintln!(
        "MNIST loaded (gzipped IDX, 70,000 images) in {:.2?}",
        start.elapsed()
    );
    assert_eq!(
        (m.train.len(), m.validation.len(), m.test.len()),
        (50_000, 10_000, 10_000)
    );
    assert_eq!((m.train.input_dim(), m.train.target_dim()), (784, 10));
    let train = m.train.classes().unwrap();
    let val = m.validation.classes().unwrap();
    let test = m.test.classes().unwrap();
    assert_eq!(&train[..10], &[5, 0, 4, 1, 9, 2, 1, 3, 1, 4]);
    assert_eq!(&test[..10], &[7, 2, 1, 0, 4, 1, 4, 9, 5, 9]);
    let count = |labels: &[usize]| {
        let mut c = [0usize; 10];
        labels.iter().for_each(|&l| c[l] += 1);
        c
    };
    let all_train: Vec<usize> = train.iter().chain(val).copied().collect();
    assert_eq!(
        count(&all_train),
        [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
    );
    assert_eq!(
        count(test),
        [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]
    );
    for set in [&m.train, &m.validation, &m.test] {
        let (lo, hi) = set
            .x()
            .data()
            .iter()
            .fold((f32::MAX, f32::MIN), |(lo, hi), &v| (lo.min(v), hi.max(v)));
        assert_eq!((lo, hi), (0.0, 1.0));
    }
    // One-hot rows match the labels.
    for i in [0, 1, 49_999] {
        assert_eq!(m.train.y_row(i)[train[i]], 1.0);
        assert_eq!(m.train.y_row(i).iter().sum::<f32>(), 1.0);
    }
}

/// Headers that lie about the data's size: refused with one line before
/// any memory is taken for the data (each file holds a few bytes).
#[test]
fn headers_announcing_more_than_the_file_or_the_limit_are_refused_before_allocating() {
    let dir = TempDir::new("lying-headers");
    let p = dir.path().join("lies-idx3-ubyte");
    let few = [7u8; 10];
    for gz in [false, true] {
        let write = |dims: &[u32]| {
            let bytes = idx_bytes(2051, dims, &few);
            std::fs::write(&p, if gz { gzip(&bytes) } else { bytes }).unwrap();
        };
        // beyond the limit: 78,400,000,000 and about 1.8e19 bytes
        for dims in [[100_000_000, 28, 28], [u32::MAX, 65535, 65535]] {
            write(&dims);
            let err = idx::read_images::<f32>(&p, 1.0).unwrap_err();
            assert!(matches!(err, Error::Format { .. }), "{err}");
            let msg = err.to_string();
            assert!(
                msg.contains(&format!("{dims:?}"))
                    && msg.contains(&format!("limit of {} bytes", idx::MAX_IDX_BYTES)),
                "{msg}"
            );
            assert_eq!(msg.lines().count(), 1, "{msg}");
            let msg = idx::read(&p).unwrap_err().to_string();
            assert!(msg.contains("limit of"), "{msg}");
        }
        // under the limit, more than the file holds: 784,000,000 bytes
        write(&[1000, 28000, 28]);
        let msg = idx::read_images::<f64>(&p, 1.0).unwrap_err().to_string();
        assert!(
            msg.contains("truncated") && msg.contains("784000000 data bytes, found 10"),
            "{msg}"
        );
        assert_eq!(msg.lines().count(), 1, "{msg}");
    }
    // a label file that lies
    let labels = dir.path().join("lies-idx1-ubyte");
    std::fs::write(&labels, idx_bytes(2049, &[1_000_000], &few)).unwrap();
    let msg = idx::read_labels(&labels).unwrap_err().to_string();
    assert!(msg.contains("found 10"), "{msg}");
}

/// MNIST's loader refuses a lying header the same way.
#[test]
fn mnist_with_a_lying_header_is_an_error_not_an_abort() {
    let dir = TempDir::new("lying-mnist");
    write_small_mnist(dir.path(), [false; 4]);
    overwrite(
        dir.path(),
        mnist::TRAIN_IMAGES,
        idx_bytes(2051, &[100_000_000, 28, 28], &[1, 2, 3]),
    );
    let err = Mnist::<f32>::load(dir.path()).unwrap_err();
    assert!(matches!(err, Error::Format { .. }), "{err}");
    assert!(err.to_string().contains("limit of"), "{err}");
}

#[test]
fn messages_say_what_was_expected_and_found() {
    let dir = TempDir::new("messages");
    write_small_mnist(dir.path(), [false; 4]);
    // validation of all 12 training images: the valid range is spelled out
    let msg = Mnist::<f32>::load_with_validation(dir.path(), 12)
        .unwrap_err()
        .to_string();
    assert!(
        msg.contains("expected a whole number from 1 to 11") && msg.contains("found 12"),
        "{msg}"
    );
    // a file given as the directory is called a file, not a missing directory
    let file = dir.path().join(mnist::TRAIN_IMAGES);
    let msg = Mnist::<f32>::load(&file).unwrap_err().to_string();
    assert!(msg.contains("is a file, not a directory"), "{msg}");
    assert!(!msg.contains("does not exist"), "{msg}");
}

#[test]
fn a_cut_gzip_stream_says_how_many_data_bytes_arrived() {
    let dir = TempDir::new("cut-gzip");
    let data = images(0, 2000); // 12,000 bytes: several chunks
    let gz = gzip(&idx_bytes(2051, &[2000, ROWS, COLS], &data));
    let path = dir.path().join("cut.gz");
    // cut inside the data
    std::fs::write(&path, &gz[..gz.len() / 2]).unwrap();
    let msg = idx::read(&path).unwrap_err().to_string();
    let found: usize = msg
        .rsplit("found ")
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no count in: {msg}"));
    assert!(msg.contains("truncated gzip stream"), "{msg}");
    assert!(msg.contains("say 12000 data bytes"), "{msg}");
    assert!(found > 0 && found < 12000, "{msg}");
    // cut inside the header
    std::fs::write(&path, &gzip(&[0, 0, 8, 3, 0, 0, 0, 2])[..20]).unwrap();
    let msg = idx::read(&path).unwrap_err().to_string();
    assert!(msg.contains("ends inside the IDX header"), "{msg}");
    // the same bytes in memory give the same message, naming no file
    let msg = idx::parse(&gz[..gz.len() / 2]).unwrap_err().to_string();
    assert!(
        msg.starts_with(idx::IN_MEMORY) && msg.contains("truncated gzip"),
        "{msg}"
    );
    assert_eq!(idx::parse(&gz).unwrap().data, data);
}
