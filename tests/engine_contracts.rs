//! The contracts between gearc's Rust side and its local engine's Python side,
//! each checked so that the two cannot drift apart unnoticed.

use std::collections::BTreeSet;
use std::path::Path;

use gearc::submit::local::files::ENGINE_FILES;

/// Every `.py` file under `dir`, as paths relative to `root`.
fn python_files(root: &Path, dir: &Path, out: &mut BTreeSet<String>) {
    for entry in std::fs::read_dir(dir).expect("read the runtime directory") {
        let path = entry.expect("directory entry").path();
        if path.is_dir() {
            if path.file_name().is_some_and(|n| n != "__pycache__") {
                python_files(root, &path, out);
            }
        } else if path.extension().is_some_and(|e| e == "py") {
            let relative = path.strip_prefix(root).expect("under the root");
            out.insert(relative.to_string_lossy().replace('\\', "/"));
        }
    }
}

#[test]
fn every_engine_file_is_embedded() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/submit/local/runtime");
    let mut on_disk = BTreeSet::new();
    python_files(&root, &root, &mut on_disk);
    let embedded: BTreeSet<String> = ENGINE_FILES.iter().map(|(p, _)| p.to_string()).collect();
    assert_eq!(
        embedded, on_disk,
        "src/submit/local/files.rs must list exactly the engine's files"
    );
    for (path, text) in ENGINE_FILES {
        let disk = std::fs::read_to_string(root.join(path)).expect("read an engine file");
        assert_eq!(&disk, text, "{path} is embedded as it is on disk");
    }
}
