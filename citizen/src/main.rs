//! `teo-citizen`: the citizen's and registrar's personhood tool (work in progress).

use clap::Parser;

/// TEO personhood: identities, proofs and the `personhood.verify` call.
#[derive(Parser)]
#[command(version, about)]
enum Command {
	/// Prints the dev identities' commitments.
	DevIdentities,
}

fn main() {
	match Command::parse() {
		Command::DevIdentities => {
			for key in teo_zk::dev::DEV_IDENTITY_KEYS {
				let identity = teo_zk::identity::Identity::from_private_key(key.as_bytes());
				println!("{key} {}", identity.commitment);
			}
		},
	}
}
