//! Identity files: a Semaphore v4 private key, base64-encoded exactly as
//! `Identity.export()` writes it (so `Identity.import(...)` in JavaScript gives the same
//! identity), in a file only its owner can read.

use std::{
	fs::OpenOptions,
	io::Write,
	path::{Path, PathBuf},
};

use base64::{engine::general_purpose::STANDARD, Engine};
use teo_zk::identity::Identity;

use crate::error::Error;

/// Where an identity comes from.
#[derive(Clone, Debug)]
pub enum IdentitySource {
	/// A file written by `identity new` (or a Semaphore export).
	File(PathBuf),
	/// A development identity: the private key is the text itself, such as `//Alice`.
	Dev(String),
}

impl IdentitySource {
	/// The identity, read or derived.
	pub fn load(&self) -> Result<Identity, Error> {
		match self {
			Self::File(path) => read(path),
			Self::Dev(name) => {
				if !name.starts_with("//") {
					return Err(Error::BadDevIdentity(name.clone()));
				}
				Ok(Identity::from_private_key(name.as_bytes()))
			},
		}
	}
}

/// Creates a fresh identity from the operating system's randomness and writes its private key
/// to `path`, readable by its owner only. Refuses to overwrite an existing file.
pub fn create(path: &Path) -> Result<Identity, Error> {
	let mut private_key = [0u8; 32];
	getrandom::getrandom(&mut private_key).map_err(Error::Randomness)?;
	let mut options = OpenOptions::new();
	options.write(true).create_new(true);
	#[cfg(unix)]
	{
		use std::os::unix::fs::OpenOptionsExt;
		options.mode(0o600);
	}
	let mut file = options.open(path).map_err(Error::file("create", path))?;
	writeln!(file, "{}", STANDARD.encode(private_key)).map_err(Error::file("write", path))?;
	Ok(Identity::from_private_key(&private_key))
}

/// Reads an identity file.
pub fn read(path: &Path) -> Result<Identity, Error> {
	let text = std::fs::read_to_string(path).map_err(Error::file("read", path))?;
	let private_key = STANDARD
		.decode(text.trim())
		.map_err(|source| Error::NotBase64 { path: path.to_path_buf(), source })?;
	if private_key.is_empty() {
		return Err(Error::EmptyKey(path.to_path_buf()));
	}
	Ok(Identity::from_private_key(&private_key))
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn a_new_identity_is_private_to_its_owner_and_reads_back() {
		let dir = tempfile::tempdir().unwrap();
		let path = dir.path().join("me.identity");
		let created = create(&path).unwrap();
		assert_eq!(read(&path).unwrap(), created);
		#[cfg(unix)]
		{
			use std::os::unix::fs::PermissionsExt;
			let mode = std::fs::metadata(&path).unwrap().permissions().mode();
			assert_eq!(mode & 0o777, 0o600);
		}
		// Never overwritten.
		assert!(create(&path).is_err());
		assert_eq!(read(&path).unwrap(), created);
	}

	#[test]
	fn a_semaphore_export_of_a_text_key_reads_as_that_identity() {
		// Identity("teo-test-secret").export() is the base64 of the text.
		let dir = tempfile::tempdir().unwrap();
		let path = dir.path().join("export");
		std::fs::write(&path, STANDARD.encode("teo-test-secret")).unwrap();
		assert_eq!(read(&path).unwrap(), Identity::from_private_key(b"teo-test-secret"));
		std::fs::write(&path, "not base64!").unwrap();
		assert!(matches!(read(&path), Err(Error::NotBase64 { .. })));
	}

	#[test]
	fn dev_identities_are_named_by_their_seed() {
		let alice = IdentitySource::Dev("//Alice".into()).load().unwrap();
		assert_eq!(
			teo_zk::groth16::fr_to_be_bytes(&alice.commitment),
			teo_zk::dev::DEV_IDENTITY_COMMITMENTS[0]
		);
		assert!(matches!(
			IdentitySource::Dev("Alice".into()).load(),
			Err(Error::BadDevIdentity(name)) if name == "Alice"
		));
	}
}
