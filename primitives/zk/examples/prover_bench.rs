//! Measures the membership circuit and Groth16 on this machine: constraints, key generation,
//! proving (synthesizing the constraints each time, and with the prepared [`prover::Prover`])
//! and native verification at the depths the chain uses. A benchmark, not a test:
//!
//!   cargo run --release -p teo-zk --features parallel --example prover_bench -- [runs] [depths...]
//!
//! defaults: 5 runs at depths 16 and 20. Prints the median and the range of each figure.

use std::time::{Duration, Instant};

use teo_zk::{
	groth16,
	identity::Identity,
	lean_imt::LeanImt,
	prover::{self, rng_from_seed},
	semaphore,
};

fn median(mut samples: Vec<Duration>) -> (Duration, Duration, Duration) {
	samples.sort();
	(samples[samples.len() / 2], samples[0], samples[samples.len() - 1])
}

fn ms(d: Duration) -> String {
	format!("{:.1} ms", d.as_secs_f64() * 1e3)
}

fn main() {
	let args: Vec<String> = std::env::args().skip(1).collect();
	let runs: usize = args.first().and_then(|a| a.parse().ok()).unwrap_or(5);
	let depths: Vec<usize> = if args.len() > 1 {
		args[1..].iter().map(|d| d.parse().expect("a depth")).collect()
	} else {
		vec![16, 20]
	};
	println!("threads: {}", std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1));
	for depth in depths {
		let constraints = prover::constraint_count(depth).expect("synthesis");
		let start = Instant::now();
		let key = prover::dev_setup(depth).expect("setup");
		let setup = start.elapsed();
		let prepared =
			groth16::decode_prepared_key(&groth16::prepare_verifying_key(&key.vk)).expect("key");

		// A full tree of this depth would take 2^depth hashes to build; the circuit's cost does
		// not depend on the tree's size, only on the key's depth, so a small group serves.
		let members: Vec<Identity> =
			(0..8).map(|i| Identity::from_private_key(format!("bench {i}").as_bytes())).collect();
		let tree = LeanImt::from_leaves(members.iter().map(|m| m.commitment));
		let membership = tree.proof(3).expect("a member");
		let message = semaphore::hash_to_field(&[1; 32]);
		let scope = semaphore::hash_to_field(&[2; 32]);

		let start = Instant::now();
		let prepared_prover = prover::Prover::new(key.clone(), depth).expect("matrices");
		let preparing = start.elapsed();

		let mut proving = Vec::new();
		let mut proving_prepared = Vec::new();
		let mut verifying = Vec::new();
		for run in 0..runs {
			let mut rng = rng_from_seed([run as u8; 32]);
			let start = Instant::now();
			let (proof, inputs) =
				prover::prove(&key, depth, &members[3], &membership, message, scope, &mut rng)
					.expect("prove");
			proving.push(start.elapsed());
			let start = Instant::now();
			let (again, _) = prepared_prover
				.prove(
					&members[3],
					&membership,
					message,
					scope,
					&mut rng_from_seed([run as u8; 32]),
				)
				.expect("prove");
			proving_prepared.push(start.elapsed());
			assert_eq!(again, proof, "the prepared prover makes the same proof");
			let start = Instant::now();
			assert!(groth16::verify(&prepared, &proof, &inputs.to_array()));
			verifying.push(start.elapsed());
		}
		let (prove, prove_min, prove_max) = median(proving);
		let (prepared_prove, prepared_min, prepared_max) = median(proving_prepared);
		let (verify, verify_min, verify_max) = median(verifying);
		println!(
			"depth {depth}: {constraints} constraints; setup {}; prove {} (min {}, max {}); \
			 matrices once {}, then prove {} (min {}, max {}); \
			 verify (prepared key) {} (min {}, max {}); {runs} runs",
			ms(setup),
			ms(prove),
			ms(prove_min),
			ms(prove_max),
			ms(preparing),
			ms(prepared_prove),
			ms(prepared_min),
			ms(prepared_max),
			ms(verify),
			ms(verify_min),
			ms(verify_max)
		);
	}
}
