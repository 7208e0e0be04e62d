//! Groups: genesis, creation by the admin origin, registrars.

use super::*;

#[test]
fn genesis_builds_the_tree_of_its_members() {
	ExtBuilder::default().build_and_execute(|| {
		let info = Groups::<Test>::get(CITIZENS).unwrap();
		assert_eq!(
			(info.registrar.clone(), info.size, info.name.to_vec()),
			(registrar(), 6, b"citizens".to_vec())
		);
		let expected =
			teo_zk::lean_imt::LeanImt::from_leaves((0..6).map(|n| identity(n).commitment));
		assert_eq!(Personhood::current_root(CITIZENS), Some(root_of(&expected)));
		assert_eq!(MemberIndex::<Test>::get(CITIZENS, commitment(3)), Some(3));
		assert_eq!(NextGroupId::<Test>::get(), 1);
		assert!(VerifyingKeys::<Test>::contains_key(DEPTH));
		assert_eq!(CurrentPeriod::<Test>::get(), PeriodInfo { index: 0, start: 0, length: PERIOD });
	});
}

#[test]
fn only_governance_creates_groups_and_their_number_is_bounded() {
	ExtBuilder::default().build_and_execute(|| {
		assert_noop!(
			Personhood::create_group(signed(&account(Alice)), account(Bob), name(b"x")),
			DispatchError::BadOrigin
		);
		assert_ok!(Personhood::create_group(root(), account(Bob), name(b"town")));
		System::assert_last_event(Event::GroupCreated { group: 1, registrar: account(Bob) }.into());
		assert_ok!(Personhood::create_group(root(), account(Bob), name(b"guild")));
		assert_noop!(
			Personhood::create_group(root(), account(Bob), name(b"one more")),
			Error::<Test>::TooManyGroups
		);
		assert_eq!(Personhood::current_root(1), None);
	});
}

#[test]
fn governance_appoints_registrars() {
	ExtBuilder::default().build_and_execute(|| {
		assert_noop!(
			Personhood::set_registrar(signed(&registrar()), CITIZENS, account(Bob)),
			DispatchError::BadOrigin
		);
		assert_noop!(
			Personhood::set_registrar(root(), 9, account(Bob)),
			Error::<Test>::UnknownGroup
		);
		assert_ok!(Personhood::set_registrar(root(), CITIZENS, account(Bob)));
		System::assert_last_event(
			Event::RegistrarChanged { group: CITIZENS, registrar: account(Bob) }.into(),
		);
		assert_noop!(
			Personhood::add_member(signed(&registrar()), CITIZENS, commitment(6)),
			Error::<Test>::NotRegistrar
		);
		assert_ok!(Personhood::add_member(signed(&account(Bob)), CITIZENS, commitment(6)));
	});
}
