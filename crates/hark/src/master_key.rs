//! The deployment's master key, which seals SigV4 secret access keys in the database.
//!
//! Resolution: the `master_key` setting (file or `HARK_MASTER_KEY`) when given; otherwise the
//! file `master.key` beside the SQLite database (`<data_dir>/master.key` with the default
//! database; for another backend, in `data_dir`), created on first use with a fresh random key
//! and mode 0600. Keying the file to the database rather than to `data_dir` alone means that
//! `hark serve --database X` and `hark admin … --database X` agree on the key even when run from
//! different directories. An existing key file that group or others may read or write is
//! refused: whoever reads it can open every stored secret.

use crate::config::Config;
use crate::error::Error;
use hark_core::crypto::MasterKey;
use std::io::{ErrorKind, Write};
use std::path::{Path, PathBuf};

/// File name of the generated key inside `data_dir`.
pub const FILE_NAME: &str = "master.key";

/// The master key of `config`.
pub fn resolve(config: &Config) -> Result<MasterKey, Error> {
    match config.master_key.as_deref() {
        // `Config::validate` already refused a malformed key; map rather than unwrap anyway.
        Some(text) => MasterKey::from_base64(text)
            .map_err(|e| Error::InvalidConfig(format!("master_key: {e}"))),
        None => load_or_create(&key_path(config)),
    }
}

/// Where the key file of `config` lives: beside the SQLite database, else in `data_dir`.
pub fn key_path(config: &Config) -> PathBuf {
    let url = config.database_url();
    let sqlite_file = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"));
    match sqlite_file.map(Path::new).and_then(Path::parent) {
        Some(dir) if !dir.as_os_str().is_empty() => dir.join(FILE_NAME),
        Some(_) => PathBuf::from(FILE_NAME),
        None => config.data_dir.join(FILE_NAME),
    }
}

/// Reads the key at `path`, or creates the file with a fresh key when there is none.
pub fn load_or_create(path: &Path) -> Result<MasterKey, Error> {
    match load(path) {
        Err(Error::MasterKeyFile { source, .. }) if source.kind() == ErrorKind::NotFound => {
            match create(path) {
                Ok(key) => {
                    tracing::warn!(
                        path = %path.display(),
                        "generated a new master key; back it up: without it the stored \
                         access-key secrets cannot be opened"
                    );
                    Ok(key)
                }
                // Another process created it first: use theirs.
                Err(Error::MasterKeyFile { source, .. })
                    if source.kind() == ErrorKind::AlreadyExists =>
                {
                    load(path)
                }
                Err(e) => Err(e),
            }
        }
        other => other,
    }
}

fn file_error(path: &Path) -> impl FnOnce(std::io::Error) -> Error + '_ {
    move |source| Error::MasterKeyFile {
        path: path.to_path_buf(),
        source,
    }
}

fn load(path: &Path) -> Result<MasterKey, Error> {
    let metadata = std::fs::metadata(path).map_err(file_error(path))?;
    check_private(path, &metadata)?;
    let text = std::fs::read_to_string(path).map_err(file_error(path))?;
    MasterKey::from_base64(&text).map_err(|_| Error::InvalidMasterKeyFile {
        path: path.to_path_buf(),
        problem: "it does not hold 32 bytes in standard base64".into(),
    })
}

/// Writes a fresh key to a file that did not exist, readable by its owner only.
fn create(path: &Path) -> Result<MasterKey, Error> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        hark_store::backend::files::create_private_dir(dir).map_err(file_error(dir))?;
    }
    let key = MasterKey::generate();
    let mut file = hark_store::backend::files::owner_only()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(file_error(path))?;
    file.write_all(format!("{}\n", key.to_base64()).as_bytes())
        .and_then(|()| file.sync_all())
        .map_err(file_error(path))?;
    Ok(key)
}

#[cfg(unix)]
fn check_private(path: &Path, metadata: &std::fs::Metadata) -> Result<(), Error> {
    use std::os::unix::fs::PermissionsExt;
    let mode = metadata.permissions().mode() & 0o777;
    if mode & 0o077 != 0 {
        return Err(Error::InvalidMasterKeyFile {
            path: path.to_path_buf(),
            problem: format!(
                "its mode is {mode:04o}: group or others may access it; run `chmod 600 {}`",
                path.display()
            ),
        });
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_private(_: &Path, _: &std::fs::Metadata) -> Result<(), Error> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_file_is_created_once_with_mode_0600() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("nested").join(FILE_NAME);
        let first = load_or_create(&path).expect("created");
        let second = load_or_create(&path).expect("loaded");
        assert_eq!(first, second, "the same key on every start");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path)
                .expect("exists")
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let text = std::fs::read_to_string(&path).expect("readable");
        assert_eq!(MasterKey::from_base64(&text).expect("base64"), first);
    }

    #[cfg(unix)]
    #[test]
    fn a_key_file_others_can_read_is_refused() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join(FILE_NAME);
        load_or_create(&path).expect("created");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).expect("chmod");
        let msg = load_or_create(&path).expect_err("refused").to_string();
        assert!(msg.contains("0644") && msg.contains("chmod 600"), "{msg}");
    }

    #[test]
    fn a_corrupt_key_file_is_an_error_not_a_new_key() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join(FILE_NAME);
        load_or_create(&path).expect("created");
        std::fs::write(&path, "not a key").expect("overwrite");
        let msg = load_or_create(&path).expect_err("refused").to_string();
        assert!(msg.contains("base64"), "{msg}");
    }

    #[test]
    fn the_key_file_sits_beside_the_sqlite_database() {
        let at = |data_dir: &str, database_url: Option<&str>| {
            key_path(&Config {
                data_dir: PathBuf::from(data_dir),
                database_url: database_url.map(str::to_owned),
                ..Config::default()
            })
        };
        assert_eq!(at("/d", None), PathBuf::from("/d/master.key"));
        assert_eq!(
            at("/d", Some("sqlite:///srv/hark/h.db")),
            PathBuf::from("/srv/hark/master.key")
        );
        assert_eq!(
            at("/d", Some("sqlite:rel/h.db")),
            PathBuf::from("rel/master.key")
        );
        assert_eq!(at("/d", Some("sqlite://h.db")), PathBuf::from("master.key"));
        assert_eq!(
            at("/d", Some("postgres://db/hark")),
            PathBuf::from("/d/master.key")
        );
    }

    #[test]
    fn the_setting_wins_over_the_file() {
        let dir = tempfile::tempdir().expect("temp dir");
        let key = MasterKey::from_bytes([3; 32]);
        let config = Config {
            data_dir: dir.path().to_path_buf(),
            master_key: Some(key.to_base64()),
            ..Config::default()
        };
        assert_eq!(resolve(&config).expect("resolved"), key);
        assert!(!dir.path().join(FILE_NAME).exists(), "no file is written");
        let from_file = Config {
            master_key: None,
            ..config
        };
        let generated = resolve(&from_file).expect("generated");
        assert_ne!(generated, key);
        assert_eq!(resolve(&from_file).expect("loaded"), generated);
    }
}
