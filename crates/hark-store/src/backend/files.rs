//! Files a backend (or the binary) creates beside its data: owner-only, since they hold secret
//! hashes, sealed keys and feedback with PII. Directories hark creates are 0700, files 0600;
//! an existing directory is left as its owner set it.

use std::io;
use std::path::Path;

/// Creates `dir` and its missing parents, each new one readable by its owner only.
pub fn create_private_dir(dir: &Path) -> io::Result<()> {
    if dir.is_dir() {
        return Ok(());
    }
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir)
}

/// Options that create files readable by their owner only (mode 0600); the caller adds how it
/// opens (`write`, `create_new`, …).
pub fn owner_only() -> std::fs::OpenOptions {
    let mut options = std::fs::OpenOptions::new();
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options
}

/// Creates the empty file `path` readable by its owner only, unless it exists (then nothing
/// changes). SQLite creates a database's `-wal` and `-shm` files with the database file's
/// permissions, so creating the database file this way covers them too.
pub fn create_private_file(path: &Path) -> io::Result<()> {
    match owner_only().write(true).create_new(true).open(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(e),
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn mode(p: &Path) -> u32 {
        std::fs::metadata(p).expect("stat").permissions().mode() & 0o777
    }

    #[test]
    fn new_dirs_and_files_are_owner_only_and_existing_ones_untouched() {
        let root = tempfile::tempdir().expect("tempdir");
        let dir = root.path().join("a/b");
        create_private_dir(&dir).expect("dirs");
        assert_eq!(mode(&dir), 0o700);
        assert_eq!(mode(&root.path().join("a")), 0o700);
        let file = dir.join("hark.db");
        create_private_file(&file).expect("file");
        assert_eq!(mode(&file), 0o600);
        std::fs::write(&file, b"kept").expect("write");
        create_private_file(&file).expect("exists: fine");
        assert_eq!(std::fs::read(&file).expect("read"), b"kept");
    }
}
