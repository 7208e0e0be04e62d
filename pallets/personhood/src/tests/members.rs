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

#[test]
fn the_chain_keeps_every_subtrees_root_through_batches_and_removals() {
	use teo_zk::lean_imt::{PrunedTree, SUBTREE_DEPTH};
	const SIZE: u32 = 2_100;
	const BATCH: u32 = 100;
	GroupCapacity::set(SIZE);
	BatchCapacity::set(BATCH);
	let stored = || {
		let mut roots: Vec<(u32, FieldBytes)> =
			SubtreeRoots::<Test>::iter_prefix(CITIZENS).collect();
		roots.sort();
		roots.into_iter().map(|(_, root)| root).collect::<Vec<_>>()
	};
	let expected = || {
		let tree = PrunedTree::from_leaves(tree_of(CITIZENS).leaves().to_vec());
		tree.subtree_roots().iter().map(groth16::fr_to_be_bytes).collect::<Vec<_>>()
	};
	ExtBuilder::default().build_and_execute(|| {
		// The genesis members start subtree 0, whose root is then the tree's.
		assert_eq!(stored(), vec![Personhood::current_root(CITIZENS).unwrap()]);
		// Batches that end inside a subtree, fill one, and cross into the next.
		let mut next = 6;
		while next < SIZE {
			let batch: Vec<Commitment> = (next..SIZE.min(next + BATCH))
				.map(|n| groth16::fr_to_be_bytes(&Fr::from(1_000_000 + n as u64)))
				.collect();
			next += batch.len() as u32;
			let batch: BoundedVec<_, _> = batch.try_into().unwrap();
			assert_ok!(Personhood::add_members(signed(&registrar()), CITIZENS, batch));
			assert_eq!(stored(), expected(), "after {next} members");
		}
		assert_eq!(stored().len(), (SIZE as usize).div_ceil(1 << SUBTREE_DEPTH));

		// A removal in the middle subtree changes its root alone.
		let index = 1_500;
		let leaf = Leaves::<Test>::get(CITIZENS, index).unwrap();
		let before = stored();
		let siblings = siblings_at(&tree_of(CITIZENS), index as usize);
		assert_ok!(Personhood::remove_member(signed(&registrar()), CITIZENS, leaf, siblings));
		let after = stored();
		assert_eq!(after, expected());
		assert_ne!(after[1], before[1]);
		assert_eq!((after[0], after[2]), (before[0], before[2]));

		// A root that does not match the leaves breaks the invariants.
		SubtreeRoots::<Test>::insert(CITIZENS, 1, before[1]);
		assert_eq!(
			Personhood::do_try_state(),
			Err("a subtree root does not match the leaves".into())
		);
		SubtreeRoots::<Test>::insert(CITIZENS, 1, after[1]);
	});
}
