//! Stamp the model version with a hash of the core's source, so that a run's identity
//! (which includes the model version) changes whenever the model's code does.

use std::fs;
use std::path::Path;

fn main() {
    let mut files: Vec<_> =
        fs::read_dir("src").expect("src/ exists").filter_map(|e| e.ok()).map(|e| e.path()).collect();
    files.sort();
    // FNV-1a over file names and contents: stable across machines and Rust versions.
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for path in &files {
        println!("cargo:rerun-if-changed={}", path.display());
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        for byte in name.bytes().chain(fs::read(path).unwrap_or_default()) {
            hash = (hash ^ byte as u64).wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    println!("cargo:rerun-if-changed={}", Path::new("src").display());
    println!("cargo:rustc-env=ACSA_SOURCE_HASH={:016x}", hash);
}
