//! Asking other peers for an agent's latest messages: what a service that lost its ledger
//! needs before it signs again.
//!
//! A service reserves every message in its ledger before signing, so a surviving ledger never
//! lets it sign two headers with one `seq` or overlapping spend ranges. A *lost* ledger (a new
//! machine, a restored backup, a wiped disk) restarts at `seq` 0 mid-epoch; the service's own
//! peer shows it the agent's earlier messages, unless that peer lost its memory too (it was
//! restarted with the service). So the service asks its peers, the first time it signs for an
//! agent in an epoch after it starts, for the agent's latest headers in the epoch, and moves its
//! ledger past them. It asks the operator's bootnodes first, then the peers of its gossip mesh,
//! so that strangers who merely connected cannot take every place.
//!
//! A peer answers with at most two of the agent's *signed* headers from what it accepted: the
//! one with the highest `seq` and the one whose spend range ends furthest. The asker checks
//! every signature, so a lying peer can only withhold (then the asker relies on the others),
//! never make it skip ahead of what the agent really signed.

use std::{io, time::Duration};

use codec::{Decode, DecodeAll, Encode};
use futures::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use libp2p::{request_response, StreamProtocol};
use teo_primitives::{
	mesh::{BudgetUnits, SignedMeshHeader},
	AccountId, EpochIndex, Hash,
};

/// The protocol's name.
pub const PROTOCOL: StreamProtocol = StreamProtocol::new("/teo-mesh/latest/1.0.0");

/// How long an asker waits for one peer's answer.
pub const TIMEOUT: Duration = Duration::from_secs(2);

/// Peers asked at most per question: answers are two headers at most, so asking many costs
/// little, and an honest one among them is enough.
pub const PEERS_ASKED: usize = 16;

/// Headers in one answer at most.
pub const MAX_HEADERS: usize = 2;

/// The largest request: an account and an epoch.
const MAX_REQUEST_LEN: u64 = 64;

/// The largest answer: two signed headers with room to spare.
const MAX_RESPONSE_LEN: u64 = 4096;

/// "What are the latest messages of `agent` in `epoch` that you accepted?"
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
pub struct LatestRequest {
	/// The agent.
	pub agent: AccountId,
	/// The epoch.
	pub epoch: EpochIndex,
}

/// The answer: at most [`MAX_HEADERS`] of the agent's signed headers (none when the peer saw
/// nothing of it in the epoch).
#[derive(Clone, Debug, Default, PartialEq, Eq, Encode, Decode)]
pub struct LatestResponse {
	/// The headers.
	pub headers: Vec<SignedMeshHeader>,
}

/// Past the headers among `headers` that are really `agent`'s in `epoch` on the chain with
/// `genesis`: the next `seq` and the end of the spend ranges. `None` when there is none.
pub fn high_water(
	headers: &[SignedMeshHeader],
	agent: &AccountId,
	epoch: EpochIndex,
	genesis: &Hash,
) -> Option<(u64, BudgetUnits)> {
	headers
		.iter()
		.filter(|h| h.header.agent == *agent && h.header.epoch == epoch && h.verify(genesis))
		.map(|h| {
			let next_seq = h.header.seq.saturating_add(1);
			(next_seq, h.header.spend_end().unwrap_or(BudgetUnits::MAX))
		})
		.reduce(|(seq_a, end_a), (seq_b, end_b)| (seq_a.max(seq_b), end_a.max(end_b)))
}

/// SCALE over a stream, bounded in both directions.
#[derive(Clone, Copy, Debug, Default)]
pub struct Codec;

async fn read_bounded<T, M>(io: &mut T, limit: u64) -> io::Result<M>
where
	T: AsyncRead + Unpin + Send,
	M: Decode,
{
	let mut bytes = Vec::new();
	io.take(limit + 1).read_to_end(&mut bytes).await?;
	if bytes.len() as u64 > limit {
		return Err(io::Error::new(io::ErrorKind::InvalidData, "longer than the protocol allows"));
	}
	M::decode_all(&mut &bytes[..]).map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))
}

async fn write_all<T>(io: &mut T, message: impl Encode) -> io::Result<()>
where
	T: AsyncWrite + Unpin + Send,
{
	io.write_all(&message.encode()).await?;
	io.close().await
}

impl request_response::Codec for Codec {
	type Protocol = StreamProtocol;
	type Request = LatestRequest;
	type Response = LatestResponse;

	async fn read_request<T>(&mut self, _: &StreamProtocol, io: &mut T) -> io::Result<LatestRequest>
	where
		T: AsyncRead + Unpin + Send,
	{
		read_bounded(io, MAX_REQUEST_LEN).await
	}

	async fn read_response<T>(
		&mut self,
		_: &StreamProtocol,
		io: &mut T,
	) -> io::Result<LatestResponse>
	where
		T: AsyncRead + Unpin + Send,
	{
		let mut response: LatestResponse = read_bounded(io, MAX_RESPONSE_LEN).await?;
		response.headers.truncate(MAX_HEADERS);
		Ok(response)
	}

	async fn write_request<T>(
		&mut self,
		_: &StreamProtocol,
		io: &mut T,
		request: LatestRequest,
	) -> io::Result<()>
	where
		T: AsyncWrite + Unpin + Send,
	{
		write_all(io, request).await
	}

	async fn write_response<T>(
		&mut self,
		_: &StreamProtocol,
		io: &mut T,
		response: LatestResponse,
	) -> io::Result<()>
	where
		T: AsyncWrite + Unpin + Send,
	{
		write_all(io, response).await
	}
}

/// The behaviour: every peer answers and asks.
pub fn behaviour() -> request_response::Behaviour<Codec> {
	request_response::Behaviour::new(
		[(PROTOCOL, request_response::ProtocolSupport::Full)],
		request_response::Config::default().with_request_timeout(TIMEOUT),
	)
}

#[cfg(test)]
mod tests {
	use super::*;
	use polkadot_sdk::{
		sp_core::{crypto::Pair as _, sr25519},
		sp_runtime::MultiSignature,
	};
	use teo_primitives::mesh::{MeshHeader, MessageKind};

	fn signed(
		pair: &sr25519::Pair,
		seq: u64,
		spent_before: u64,
		genesis: &Hash,
	) -> SignedMeshHeader {
		let header = MeshHeader {
			agent: pair.public().into(),
			group: 0,
			kind: MessageKind::Poll,
			epoch: 3,
			seq,
			spent_before,
			cost: 5,
			body_len: 1,
			body_hash: Hash::zero(),
			anchor_number: 1,
			anchor_hash: Hash::zero(),
			commit_root: Hash::zero(),
		};
		let signature = MultiSignature::from(pair.sign(&header.signing_payload(genesis)));
		SignedMeshHeader { header, signature }
	}

	/// A peer that lies can only withhold: forged, foreign or other-epoch headers move nothing.
	#[test]
	fn only_the_agents_own_signed_headers_count() {
		let genesis = Hash::repeat_byte(1);
		let agent = sr25519::Pair::from_string("//Agent", None).unwrap();
		let mallory = sr25519::Pair::from_string("//Mallory", None).unwrap();
		let id: AccountId = agent.public().into();
		let honest = [signed(&agent, 4, 20, &genesis), signed(&agent, 2, 30, &genesis)];
		assert_eq!(high_water(&honest, &id, 3, &genesis), Some((5, 35)));

		let mut forged = signed(&mallory, 90, 900, &genesis);
		forged.header.agent = id.clone();
		let other_chain = signed(&agent, 80, 800, &Hash::repeat_byte(2));
		let mut other_epoch = signed(&agent, 70, 700, &genesis);
		other_epoch.header.epoch = 4;
		let lies = [forged, other_chain, other_epoch];
		assert_eq!(high_water(&lies, &id, 3, &genesis), None);
		let mixed: Vec<_> = honest.iter().chain(lies.iter()).cloned().collect();
		assert_eq!(high_water(&mixed, &id, 3, &genesis), Some((5, 35)));
	}
}
