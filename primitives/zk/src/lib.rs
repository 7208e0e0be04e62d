//! # TEO zero-knowledge primitives
//!
//! The pieces of Semaphore v4 that the chain and TEO's tools share, bit for bit compatible with
//! the Semaphore ecosystem (circomlib, zk-kit, snarkjs):
//! - [`poseidon`]: Poseidon over BN254 with circomlib's parameters;
//! - [`lean_imt`]: the LeanIMT membership tree and its proofs;
//! - [`semaphore`]: how messages and scopes become field elements;
//! - [`identity`] (`std`): Semaphore identities from private keys, for the citizen's tool.
//!
//! `fixtures/` holds values computed by the official npm packages and the script that made them;
//! the tests reproduce every one.
//!
//! The core is `no_std` so the runtime uses the very same code as the tools.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

#[cfg(feature = "std")]
pub mod identity;
pub mod lean_imt;
pub mod poseidon;
pub mod semaphore;

#[cfg(test)]
mod tests;

pub use ark_bn254::Fr;
