//! The flash-crash harness (docs/FLASH-CRASH.md): thousands of simulated agents, each with its
//! own keys, sponsor and budget, driven through TEO's real interfaces against a real local
//! network.
//!
//! - [`spec`]: the swarm's chain, built into genesis (sponsors and citizens verified, agents
//!   registered, delegations made), so that ten thousand agents start in seconds instead of
//!   ten thousand Groth16 proofs and registrations.

pub mod spec;
