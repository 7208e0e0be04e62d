//! # TEO zero-knowledge primitives
//!
//! The pieces of Semaphore v4 that the chain and TEO's tools share, bit for bit compatible with
//! the Semaphore ecosystem (circomlib, zk-kit, snarkjs):
//! - [`poseidon`]: Poseidon over BN254 with circomlib's parameters;
//! - [`lean_imt`]: the LeanIMT membership tree and its proofs.
//!
//! The core is `no_std` so the runtime uses the very same code as the tools.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub mod lean_imt;
pub mod poseidon;

pub use ark_bn254::Fr;
