//! The engine's Python package, embedded in gearc and written out where the
//! interpreter can run it: `python3 <directory>` runs its `__main__.py`, which
//! imports the `gearc_engine` package beside it.
//!
//! The directory is kept between runs in gearc's cache (`GEARC_CACHE_DIR`, else
//! `$XDG_CACHE_HOME/gearc`, else `~/.cache/gearc`), named after the files' contents,
//! so that Python's own bytecode cache (`__pycache__`, one file per interpreter
//! version) spares every later run from compiling the engine again. Without a
//! usable cache, a temporary directory serves one run.

use std::io;
use std::path::{Path, PathBuf};

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
    "gearc_engine/lifeline.py",
    "gearc_engine/main.py",
    "gearc_engine/notify_flags.py",
    "gearc_engine/plan.py",
    "gearc_engine/protocol.py",
    "gearc_engine/readers.py",
    "gearc_engine/records.py",
    "gearc_engine/registration.py",
    "gearc_engine/resp.py",
    "gearc_engine/rg_commands.py",
    "gearc_engine/run_reply.py",
    "gearc_engine/runtime.py",
    "gearc_engine/scan.py",
    "gearc_engine/scan_script.py",
    "gearc_engine/script.py",
    "gearc_engine/streams.py",
    "gearc_engine/url.py",
    "gearc_engine/values.py",
    "gearc_engine/watch.py",
];

/// A directory holding the engine, for as long as this value lives.
pub enum EngineDir {
    Cached(PathBuf),
    Temporary(tempfile::TempDir),
}

impl EngineDir {
    pub fn path(&self) -> &Path {
        match self {
            EngineDir::Cached(path) => path,
            EngineDir::Temporary(dir) => dir.path(),
        }
    }
}

/// The engine's directory: the cached one when it can be used or made, else a
/// temporary one.
pub fn engine_dir() -> io::Result<EngineDir> {
    if let Some(root) = cache_root() {
        if let Some(dir) = cached(&root) {
            return Ok(EngineDir::Cached(dir));
        }
    }
    let dir = tempfile::tempdir()?;
    write_all(dir.path())?;
    Ok(EngineDir::Temporary(dir))
}

fn cache_root() -> Option<PathBuf> {
    let from_env = |name: &str| {
        std::env::var_os(name)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    from_env("GEARC_CACHE_DIR")
        .or_else(|| from_env("XDG_CACHE_HOME").map(|d| d.join("gearc")))
        .or_else(|| from_env("HOME").map(|d| d.join(".cache").join("gearc")))
}

/// `root/engine-<hash of the files>`, made if missing: written under another name,
/// then renamed into place, so that a directory with that name is always whole
/// (two gearc processes may race to make it). One whose files differ (edited by
/// hand, a disk error) is not used.
fn cached(root: &Path) -> Option<PathBuf> {
    let dir = root.join(format!("engine-{:016x}", content_hash()));
    if holds_the_engine(&dir) {
        return Some(dir);
    }
    if dir.exists() {
        return None;
    }
    std::fs::create_dir_all(root).ok()?;
    let staging = tempfile::Builder::new()
        .prefix(".engine-")
        .tempdir_in(root)
        .ok()?;
    write_all(staging.path()).ok()?;
    let staging = staging.keep();
    if std::fs::rename(&staging, &dir).is_err() {
        let _ = std::fs::remove_dir_all(&staging); // another gearc made it first
    }
    holds_the_engine(&dir).then_some(dir)
}

fn holds_the_engine(dir: &Path) -> bool {
    ENGINE_FILES
        .iter()
        .all(|(path, text)| std::fs::read(dir.join(path)).is_ok_and(|disk| disk == text.as_bytes()))
}

/// FNV-1a over every file's path and text: it names the cache directory, so a gearc
/// with a different engine never runs another's files.
fn content_hash() -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for (path, text) in ENGINE_FILES {
        for byte in path.bytes().chain([0]).chain(text.bytes()).chain([0]) {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    hash
}

/// Writes every engine file under `dir`.
pub fn write_all(dir: &Path) -> io::Result<()> {
    for (path, text) in ENGINE_FILES {
        let file = dir.join(path);
        if let Some(parent) = file.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(file, text)?;
    }
    Ok(())
}
