//! The flash-crash harness (docs/FLASH-CRASH.md): thousands of simulated agents, each with its
//! own keys, sponsor and budget, driven through TEO's real interfaces against a real local
//! network.
//!
//! - [`spec`]: the swarm's chain, built into genesis (sponsors and citizens verified, agents
//!   registered, delegations made), so that ten thousand agents start in seconds instead of
//!   ten thousand Groth16 proofs and registrations.
//! - [`network`]: three validators and three mesh services on loopback, started from it.
//! - [`api`], [`agents`]: the honest agents, calling their services' API over pooled HTTP.
//! - [`rogue`]: the adversaries, signing on a rogue mesh peer what no service would.
//! - [`grab`]: one person's agents bidding for every admission.
//! - [`churn`]: citizens moving their delegations every block.
//! - [`observe`], [`run`]: what the chain and the services recorded, the figures and the
//!   invariants.

pub mod agents;
pub mod api;
pub mod churn;
pub mod grab;
pub mod network;
pub mod observe;
pub mod rogue;
pub mod run;
pub mod spec;
