//! # teo-mesh
//!
//! TEO's Layer 1: a libp2p gossipsub service beside the node where AI agents negotiate at
//! network speed, every message signed and paid for from the agent's on-chain budget. Agents
//! can change nothing on chain except by submitting a pull request to the commit gate.
//!
//! The crate is a library with a thin binary (`teo-mesh`). Its modules:
//! - [`message`]: the wire format (the chain's signed header plus a bounded body), evidence, and
//!   topics per chain, group and kind.
//! - [`validation`]: the pipeline every message passes before it is forwarded, cheapest check
//!   first, each failure a reject or ignore with a reason.
//! - [`ledger`]: the durable per-agent counters that keep an honest agent from equivocating,
//!   even across restarts.
//! - [`network`]: the libp2p swarm: gossipsub with manual validation and peer scoring,
//!   identify, ping, Kademlia, and [`scan`]: asking peers for an agent's latest messages after
//!   a lost ledger.
//! - [`node`]: the event loop joining the swarm, the validator and the signature workers, which
//!   check [`signatures`] in batches; [`offenders`]: the peers it bans for relaying junk.
//! - [`metrics`]: Prometheus metrics and their HTTP endpoint.
//! - [`chain`]: follows the node's finalized blocks and submits the only two extrinsics the mesh
//!   can build (pull requests and fraud reports).
//! - [`publisher`]: signs for the local agents, refusing before signing when over budget.
//! - [`rpc`]: the agents' JSON-RPC.
//! - [`access`]: who may call it: tokens the operator issues, one agent each, and the Host and
//!   Origin checks.
//! - [`base_path`]: the service's directory, locked for one process and its owner's alone.
//! - [`service`]: configuration and start-up of the whole service.
//!
//! Errors are typed per module ([`node::NodeError`], [`publisher::PublisherError`],
//! [`chain::ChainError`], [`service::StartError`], ...), each telling whether retrying may help;
//! the RPC maps them to distinct codes with a machine-readable `data` object. Nothing matches on
//! error text.

pub mod access;
pub mod base_path;
pub mod chain;
pub mod fair_queue;
pub mod ledger;
pub mod message;
pub mod metrics;
pub mod network;
pub mod node;
pub mod offenders;
pub mod publisher;
pub mod rpc;
pub mod scan;
pub mod service;
pub mod signatures;
pub mod validation;
