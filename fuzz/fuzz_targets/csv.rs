//! Fuzzes `xiaolan::inputs::csv`: any bytes give `Ok` or one clean line.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = xiaolan::inputs::csv(data);
});
