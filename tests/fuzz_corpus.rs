//! Replays every file of the fuzz targets' checked-in corpus
//! (`fuzz/corpus/<target>/`, minimised by `cargo fuzz cmin`) through the
//! entry the target fuzzes, so an ordinary `cargo test` on stable keeps
//! what the fuzzer found without running it: each file must give `Ok` or
//! one clean line (the entries panic otherwise), and none may panic.

use std::path::Path;
use xiaolan::inputs::ENTRIES;

#[test]
fn every_corpus_file_gives_ok_or_one_clean_line() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus");
    for (name, entry) in ENTRIES {
        let dir = root.join(name);
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|f| f.expect("a directory entry").path())
            .collect();
        files.sort();
        // a corpus is more than its seeds: it reached the parser's errors
        let (mut ok, mut err) = (0, 0);
        for file in &files {
            let bytes = std::fs::read(file).expect("a corpus file");
            match std::panic::catch_unwind(|| entry(&bytes)) {
                Ok(Ok(())) => ok += 1,
                Ok(Err(_)) => err += 1,
                Err(_) => panic!("{name}: {} panicked", file.display()),
            }
        }
        assert!(
            ok >= 1 && err >= 10,
            "{name}: expected a corpus with accepted and refused inputs, found {ok} accepted, {err} refused"
        );
    }
}
