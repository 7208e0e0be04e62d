//! The queue in front of the signature workers: one queue per peer, served in turn, so that a
//! few peers flooding the node cannot crowd out the rest. Each peer may hold at most
//! `per_peer` jobs and all peers together `total`. Past a peer's share its job is refused; when
//! the whole queue is full, the newest job of the peer with the most waiting makes room for a
//! peer with fewer (the caller ignores the dropped message as `busy`, which costs the sender
//! nothing it did not cause). So a handful of flooding peers cannot fill the queue for the rest.

use std::{
	collections::{HashMap, VecDeque},
	hash::Hash,
};

/// Jobs queued per source and served round-robin.
pub struct FairQueue<S, J> {
	queues: HashMap<S, VecDeque<J>>,
	/// Sources with queued jobs, in the order they are served.
	turn: VecDeque<S>,
	len: usize,
	per_peer: usize,
	total: usize,
}

impl<S: Clone + Eq + Hash, J> FairQueue<S, J> {
	/// A queue holding at most `per_peer` jobs of one source and `total` in all.
	pub fn new(per_peer: usize, total: usize) -> Self {
		Self { queues: HashMap::new(), turn: VecDeque::new(), len: 0, per_peer, total }
	}

	/// Queues `job` from `source`: `Ok(Some(evicted))` when a full queue dropped the newest
	/// job of the source with the most waiting to make room, `Err(job)` when `source`'s share is
	/// full, or the queue is and no source has more waiting than `source`.
	pub fn push(&mut self, source: S, job: J) -> Result<Option<J>, J> {
		let waiting = self.queues.get(&source).map_or(0, VecDeque::len);
		if waiting >= self.per_peer {
			return Err(job);
		}
		let mut evicted = None;
		if self.len >= self.total {
			let longest = self
				.queues
				.iter()
				.max_by_key(|(_, queue)| queue.len())
				.filter(|(_, queue)| queue.len() > waiting + 1)
				.map(|(longest, _)| longest.clone());
			let Some(longest) = longest else { return Err(job) };
			evicted = self.queues.get_mut(&longest).and_then(VecDeque::pop_back);
			self.len -= usize::from(evicted.is_some());
			// Still queued: its jobs left are at least `waiting + 1`, so it keeps its turn.
		}
		let queue = self.queues.entry(source.clone()).or_default();
		if queue.is_empty() {
			self.turn.push_back(source);
		}
		queue.push_back(job);
		self.len += 1;
		Ok(evicted)
	}

	/// The next job, from the source whose turn it is.
	pub fn pop(&mut self) -> Option<J> {
		let source = self.turn.pop_front()?;
		let queue = self.queues.get_mut(&source)?;
		let job = queue.pop_front();
		if queue.is_empty() {
			// An idle source holds no memory.
			self.queues.remove(&source);
		} else {
			self.turn.push_back(source);
		}
		self.len -= usize::from(job.is_some());
		job
	}

	/// Jobs queued in all.
	pub fn len(&self) -> usize {
		self.len
	}

	/// `true` when no job is queued.
	pub fn is_empty(&self) -> bool {
		self.len == 0
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn a_flooding_source_gets_its_turn_and_no_more() {
		let mut queue = FairQueue::new(100, 1_000);
		for i in 0..100 {
			assert_eq!(queue.push("flooder", i), Ok(None));
		}
		assert_eq!(queue.push("flooder", 100), Err(100), "its share is full");
		assert_eq!(queue.push("honest", 1_000), Ok(None));
		assert_eq!(queue.push("other", 2_000), Ok(None));
		// The honest sources are served within the first round, not after the flood.
		let first: Vec<i32> = (0..3).filter_map(|_| queue.pop()).collect();
		assert_eq!(first, vec![0, 1_000, 2_000]);
		assert_eq!(queue.len(), 99);
		let rest: Vec<i32> = std::iter::from_fn(|| queue.pop()).collect();
		assert_eq!(rest, (1..100).collect::<Vec<_>>());
		assert!(queue.is_empty());
		assert!(queue.queues.is_empty() && queue.turn.is_empty(), "nothing kept for idle sources");
	}

	#[test]
	fn a_full_queue_makes_room_by_dropping_from_the_longest() {
		// One flooder fills the whole queue (its share is larger than the queue)...
		let mut queue = FairQueue::new(30, 25);
		for job in 0..25 {
			assert_eq!(queue.push("flooder", job), Ok(None));
		}
		assert_eq!(queue.push("flooder", 25), Err(25), "it cannot push itself out");
		// ... and a newcomer still gets in, in place of the flooder's newest job.
		assert_eq!(queue.push("newcomer", 700), Ok(Some(24)));
		assert_eq!(queue.len(), 25);
		assert_eq!(queue.pop(), Some(0));
		assert_eq!(queue.pop(), Some(700), "and is served in its turn");
		// Equal shares: nobody has more than the newcomer's next job would leave it.
		let mut fair = FairQueue::new(10, 4);
		for source in 0..4 {
			assert_eq!(fair.push(source, source), Ok(None));
		}
		assert_eq!(fair.push(0, 99), Err(99), "no source has more waiting than this one");
		fair.pop();
		assert_eq!(fair.push(0, 99), Ok(None), "room again once a job leaves");
	}
}
