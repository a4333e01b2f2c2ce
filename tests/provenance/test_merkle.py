"""The Merkle log's tree: the RFC 6962 reference vectors, and proofs of random trees."""

from __future__ import annotations

import doctest

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from prosumo.provenance import merkle
from prosumo.provenance.merkle import (
    EMPTY_ROOT,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    node_hash,
    tree_head,
    verify_consistency,
    verify_inclusion,
)

# The Certificate Transparency reference leaves, and the tree head of the first n of them.
LEAVES = [
    bytes.fromhex(h)
    for h in ["", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f"]
]
ROOTS = [
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]
HASHES = [leaf_hash(d) for d in LEAVES]

INCLUSION = [
    (0, 8, ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"]),
    (5, 8, ["bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
    (2, 3, ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"]),
    (1, 5, ["6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"]),
]  # fmt: skip

CONSISTENCY = [
    (1, 1, []),
    (1, 8, ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"]),
    (6, 8, ["0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
    (2, 5, ["5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"]),
]  # fmt: skip


def test_the_empty_tree_and_one_empty_leaf_have_the_rfc_roots():
    assert tree_head([]).hex() == EMPTY_ROOT.hex() == ROOTS[0]
    assert leaf_hash(b"").hex() == ROOTS[1]


def test_leaf_and_node_hashes_carry_their_prefixes():
    import hashlib

    assert leaf_hash(b"ab") == hashlib.sha256(b"\x00ab").digest()
    assert node_hash(b"l" * 32, b"r" * 32) == hashlib.sha256(b"\x01" + b"l" * 32 + b"r" * 32).digest()


@pytest.mark.parametrize("size", range(9))
def test_tree_heads_match_the_reference_roots(size):
    assert tree_head(HASHES[:size]).hex() == ROOTS[size]


@pytest.mark.parametrize(("index", "size", "proof"), INCLUSION)
def test_inclusion_proofs_match_the_reference(index, size, proof):
    assert [p.hex() for p in inclusion_proof(HASHES[:size], index)] == proof
    assert verify_inclusion(HASHES[index], index, size, [bytes.fromhex(p) for p in proof], bytes.fromhex(ROOTS[size]))


@pytest.mark.parametrize(("old", "new", "proof"), CONSISTENCY)
def test_consistency_proofs_match_the_reference(old, new, proof):
    assert [p.hex() for p in consistency_proof(HASHES[:new], old)] == proof
    assert verify_consistency(
        old, new, bytes.fromhex(ROOTS[old]), bytes.fromhex(ROOTS[new]), [bytes.fromhex(p) for p in proof]
    )


def test_the_split_is_the_largest_power_of_two_below_n():
    assert [merkle.split(n) for n in (2, 3, 4, 5, 6, 7, 8, 9, 1000)] == [1, 2, 2, 4, 4, 4, 4, 8, 512]


def test_edge_cases_of_consistency():
    root4, root5 = tree_head(HASHES[:4]), tree_head(HASHES[:5])
    assert verify_consistency(0, 5, EMPTY_ROOT, root5, [])
    assert not verify_consistency(0, 5, root4, root5, [])
    assert not verify_consistency(4, 4, root4, root5, [])
    assert not verify_consistency(4, 4, root4, root4, [root4])
    assert not verify_consistency(5, 4, root5, root4, consistency_proof(HASHES[:5], 4))
    assert not verify_consistency(4, 5, root4, root5, [])


def test_bad_indexes_and_short_hashes_are_refused():
    proof = inclusion_proof(HASHES, 5)
    root = tree_head(HASHES)
    assert not verify_inclusion(HASHES[5], 8, 8, proof, root)
    assert not verify_inclusion(HASHES[5], -1, 8, proof, root)
    assert not verify_inclusion(HASHES[5][:31], 5, 8, proof, root)
    assert not verify_inclusion(HASHES[5], 5, 8, proof, root[:31])
    with pytest.raises(ValueError, match="leaf 8 is not in a tree of 8 leaves"):
        inclusion_proof(HASHES, 8)
    with pytest.raises(ValueError, match="not a prefix"):
        consistency_proof(HASHES, 9)


def test_the_module_examples_run():
    assert doctest.testmod(merkle).failed == 0


# Distinct leaves, so that a proof for one place cannot hold for another by coincidence.
trees = st.lists(st.binary(max_size=8), min_size=1, max_size=40, unique=True).map(
    lambda data: [leaf_hash(d) for d in data]
)


def _flip(value: bytes, bit: int) -> bytes:
    return value[: bit // 8] + bytes([value[bit // 8] ^ (1 << (bit % 8))]) + value[bit // 8 + 1 :]


@settings(max_examples=60, deadline=None)
@given(leaves=trees, data=st.data())
def test_every_inclusion_proof_verifies_and_any_change_fails(leaves, data):
    size = len(leaves)
    root = tree_head(leaves)
    index = data.draw(st.integers(0, size - 1))
    proof = inclusion_proof(leaves, index)
    assert verify_inclusion(leaves[index], index, size, proof, root)
    bit = data.draw(st.integers(0, 255))
    # another leaf fails
    assert not verify_inclusion(_flip(leaves[index], bit), index, size, proof, root)
    # the same leaf claimed at another place fails
    other = data.draw(st.integers(0, size - 1))
    if other != index:
        assert not verify_inclusion(leaves[index], other, size, proof, root)
    if proof:
        at = data.draw(st.integers(0, len(proof) - 1))
        altered = [*proof[:at], _flip(proof[at], bit), *proof[at + 1 :]]
        assert not verify_inclusion(leaves[index], index, size, altered, root)
        assert not verify_inclusion(leaves[index], index, size, proof[:-1], root)
    assert not verify_inclusion(leaves[index], index, size, [*proof, root], root)


@settings(max_examples=60, deadline=None)
@given(leaves=trees, data=st.data())
def test_every_consistency_proof_verifies_and_any_change_fails(leaves, data):
    size = len(leaves)
    old = data.draw(st.integers(1, size))
    old_root, new_root = tree_head(leaves[:old]), tree_head(leaves)
    proof = consistency_proof(leaves, old)
    assert verify_consistency(old, size, old_root, new_root, proof)
    bit = data.draw(st.integers(0, 255))
    assert not verify_consistency(old, size, _flip(old_root, bit), new_root, proof)
    assert not verify_consistency(old, size, old_root, _flip(new_root, bit), proof)
    if proof:
        at = data.draw(st.integers(0, len(proof) - 1))
        altered = [*proof[:at], _flip(proof[at], bit), *proof[at + 1 :]]
        assert not verify_consistency(old, size, old_root, new_root, altered)
    # a changed leaf in the old part is caught: the new tree no longer extends it
    if old < size:
        at = data.draw(st.integers(0, old - 1))
        changed = [*leaves[:at], _flip(leaves[at], bit), *leaves[at + 1 :]]
        assert not verify_consistency(old, size, old_root, tree_head(changed), consistency_proof(changed, old))
