//! The engine's Python package, embedded in gearc and written out where the
//! interpreter can run it: `python3 <directory>` runs its `__main__.py`, which
//! imports the `gearc_engine` package beside it.

use std::path::Path;

/// Each file of `runtime/`, by its path there. `tests/engine_contracts.rs` checks
/// that this list and the directory agree.
macro_rules! engine_files {
    ($($path:literal),* $(,)?) => {
        &[$(($path, include_str!(concat!("runtime/", $path)))),*]
    };
}

pub const ENGINE_FILES: &[(&str, &str)] = engine_files![
    "__main__.py",
    "gearc_engine/__init__.py",
    "gearc_engine/builder.py",
    "gearc_engine/errors.py",
    "gearc_engine/gears_dict.py",
    "gearc_engine/gearsbuilder_py.py",
    "gearc_engine/keys_reader.py",
    "gearc_engine/main.py",
    "gearc_engine/plan.py",
    "gearc_engine/protocol.py",
    "gearc_engine/readers.py",
    "gearc_engine/records.py",
    "gearc_engine/registration.py",
    "gearc_engine/resp.py",
    "gearc_engine/runtime.py",
    "gearc_engine/scan.py",
    "gearc_engine/script.py",
    "gearc_engine/streams.py",
    "gearc_engine/url.py",
    "gearc_engine/values.py",
    "gearc_engine/watch.py",
];

/// Writes every engine file under `dir`.
pub fn write_all(dir: &Path) -> std::io::Result<()> {
    for (path, text) in ENGINE_FILES {
        let file = dir.join(path);
        if let Some(parent) = file.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(file, text)?;
    }
    Ok(())
}
