//! Members: appending and removing commitments, following zk-kit's LeanIMT.

use super::*;

#[test]
fn adding_members_follows_zk_kits_tree() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(Personhood::add_member(signed(&registrar()), CITIZENS, commitment(6)));
		let mut expected =
			teo_zk::lean_imt::LeanImt::from_leaves((0..7).map(|n| identity(n).commitment));
		System::assert_last_event(
			Event::MembersAdded {
				group: CITIZENS,
				first_index: 6,
				commitments: vec![commitment(6)],
				root: root_of(&expected),
			}
			.into(),
		);
		let batch: BoundedVec<_, _> =
			(7..10).map(commitment).collect::<Vec<_>>().try_into().unwrap();
		assert_ok!(Personhood::add_members(signed(&registrar()), CITIZENS, batch.clone()));
		for n in 7..10 {
			expected.insert(identity(n).commitment);
		}
		System::assert_last_event(
			Event::MembersAdded {
				group: CITIZENS,
				first_index: 7,
				commitments: batch.into_inner(),
				root: root_of(&expected),
			}
			.into(),
		);
		assert_eq!(tree_of(CITIZENS), expected);
	});
}

#[test]
fn bad_additions_are_refused_and_change_nothing() {
	ExtBuilder::default().build_and_execute(|| {
		let add = |who: &AccountId, group, c| Personhood::add_member(signed(who), group, c);
		assert_noop!(add(&registrar(), 5, commitment(6)), Error::<Test>::UnknownGroup);
		assert_noop!(add(&account(Alice), CITIZENS, commitment(6)), Error::<Test>::NotRegistrar);
		assert_noop!(add(&registrar(), CITIZENS, NOT_IN_FIELD), Error::<Test>::NotInField);
		assert_noop!(add(&registrar(), CITIZENS, [0; 32]), Error::<Test>::ZeroCommitment);
		assert_noop!(add(&registrar(), CITIZENS, commitment(2)), Error::<Test>::AlreadyMember);
		let batch = |items: Vec<Commitment>| -> BoundedVec<_, _> { items.try_into().unwrap() };
		assert_noop!(
			Personhood::add_members(signed(&registrar()), CITIZENS, batch(vec![])),
			Error::<Test>::EmptyBatch
		);
		assert_noop!(
			Personhood::add_members(
				signed(&registrar()),
				CITIZENS,
				batch(vec![commitment(7), commitment(8), commitment(7)])
			),
			Error::<Test>::AlreadyMember
		);
		// Fill the group to MaxMembers, then one more is refused.
		for chunk in (6..MAX_MEMBERS as usize).collect::<Vec<_>>().chunks(4) {
			let items = chunk.iter().map(|n| commitment(*n)).collect();
			assert_ok!(Personhood::add_members(signed(&registrar()), CITIZENS, batch(items)));
		}
		assert_noop!(
			add(&registrar(), CITIZENS, commitment(MAX_MEMBERS as usize)),
			Error::<Test>::GroupFull
		);
	});
}

#[test]
fn removing_a_member_zeroes_its_leaf_given_the_right_siblings() {
	ExtBuilder::default().build_and_execute(|| {
		let mut tree = tree_of(CITIZENS);
		let siblings = siblings_at(&tree, 2);
		let mut wrong = siblings.clone();
		wrong[0] = commitment(9);
		let remove = |who: &AccountId, c, s: &Siblings| {
			Personhood::remove_member(signed(who), CITIZENS, c, s.clone())
		};
		assert_noop!(
			remove(&account(Alice), commitment(2), &siblings),
			Error::<Test>::NotRegistrar
		);
		assert_noop!(remove(&registrar(), commitment(9), &siblings), Error::<Test>::NotMember);
		assert_noop!(remove(&registrar(), commitment(2), &wrong), Error::<Test>::WrongSiblings);
		let mut short = siblings.clone();
		short.pop();
		assert_noop!(remove(&registrar(), commitment(2), &short), Error::<Test>::WrongSiblings);

		assert_ok!(remove(&registrar(), commitment(2), &siblings));
		tree.update(2, Fr::from(0u64));
		System::assert_last_event(
			Event::MemberRemoved {
				group: CITIZENS,
				index: 2,
				commitment: commitment(2),
				root: root_of(&tree),
			}
			.into(),
		);
		assert_eq!(Leaves::<Test>::get(CITIZENS, 2), Some([0; 32]));
		assert_eq!(MemberIndex::<Test>::get(CITIZENS, commitment(2)), None);
		// Appending after a removal still follows the tree.
		assert_ok!(Personhood::add_member(signed(&registrar()), CITIZENS, commitment(6)));
		tree.insert(identity(6).commitment);
		assert_eq!(Personhood::current_root(CITIZENS), Some(root_of(&tree)));
	});
}
