//! The invariants `do_try_state` checks (the mock checks them after every test).

use polkadot_sdk::frame_support::assert_ok;

use super::submit;
use crate::{mock::*, Proposals};

#[test]
fn try_state_detects_an_unheld_deposit() {
	ExtBuilder::default().build().execute_with(|| {
		submit(CITIZENS, remark(1));
		assert_ok!(CommitGate::do_try_state());
		Proposals::<Test>::mutate(0, |p| p.as_mut().unwrap().deposit += 1);
		assert!(CommitGate::do_try_state().is_err());
	});
}
