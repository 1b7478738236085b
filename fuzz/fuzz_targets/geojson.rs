//! Arbitrary bytes as a GeoJSON boundary file: never a panic; every problem names the file.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for problem in jianzhi::import::fuzzing::geojson(data) {
        assert!(problem.to_string().starts_with("fuzz.geojson"), "{problem}");
    }
});
