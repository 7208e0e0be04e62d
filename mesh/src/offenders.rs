//! Peers banned for relaying what every honest peer rejects.
//!
//! gossipsub graylists a peer whose score falls below [`network::GRAYLIST_THRESHOLD`] and then
//! drops what it sends unread, but the connection stays open: a slot of
//! [`network::MAX_CONNECTIONS`], a handler, the frames to read. Closing it on gossipsub's score
//! alone would go wrong twice. The score also counts what honest peers do (many peers behind one
//! address, a NAT or an attacker's Sybils beside them, cross gossipsub's colocation threshold),
//! and gossipsub does not decay the retained score of a peer that is gone, so a peer closed as
//! soon as it reconnects would stay banned for as long as it tries.
//!
//! So this peer keeps its own count, of **rejected** messages only: messages that are malformed,
//! forged or provable fraud, which every honest peer judges alike and never relays (what depends
//! on a peer's own view is ignored, never rejected: see `validation`). The count decays as
//! gossipsub's invalid-delivery counter does, to 1 % over [`network::PENALTY_MEMORY`], and its
//! penalty is gossipsub's (`count² × INVALID_DELIVERY_WEIGHT`). A peer whose penalty falls below
//! the graylist threshold is banned for [`BAN`]: its connections are closed, and none is made or
//! accepted until the ban ends (`libp2p::allow_block_list`, so gossipsub never sees the
//! attempts). Then it may come back with what is left of its count.
//!
//! Threats, and what holds:
//! - *A stream of junk from fresh identities*: each identity is banned after two rejections in
//!   a few seconds; the tables are bounded ([`MAX_TRACKED`]), oldest entries first out, and a
//!   ban evicted is lifted at once (the attacker's oldest identities come back early, to be
//!   banned again after two more messages).
//! - *Getting honest peers banned*: only faults in the message's bytes count
//!   ([`crate::validation::Reason::bans_the_relayer`]). A rejection that rests on the chain
//!   (`NotAnAgent` for an agent registered a block later, which a peer that saw the
//!   registration relays in good faith) is left to gossipsub's score and closes nothing.
//! - *A bootnode banned*: dialed again when its ban ends.
//! - *A peer that redials at once*: refused before any protocol runs, until the ban ends.
//! - *Honest peers banning each other*: an honest relayer forwards nothing it has not
//!   validated. Two releases that disagree on what is malformed (a new message type, a larger
//!   body limit) would ban each other for [`BAN`] at a time, again and again while traffic
//!   flows: such a change raises the protocol version in the topic names, so that the two
//!   releases never share a topic (a test pins the wire format to the version).

use std::{
	collections::HashMap,
	time::{Duration, Instant},
};

use libp2p::PeerId;

use crate::network;

/// How long a ban lasts: the penalty's memory, and five seconds for gossipsub to forget the
/// score it retained when the peer left (`retain_score` is the penalty's memory too, counted
/// from the connection's close, and scores are dropped on a one-second timer).
pub const BAN: Duration = Duration::from_millis(network::PENALTY_MEMORY.as_millis() as u64 + 5_000);

/// Peers tracked at most, counted and banned apart: a flood of identities cannot grow either
/// table without bound.
pub const MAX_TRACKED: usize = 4096;

/// A count below this is forgotten (gossipsub's "zero" for decayed counters).
const FORGOTTEN: f64 = 0.01;

/// The counts of rejected messages per peer, and the bans.
#[derive(Default)]
pub struct Offenders {
	/// Each peer's decayed count of rejected messages, as of the instant beside it.
	rejections: HashMap<PeerId, (f64, Instant)>,
	/// Banned peers, until when.
	banned: HashMap<PeerId, Instant>,
}

impl Offenders {
	/// Counts a message from `peer` that this peer rejected: whether that bans it (it was not
	/// banned before), and a peer whose ban ended early to make room in a full table, to be let
	/// back in (a ban evicted but left in force would last until the process restarts).
	pub fn rejected(&mut self, peer: PeerId, now: Instant) -> (bool, Option<PeerId>) {
		if !self.rejections.contains_key(&peer) && self.rejections.len() >= MAX_TRACKED {
			self.forget_decayed(now);
			if self.rejections.len() >= MAX_TRACKED {
				evict_oldest(&mut self.rejections, |(_, at)| *at);
			}
		}
		let (count, at) = self.rejections.entry(peer).or_insert((0.0, now));
		*count = decayed(*count, now.saturating_duration_since(*at)) + 1.0;
		*at = now;
		let penalty = *count * *count * network::INVALID_DELIVERY_WEIGHT;
		if penalty >= network::GRAYLIST_THRESHOLD || self.banned.contains_key(&peer) {
			return (false, None);
		}
		let evicted = if self.banned.len() >= MAX_TRACKED {
			evict_oldest(&mut self.banned, |until| *until)
		} else {
			None
		};
		self.banned.insert(peer, now + BAN);
		(true, evicted)
	}

	/// Ends the bans due by `now` and forgets decayed counts: the peers to let back in.
	pub fn expire(&mut self, now: Instant) -> Vec<PeerId> {
		self.forget_decayed(now);
		let ended: Vec<PeerId> =
			self.banned.iter().filter(|(_, until)| **until <= now).map(|(peer, _)| *peer).collect();
		for peer in &ended {
			self.banned.remove(peer);
		}
		ended
	}

	/// Whether `peer` is banned.
	pub fn is_banned(&self, peer: &PeerId) -> bool {
		self.banned.contains_key(peer)
	}

	/// Peers banned now.
	pub fn banned(&self) -> usize {
		self.banned.len()
	}

	fn forget_decayed(&mut self, now: Instant) {
		self.rejections.retain(|_, (count, at)| {
			decayed(*count, now.saturating_duration_since(*at)) >= FORGOTTEN
		});
	}
}

/// `count` after `elapsed`: down to 1 % over [`network::PENALTY_MEMORY`], continuously.
fn decayed(count: f64, elapsed: Duration) -> f64 {
	count * FORGOTTEN.powf(elapsed.as_secs_f64() / network::PENALTY_MEMORY.as_secs_f64())
}

/// Removes the entry whose `key` is least, and says whose it was.
fn evict_oldest<V>(map: &mut HashMap<PeerId, V>, key: impl Fn(&V) -> Instant) -> Option<PeerId> {
	let oldest = map.iter().min_by_key(|(_, value)| key(value)).map(|(peer, _)| *peer)?;
	map.remove(&oldest);
	Some(oldest)
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn two_rejections_in_a_few_seconds_ban_a_peer_one_does_not() {
		let (mut offenders, start, peer) = (Offenders::default(), Instant::now(), PeerId::random());
		assert_eq!(offenders.rejected(peer, start), (false, None));
		assert!(!offenders.is_banned(&peer));
		assert_eq!(offenders.rejected(peer, start + Duration::from_secs(3)), (true, None));
		assert!(offenders.is_banned(&peer));
		// Banned once: more rejections do not ban again.
		assert_eq!(offenders.rejected(peer, start + Duration::from_secs(4)), (false, None));
		assert_eq!(offenders.banned(), 1);
	}

	#[test]
	fn rejections_far_apart_are_forgiven() {
		let (mut offenders, start, peer) = (Offenders::default(), Instant::now(), PeerId::random());
		assert!(!offenders.rejected(peer, start).0);
		// Decayed to 1 %: the second counts as almost a first.
		assert!(!offenders.rejected(peer, start + network::PENALTY_MEMORY).0);
		assert!(!offenders.is_banned(&peer));
		// Decayed to 10 % at half the memory: 1.1 is below the threshold's √2.5.
		assert!(!offenders.rejected(peer, start + network::PENALTY_MEMORY * 3 / 2).0);
	}

	#[test]
	fn a_ban_ends_after_its_time_and_the_count_is_forgotten_later() {
		let (mut offenders, start, peer) = (Offenders::default(), Instant::now(), PeerId::random());
		offenders.rejected(peer, start);
		assert!(offenders.rejected(peer, start).0);
		assert!(offenders.expire(start + BAN - Duration::from_millis(1)).is_empty());
		assert_eq!(offenders.expire(start + BAN), vec![peer]);
		assert!(!offenders.is_banned(&peer));
		// Back with 2 × 1 % left: one more rejection does not ban it again at once.
		assert!(!offenders.rejected(peer, start + BAN).0);
		assert!(offenders.expire(start + BAN * 3).is_empty());
		assert!(offenders.rejections.is_empty());
	}

	#[test]
	fn a_flood_of_identities_stays_bounded_and_every_ban_evicted_is_lifted() {
		let (mut offenders, start) = (Offenders::default(), Instant::now());
		let mut banned = Vec::new();
		let mut lifted = Vec::new();
		for i in 0..(3 * MAX_TRACKED) {
			let peer = PeerId::random();
			let at = start + Duration::from_millis(i as u64);
			offenders.rejected(peer, at);
			let (newly, evicted) = offenders.rejected(peer, at);
			assert!(newly);
			banned.push(peer);
			lifted.extend(evicted);
		}
		assert!(offenders.rejections.len() <= MAX_TRACKED);
		assert_eq!(offenders.banned(), MAX_TRACKED);
		// The oldest bans made room, in order, and each was handed back to be lifted.
		assert_eq!(lifted, banned[..2 * MAX_TRACKED]);
		assert!(lifted.iter().all(|peer| !offenders.is_banned(peer)));
	}
}
