//! The queue in front of the signature workers: one queue per peer, served in turn, so that a
//! few peers flooding the node cannot crowd out the rest. Each peer may hold at most
//! `per_peer` jobs and all peers together `total`; past either bound a job is refused (the
//! caller ignores the message as `busy`, which costs the sender nothing it did not cause).

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

	/// Queues `job` from `source`, or gives it back when that source's share or the whole
	/// queue is full.
	pub fn push(&mut self, source: S, job: J) -> Result<(), J> {
		if self.len >= self.total {
			return Err(job);
		}
		let queue = self.queues.entry(source.clone()).or_default();
		if queue.len() >= self.per_peer {
			return Err(job);
		}
		if queue.is_empty() {
			self.turn.push_back(source);
		}
		queue.push_back(job);
		self.len += 1;
		Ok(())
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
			queue.push("flooder", i).unwrap();
		}
		assert_eq!(queue.push("flooder", 100), Err(100), "its share is full");
		queue.push("honest", 1_000).unwrap();
		queue.push("other", 2_000).unwrap();
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
	fn the_whole_queue_is_bounded() {
		let mut queue = FairQueue::new(10, 25);
		for source in 0..3 {
			for job in 0..10 {
				let result = queue.push(source, job);
				assert_eq!(result.is_ok(), source * 10 + job < 25, "source {source} job {job}");
			}
		}
		assert_eq!(queue.len(), 25);
		queue.pop();
		assert!(queue.push(3, 0).is_ok(), "room again once a job leaves");
	}
}
