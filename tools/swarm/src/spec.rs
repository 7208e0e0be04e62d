//! The swarm's chain: the local network's genesis (Alice, Bob and Charlie validate; the chain
//! type stays `Local`, so the mesh takes development seeds) with the swarm already in it.
//!
//! Ten thousand agents need ten thousand sponsors' and citizens' verifications, each a Groth16
//! proof, and as many registrations and delegations: hours of setup before the first message.
//! Here they are genesis entries instead (personhood's `verified`, the action budget's `agents`
//! and `delegations`, which run the pallets' own registration and delegation code), and the
//! storage is built natively from the runtime's own genesis code: the WebAssembly genesis
//! builder's heap does not hold this much JSON. The runtime's code comes from the base spec, so
//! the nodes run the runtime they were built with.
//!
//! Every account derives from the development phrase, so each process of the harness (and
//! `teo-mesh --agent-suri`) names it without a key file: `//swarm//sponsor//<i>`,
//! `//swarm//agent//<i>`, `//swarm//citizen//<i>`. Agent `i` is sponsored by sponsor
//! `i / agents_per_sponsor`, but for a run's last agents (a team with a sponsor of its own, then
//! agents with one each: [`Swarm::sponsor_of`]); citizen `j` delegates to agent `j % agents`.

use std::sync::OnceLock;

use clap::Args;
use polkadot_sdk::{
	sp_core::{
		crypto::{DeriveJunction, Pair as _, DEV_PHRASE},
		sr25519,
		storage::well_known_keys::CODE,
	},
	sp_runtime::BuildStorage,
};
use serde_json::Value;
use teo_primitives::{constitution::Constitution, AccountId, BlockNumber};
use teo_runtime::{
	configs::CITIZENS_GROUP,
	genesis_config_presets::{self, DEV_ENDOWMENT, LOCAL_PRESET},
	RuntimeGenesisConfig,
};

/// The most agents one sponsor may register (the runtime's `MaxAgentsPerSponsor`).
const MAX_AGENTS_PER_SPONSOR: u32 = 8;

/// The shape of a swarm.
#[derive(Clone, Debug, Args)]
pub struct Swarm {
	/// Agents, each registered by a sponsor.
	#[arg(long, default_value_t = 300)]
	pub agents: u32,
	/// Agents per sponsor (at most 8): fewer sponsors share the per-person admission quota.
	#[arg(long, default_value_t = MAX_AGENTS_PER_SPONSOR)]
	pub agents_per_sponsor: u32,
	/// Citizens who delegate, one each, round-robin over the agents.
	#[arg(long, default_value_t = 0)]
	pub citizens: u32,
	/// The last agents have a sponsor each (a run's adversaries: a person's penalty binds all
	/// their agents, so one adversary's punishment would cut another's allowance).
	#[arg(skip)]
	pub solo_agents: u32,
	/// The agents just before the solo ones share one sponsor of their own, who shares no other
	/// agent (a run's admission grabbers: one person bidding with every agent they may have).
	#[arg(skip)]
	pub team_agents: u32,
	/// Blocks in the verification period: everyone verified at genesis lapses at its end, and
	/// verifying again takes a proof each, so it outlasts the run.
	#[arg(long, default_value_t = 100_000)]
	pub verification_period: BlockNumber,
}

impl Swarm {
	/// How many sponsors register the agents.
	pub fn sponsors(&self) -> u32 {
		self.shared_sponsors() + u32::from(self.team_agents > 0) + self.solo_agents
	}

	/// The agents that share sponsors `agents_per_sponsor` at a time: all but the team and the
	/// solo ones.
	fn shared_agents(&self) -> u32 {
		self.agents.saturating_sub(self.team_agents).saturating_sub(self.solo_agents)
	}

	/// The sponsors of the shared agents.
	fn shared_sponsors(&self) -> u32 {
		self.shared_agents().div_ceil(self.agents_per_sponsor)
	}

	/// The sponsor of agent `agent`: the shared agents' in turn, then the team's, then one for
	/// each solo agent.
	pub fn sponsor_of(&self, agent: u32) -> u32 {
		let shared = self.shared_agents();
		let team_sponsors = u32::from(self.team_agents > 0);
		match agent.checked_sub(shared) {
			None => agent / self.agents_per_sponsor,
			Some(in_team) if in_team < self.team_agents => self.shared_sponsors(),
			Some(after_shared) => {
				self.shared_sponsors() + team_sponsors + (after_shared - self.team_agents)
			},
		}
	}

	/// Why the chain could not start with this swarm, if it could not.
	pub fn check(&self) -> Result<(), String> {
		if !(1..=MAX_AGENTS_PER_SPONSOR).contains(&self.agents_per_sponsor) {
			return Err(format!("--agents-per-sponsor: from 1 to {MAX_AGENTS_PER_SPONSOR}"));
		}
		if self.team_agents > MAX_AGENTS_PER_SPONSOR {
			return Err(format!("one sponsor registers at most {MAX_AGENTS_PER_SPONSOR} agents"));
		}
		if self.team_agents.saturating_add(self.solo_agents) > self.agents {
			return Err("more agents with sponsors of their own than agents".into());
		}
		if self.citizens > 0 && self.agents == 0 {
			return Err("--citizens: delegating needs an agent".into());
		}
		let bounds = Constitution::Development.bounds().verification_period;
		if !bounds.contains(&self.verification_period) {
			return Err(format!(
				"--verification-period: from {} to {} blocks on a local chain",
				bounds.min, bounds.max
			));
		}
		Ok(())
	}
}

/// A role in the swarm.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
	/// A verified citizen who registers agents.
	Sponsor,
	/// An agent.
	Agent,
	/// A verified citizen who delegates to an agent.
	Citizen,
}

impl Role {
	fn name(self) -> &'static str {
		match self {
			Role::Sponsor => "sponsor",
			Role::Agent => "agent",
			Role::Citizen => "citizen",
		}
	}
}

/// The secret URI of the `i`-th account of `role`.
pub fn suri(role: Role, i: u32) -> String {
	format!("//swarm//{}//{i}", role.name())
}

/// The key of [`suri`]`(role, i)`, derived from the development phrase once rather than from
/// the phrase each time (its seed costs 2,048 rounds of PBKDF2).
pub fn key(role: Role, i: u32) -> sr25519::Pair {
	static ROOT: OnceLock<sr25519::Pair> = OnceLock::new();
	let root =
		ROOT.get_or_init(|| sr25519::Pair::from_string(DEV_PHRASE, None).expect("the dev phrase"));
	let path = [
		DeriveJunction::hard("swarm"),
		DeriveJunction::hard(role.name()),
		DeriveJunction::hard(u64::from(i)),
	];
	root.derive(path.into_iter(), None).expect("sr25519 derives hard junctions").0
}

/// The account of [`key`]`(role, i)`.
pub fn account(role: Role, i: u32) -> AccountId {
	key(role, i).public().into()
}

/// The local network's genesis with `swarm` in it: every sponsor, agent and citizen endowed as
/// the development accounts are, the sponsors and citizens verified citizens for the whole
/// verification period, the agents registered, the delegations made.
pub fn genesis(swarm: &Swarm) -> Result<RuntimeGenesisConfig, String> {
	swarm.check()?;
	let mut config =
		genesis_config_presets::preset_config(&LOCAL_PRESET.into()).expect("the local preset");
	let sponsors: Vec<AccountId> =
		(0..swarm.sponsors()).map(|i| account(Role::Sponsor, i)).collect();
	let agents: Vec<AccountId> = (0..swarm.agents).map(|i| account(Role::Agent, i)).collect();
	let citizens: Vec<AccountId> = (0..swarm.citizens).map(|i| account(Role::Citizen, i)).collect();

	let everyone = sponsors.iter().chain(&agents).chain(&citizens);
	config.balances.balances.extend(everyone.map(|who| (who.clone(), DEV_ENDOWMENT)));
	config.personhood.verification_period = swarm.verification_period;
	let humans = sponsors.iter().chain(&citizens);
	config.personhood.verified.extend(humans.map(|who| (CITIZENS_GROUP, who.clone())));
	config.action_budget.agents = (0..swarm.agents)
		.map(|i| (sponsors[swarm.sponsor_of(i) as usize].clone(), agents[i as usize].clone()))
		.collect();
	config.action_budget.delegations = citizens
		.iter()
		.enumerate()
		.map(|(j, citizen)| (citizen.clone(), agents[j % agents.len()].clone()))
		.collect();
	Ok(config)
}

/// The rules the swarm's chain runs by.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rules {
	/// TEO's runtime.
	Teo,
	/// The counterfactual: TEO's runtime with the human-bandwidth cap taken out
	/// (`teo_runtime::single_layer`), the same genesis.
	SingleLayer,
}

/// The raw chain spec of the swarm's chain: `base` (a raw spec of the local network) with the
/// genesis storage of [`genesis`] and `base`'s runtime code, or under [`Rules::SingleLayer`]
/// the counterfactual's code built beside it.
pub fn raw_spec(base: &[u8], swarm: &Swarm, rules: Rules) -> Result<Value, String> {
	let mut spec: Value =
		serde_json::from_slice(base).map_err(|e| format!("the base spec is not JSON: {e}"))?;
	let code_key = format!("0x{}", hex::encode(CODE));
	let code = spec["genesis"]["raw"]["top"][&code_key]
		.as_str()
		.ok_or("the base spec has no runtime code: export it with --raw")?
		.to_string();
	// The storage is built by this binary's runtime: the code must be the same runtime.
	if let Some(ours) = teo_runtime::WASM_BINARY {
		if code != format!("0x{}", hex::encode(ours)) {
			return Err("the base spec's runtime is not the one teo-swarm was built with: export \
			            the base spec with the teo-node of the same build"
				.into());
		}
	}
	if spec["chainType"] != "Local" {
		return Err(format!(
			"the base spec's chain type is {}: the swarm's agents use development seeds, which \
			 the mesh takes on local chains only (export --chain local)",
			spec["chainType"]
		));
	}
	let storage = genesis(swarm)?.build_storage()?;
	if !storage.children_default.is_empty() {
		return Err("the swarm's genesis has child storage, which this spec would drop".into());
	}
	let mut top: serde_json::Map<String, Value> = storage
		.top
		.into_iter()
		.map(|(key, value)| {
			(format!("0x{}", hex::encode(key)), Value::String(format!("0x{}", hex::encode(value))))
		})
		.collect();
	let (code, name, id) = match rules {
		Rules::Teo => (code, "TEO local", "local_swarm"),
		Rules::SingleLayer => {
			// The genesis storage is the same: the counterfactual changes code, not state.
			let single_layer = teo_runtime::single_layer::WASM_BINARY
				.ok_or("teo-swarm was built without the single-layer runtime (SKIP_WASM_BUILD)")?;
			(
				format!("0x{}", hex::encode(single_layer)),
				"A single layer",
				"local_swarm_single_layer",
			)
		},
	};
	top.insert(code_key, Value::String(code));
	spec["genesis"]["raw"]["top"] = Value::Object(top);
	spec["name"] = Value::String(format!("{name}, a swarm of {} agents", swarm.agents));
	// Its own id: a node keeps each chain's database under its id.
	spec["id"] = Value::String(id.into());
	Ok(spec)
}

#[cfg(test)]
mod tests {
	use super::*;
	use polkadot_sdk::sp_io::TestExternalities;
	use teo_primitives::traits::{ActionBudget as _, PersonhoodInspect};
	use teo_runtime::{ActionBudget, Personhood};

	fn swarm(agents: u32, citizens: u32) -> Swarm {
		Swarm {
			agents,
			agents_per_sponsor: 8,
			citizens,
			solo_agents: 0,
			team_agents: 0,
			verification_period: 100_000,
		}
	}

	#[test]
	fn the_keys_are_the_development_seeds_the_mesh_takes() {
		for (role, i) in [(Role::Sponsor, 0), (Role::Agent, 7), (Role::Citizen, 123_456)] {
			let from_seed = sr25519::Pair::from_string(&suri(role, i), None).unwrap();
			assert_eq!(key(role, i).public(), from_seed.public(), "{}", suri(role, i));
		}
		assert_ne!(account(Role::Agent, 1), account(Role::Citizen, 1));
	}

	/// A thousand agents, built as the nodes will read them: each registered by its sponsor,
	/// the delegations counted from the next epoch, everyone human verified and no agent.
	#[test]
	fn a_swarm_starts_registered_funded_and_delegated() {
		let swarm = swarm(1_000, 1_500);
		let storage = genesis(&swarm).unwrap().build_storage().unwrap();
		TestExternalities::new(storage).execute_with(|| {
			assert_eq!(swarm.sponsors(), 125);
			let last = account(Role::Agent, 999);
			assert_eq!(ActionBudget::sponsor_of(&last), Some(account(Role::Sponsor, 124)));
			let budget = ActionBudget::agent_budget(&last).unwrap();
			assert_eq!(budget.epoch, 0);
			// Agent 0 has citizens 0 and 1,000; agent 999 only citizen 999 (1,999 is past the
			// 1,500).
			let agent_0 = ActionBudget::agent_budget(&account(Role::Agent, 0)).unwrap();
			assert!(agent_0.next_allowance > budget.next_allowance, "{agent_0:?} {budget:?}");
			for who in [account(Role::Sponsor, 124), account(Role::Citizen, 1_499)] {
				assert!(<Personhood as PersonhoodInspect<_>>::is_human(&who));
			}
			assert!(!<Personhood as PersonhoodInspect<_>>::is_human(&last));
			assert_eq!(
				<Personhood as PersonhoodInspect<_>>::verified_count(CITIZENS_GROUP),
				// The local preset's own verified accounts: none.
				125 + 1_500
			);
		});
	}

	#[test]
	fn solo_agents_have_a_sponsor_each_after_the_shared_ones() {
		let swarm = Swarm { solo_agents: 3, ..swarm(300, 0) };
		// 297 agents share 38 sponsors (the last holds one); then one sponsor each.
		assert_eq!(swarm.sponsors(), 38 + 3);
		assert_eq!(swarm.sponsor_of(296), 37);
		assert_eq!(
			(swarm.sponsor_of(297), swarm.sponsor_of(298), swarm.sponsor_of(299)),
			(38, 39, 40)
		);
		let storage = genesis(&swarm).unwrap().build_storage().unwrap();
		TestExternalities::new(storage).execute_with(|| {
			let sponsor = |agent| ActionBudget::sponsor_of(&account(Role::Agent, agent));
			assert_eq!(sponsor(299), Some(account(Role::Sponsor, 40)));
			assert_eq!(sponsor(296), Some(account(Role::Sponsor, 37)));
		});
	}

	#[test]
	fn a_team_shares_one_sponsor_of_its_own_between_the_shared_and_the_solo_agents() {
		let team = Swarm { team_agents: 8, solo_agents: 2, ..swarm(300, 0) };
		// 290 agents share 37 sponsors (the last holds two); the team one; then one each.
		assert_eq!(team.sponsors(), 37 + 1 + 2);
		assert_eq!(team.sponsor_of(289), 36);
		assert!((290..298).all(|agent| team.sponsor_of(agent) == 37));
		assert_eq!((team.sponsor_of(298), team.sponsor_of(299)), (38, 39));
		let storage = genesis(&team).unwrap().build_storage().unwrap();
		TestExternalities::new(storage).execute_with(|| {
			let sponsor = |agent| ActionBudget::sponsor_of(&account(Role::Agent, agent));
			assert_eq!(sponsor(290), Some(account(Role::Sponsor, 37)));
			assert_eq!(sponsor(297), Some(account(Role::Sponsor, 37)));
			assert_eq!(sponsor(299), Some(account(Role::Sponsor, 39)));
		});
		assert!(genesis(&Swarm { team_agents: 9, ..swarm(300, 0) }).is_err(), "over a sponsor's 8");
		assert!(genesis(&Swarm { team_agents: 8, solo_agents: 3, ..swarm(10, 0) }).is_err());
	}

	#[test]
	fn a_swarm_the_runtime_would_refuse_is_refused_before_it_builds() {
		assert!(genesis(&Swarm { agents_per_sponsor: 9, ..swarm(10, 0) }).is_err());
		assert!(genesis(&Swarm { agents_per_sponsor: 0, ..swarm(10, 0) }).is_err());
		assert!(genesis(&swarm(0, 3)).is_err());
		assert!(genesis(&Swarm { verification_period: 10, ..swarm(10, 0) }).is_err());
	}

	#[test]
	fn the_spec_keeps_the_base_code_and_refuses_a_development_chain() {
		let code_key = format!("0x{}", hex::encode(CODE));
		// The runtime this test was built with, as the node's exported spec carries it.
		let code = format!("0x{}", hex::encode(teo_runtime::WASM_BINARY.unwrap_or(&[1, 2])));
		let base = serde_json::json!({
			"name": "Local",
			"id": "local_testnet",
			"chainType": "Local",
			"genesis": { "raw": { "top": { code_key.clone(): code.clone() } } },
		});
		let spec = raw_spec(base.to_string().as_bytes(), &swarm(16, 2), Rules::Teo).unwrap();
		assert_eq!(spec["genesis"]["raw"]["top"][&code_key], code);
		assert_eq!(spec["id"], "local_swarm");
		assert!(spec["genesis"]["raw"]["top"].as_object().unwrap().len() > 100);
		if let Some(single_layer) = teo_runtime::single_layer::WASM_BINARY {
			let counterfactual =
				raw_spec(base.to_string().as_bytes(), &swarm(16, 2), Rules::SingleLayer).unwrap();
			let top = |spec: &Value| spec["genesis"]["raw"]["top"].as_object().unwrap().clone();
			let (mut ours, mut theirs) = (top(&spec), top(&counterfactual));
			assert_eq!(
				theirs.remove(&code_key).unwrap(),
				format!("0x{}", hex::encode(single_layer))
			);
			ours.remove(&code_key);
			assert_eq!(ours, theirs, "the same genesis state");
			assert_ne!(counterfactual["id"], spec["id"]);
		}
		let mut dev = base.clone();
		dev["chainType"] = "Development".into();
		assert!(raw_spec(dev.to_string().as_bytes(), &swarm(16, 2), Rules::Teo)
			.unwrap_err()
			.contains("local"));
		if teo_runtime::WASM_BINARY.is_some() {
			let mut other = base.clone();
			other["genesis"]["raw"]["top"][&code_key] = "0x0102".into();
			let refused =
				raw_spec(other.to_string().as_bytes(), &swarm(16, 2), Rules::Teo).unwrap_err();
			assert!(refused.contains("same build"), "{refused}");
		}
	}
}
