//! The service's base path: its ledger (the agents' sequence numbers), its network key and the
//! hashes of the API's tokens. It belongs to one service, and to its operator alone:
//! - *two services on one base path* would hand out the same sequence numbers, and their agents
//!   would equivocate and be slashed: the directory is locked (`flock`) while a service runs;
//! - *another user of the machine* who can write into it could add a token hash (and call the
//!   API), replace the ledger or hold the lock: it is created `0700`, and one that others can
//!   write to is refused.
//!
//! The lock holds among processes of one machine on a local file system; a base path copied to
//! another machine, or on a network file system without locks, is not protected.

use std::{
	fs::{DirBuilder, File},
	os::unix::fs::{DirBuilderExt as _, PermissionsExt as _},
	path::{Path, PathBuf},
};

/// Why the base path cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum BasePathError {
	/// The directory could not be created, opened or locked.
	#[error("{path}: {source}")]
	Io {
		/// The directory.
		path: PathBuf,
		/// The system's error.
		#[source]
		source: std::io::Error,
	},
	/// Users other than its owner can write into it.
	#[error("{path}: others can write here (mode {mode:o}); `chmod 700` it, or choose another --base-path")]
	Writable {
		/// The file or directory.
		path: PathBuf,
		/// Its permission bits.
		mode: u32,
	},
	/// Another process holds it.
	#[error("{path} is in use by another teo-mesh; give each service its own --base-path")]
	InUse {
		/// The directory.
		path: PathBuf,
	},
}

/// Creates the base path (`0700`) if it does not exist, and refuses it if others can write to
/// it.
pub fn create(path: &Path) -> Result<(), BasePathError> {
	let io = |source| BasePathError::Io { path: path.to_path_buf(), source };
	DirBuilder::new().recursive(true).mode(0o700).create(path).map_err(io)?;
	refuse_if_writable_by_others(path)
}

/// Refuses a file or directory that users other than its owner can write to.
pub fn refuse_if_writable_by_others(path: &Path) -> Result<(), BasePathError> {
	let metadata = std::fs::metadata(path)
		.map_err(|source| BasePathError::Io { path: path.to_path_buf(), source })?;
	let mode = metadata.permissions().mode() & 0o7777;
	match mode & 0o022 {
		0 => Ok(()),
		_ => Err(BasePathError::Writable { path: path.to_path_buf(), mode }),
	}
}

/// Creates the base path and takes it for this process alone, until the returned handle is
/// dropped or the process ends (however it ends). The lock is on the directory itself, so no
/// file inside it can be deleted to lift it.
pub fn lock(path: &Path) -> Result<File, BasePathError> {
	create(path)?;
	let directory = File::open(path)
		.map_err(|source| BasePathError::Io { path: path.to_path_buf(), source })?;
	match directory.try_lock() {
		Ok(()) => Ok(directory),
		Err(std::fs::TryLockError::WouldBlock) => {
			Err(BasePathError::InUse { path: path.to_path_buf() })
		},
		Err(std::fs::TryLockError::Error(source)) => {
			Err(BasePathError::Io { path: path.to_path_buf(), source })
		},
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn one_base_path_serves_one_process() {
		let dir = tempfile::tempdir().unwrap();
		let path = dir.path().join("mesh");
		let first = lock(&path).unwrap();
		assert!(matches!(lock(&path), Err(BasePathError::InUse { .. })));
		drop(first);
		lock(&path).expect("free again once the first holder is gone");
	}

	#[test]
	fn a_new_base_path_is_its_owners_alone() {
		let dir = tempfile::tempdir().unwrap();
		let path = dir.path().join("a/b");
		create(&path).unwrap();
		assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o700);
	}

	#[test]
	fn a_base_path_others_can_write_to_is_refused() {
		let dir = tempfile::tempdir().unwrap();
		for mode in [0o777, 0o770, 0o702] {
			std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(mode)).unwrap();
			assert!(matches!(create(dir.path()), Err(BasePathError::Writable { .. })), "{mode:o}");
			assert!(matches!(lock(dir.path()), Err(BasePathError::Writable { .. })), "{mode:o}");
		}
		// Readable by others is the operator's choice; writable is not.
		std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
		lock(dir.path()).unwrap();
	}
}
