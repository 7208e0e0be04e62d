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
//!   a few seconds; the tables are bounded ([`MAX_TRACKED`]), oldest entries first out.
//! - *A peer that redials at once*: refused before any protocol runs, until the ban ends.
//! - *Honest peers banning each other*: only rejections count, and an honest relayer forwards
//!   nothing it has not validated. Two versions that disagree on what is malformed would ban
//!   each other for [`BAN`] at a time, not for good.

use std::{
	collections::HashMap,
	time::{Duration, Instant},
};

use libp2p::PeerId;

use crate::network;

/// How long a ban lasts: the penalty's memory, and two heartbeats for gossipsub to forget the
/// score it retained when the peer left (`retain_score` is the penalty's memory too).
pub const BAN: Duration = Duration::from_millis(
	network::PENALTY_MEMORY.as_millis() as u64 + 2 * network::HEARTBEAT.as_millis() as u64,
);

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
	/// Counts a message from `peer` that this peer rejected; `true` when that bans it (it was
	/// not banned before).
	pub fn rejected(&mut self, peer: PeerId, now: Instant) -> bool {
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
			return false;
		}
		if self.banned.len() >= MAX_TRACKED {
			evict_oldest(&mut self.banned, |until| *until);
		}
		self.banned.insert(peer, now + BAN);
		true
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

/// Removes the entry whose `key` is least.
fn evict_oldest<V>(map: &mut HashMap<PeerId, V>, key: impl Fn(&V) -> Instant) {
	if let Some(oldest) = map.iter().min_by_key(|(_, value)| key(value)).map(|(peer, _)| *peer) {
		map.remove(&oldest);
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn two_rejections_in_a_few_seconds_ban_a_peer_one_does_not() {
		let (mut offenders, start, peer) = (Offenders::default(), Instant::now(), PeerId::random());
		assert!(!offenders.rejected(peer, start));
		assert!(!offenders.is_banned(&peer));
		assert!(offenders.rejected(peer, start + Duration::from_secs(3)));
		assert!(offenders.is_banned(&peer));
		// Banned once: more rejections do not ban again.
		assert!(!offenders.rejected(peer, start + Duration::from_secs(4)));
		assert_eq!(offenders.banned(), 1);
	}

	#[test]
	fn rejections_far_apart_are_forgiven() {
		let (mut offenders, start, peer) = (Offenders::default(), Instant::now(), PeerId::random());
		assert!(!offenders.rejected(peer, start));
		// Decayed to 1 %: the second counts as almost a first.
		assert!(!offenders.rejected(peer, start + network::PENALTY_MEMORY));
		assert!(!offenders.is_banned(&peer));
		// Decayed to 10 % at half the memory: 1.1 is below the threshold's √2.5.
		assert!(!offenders.rejected(peer, start + network::PENALTY_MEMORY * 3 / 2));
	}

	#[test]
	fn a_ban_ends_after_its_time_and_the_count_is_forgotten_later() {
		let (mut offenders, start, peer) = (Offenders::default(), Instant::now(), PeerId::random());
		offenders.rejected(peer, start);
		assert!(offenders.rejected(peer, start));
		assert!(offenders.expire(start + BAN - Duration::from_millis(1)).is_empty());
		assert_eq!(offenders.expire(start + BAN), vec![peer]);
		assert!(!offenders.is_banned(&peer));
		// Back with 2 × 1 % left: one more rejection does not ban it again at once.
		assert!(!offenders.rejected(peer, start + BAN));
		assert!(offenders.expire(start + BAN * 3).is_empty());
		assert!(offenders.rejections.is_empty());
	}

	#[test]
	fn a_flood_of_identities_stays_bounded() {
		let (mut offenders, start) = (Offenders::default(), Instant::now());
		for i in 0..(3 * MAX_TRACKED) {
			let peer = PeerId::random();
			let at = start + Duration::from_millis(i as u64);
			offenders.rejected(peer, at);
			offenders.rejected(peer, at);
		}
		assert!(offenders.rejections.len() <= MAX_TRACKED);
		assert_eq!(offenders.banned(), MAX_TRACKED);
	}
}
