//! The witness at the scale of a town, natively: one Poseidon hash, then for groups of 2^14,
//! 2^16 and 2^20 members the tree built from its leaves (what a citizen's tool does once it has
//! them), the member's path and a proof at depth 20. A benchmark, not a test:
//!
//!   cargo run --release -p teo-zk --features parallel --example witness_bench -- [powers...]
//!
//! Leaves come from memory: reading them from a node is not included.

use std::time::Instant;

use teo_zk::{identity::Identity, lean_imt::LeanImt, poseidon::poseidon2, prover, semaphore, Fr};

fn main() {
	let powers: Vec<u32> =
		std::env::args().skip(1).map(|p| p.parse().expect("a power of two")).collect();
	let powers = if powers.is_empty() { vec![14, 16, 20] } else { powers };
	println!("threads: {}", std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1));

	let hashes = 200_000;
	let start = Instant::now();
	let mut x = Fr::from(1u64);
	for _ in 0..hashes {
		x = poseidon2(x, Fr::from(7u64));
	}
	let per_hash = start.elapsed().as_secs_f64() / hashes as f64;
	println!("poseidon2 (teo-zk): {:.2} µs per hash ({hashes} chained; {x})", per_hash * 1e6);
	// The well-kept reference (Light Protocol's light-poseidon, circom's parameters), on the
	// same chain of inputs.
	{
		use light_poseidon::{Poseidon, PoseidonHasher};
		let mut reference = Poseidon::<Fr>::new_circom(2).expect("width 3 exists");
		let start = Instant::now();
		let mut y = Fr::from(1u64);
		for _ in 0..hashes {
			y = reference.hash(&[y, Fr::from(7u64)]).expect("two inputs");
		}
		let per_hash = start.elapsed().as_secs_f64() / hashes as f64;
		assert_eq!(x, y, "the two agree");
		println!("poseidon2 (light-poseidon): {:.2} µs per hash", per_hash * 1e6);
	}

	let depth = teo_zk::dev::DEV_KEY_DEPTH as usize;
	let key = prover::dev_setup(depth).expect("the dev setup");
	let member = Identity::from_private_key(b"witness bench");
	let mut rng = prover::rng_from_seed([5; 32]);
	for power in powers {
		let size = 1usize << power;
		// The values do not change the cost of a hash; the member sits in the middle.
		let leaves =
			(0..size)
				.map(|i| if i == size / 2 { member.commitment } else { Fr::from(i as u64 + 1) });
		let start = Instant::now();
		let tree = LeanImt::from_leaves(leaves);
		let build = start.elapsed();
		let start = Instant::now();
		let (_, inputs, index) = prover::prove_signal(
			&key,
			depth,
			&tree,
			&member,
			&semaphore::VETO_MESSAGE,
			&[3; 32],
			&mut rng,
		)
		.expect("a member proves");
		let prove = start.elapsed();
		assert_eq!(index, size / 2);
		assert_eq!(Some(inputs.root), tree.root());
		println!(
			"2^{power} members: tree {:.2} s ({} hashes), path and proof {:.0} ms, witness plus proof {:.2} s",
			build.as_secs_f64(),
			size - 1,
			prove.as_secs_f64() * 1e3,
			(build + prove).as_secs_f64()
		);
	}
}
