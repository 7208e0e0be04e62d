//! # TEO zero-knowledge primitives
//!
//! The pieces of Semaphore v4 that the chain and TEO's tools share, bit for bit compatible with
//! the Semaphore ecosystem (circomlib, zk-kit, snarkjs):
//! - [`poseidon`]: Poseidon over BN254 with circomlib's parameters;
//! - [`lean_imt`]: the LeanIMT membership tree and its proofs;
//! - [`semaphore`]: how messages and scopes become field elements;
//! - [`dev`]: the dev chains' identities and insecure verifying key;
//! - [`groth16`]: checking Groth16 membership proofs over BN254, with every point validated;
//! - [`identity`] (`std`): Semaphore identities from private keys, for the citizen's tool;
//! - [`snarkjs`] (`std`): verifying keys, proofs and public inputs in snarkjs' JSON;
//! - [`prover`] (`prover`): the membership circuit in R1CS, proving, and the insecure dev setup.
//!
//! `fixtures/` holds values computed by the official npm packages and the script that made them;
//! the tests reproduce every one.
//!
//! The core is `no_std` so the runtime uses the very same code as the tools.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

#[cfg(feature = "std")]
pub mod babyjubjub;
pub mod dev;
pub mod groth16;
#[cfg(feature = "std")]
pub mod identity;
pub mod lean_imt;
pub mod poseidon;
#[cfg(feature = "prover")]
pub mod prover;
pub mod semaphore;
#[cfg(feature = "std")]
pub mod snarkjs;

#[cfg(test)]
mod tests;

pub use ark_bn254::Fr;
