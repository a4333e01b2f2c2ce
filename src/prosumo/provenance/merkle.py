"""The Merkle tree of RFC 6962 / RFC 9162: tree heads, inclusion and consistency proofs.

A plain module with no Django, so that `prosumo verify` can check a certificate with
nothing but this file and `cryptography`. Leaves are given by their leaf hashes
(``leaf_hash(data)``); a tree of ``n`` leaves splits at ``k``, the largest power of two
smaller than ``n`` (not at the midpoint), so that any other RFC 6962 implementation
computes the same root from the same leaves.

    >>> leaves = [leaf_hash(bytes([i])) for i in range(5)]
    >>> head = tree_head(leaves)
    >>> verify_inclusion(leaves[3], 3, 5, inclusion_proof(leaves, 3), head)
    True
    >>> verify_consistency(2, 5, tree_head(leaves[:2]), head, consistency_proof(leaves, 2))
    True
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()


def leaf_hash(data: bytes) -> bytes:
    """SHA-256(0x00 || data): the hash of one leaf."""
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """SHA-256(0x01 || left || right): the hash of an inner node."""
    return hashlib.sha256(b"\x01" + left + right).digest()


def split(n: int) -> int:
    """The largest power of two smaller than ``n`` (n >= 2): where a tree of n leaves divides."""
    if n < 2:
        raise ValueError(f"a tree of {n} leaves does not split")
    return 1 << ((n - 1).bit_length() - 1)


def _head(leaves: Sequence[bytes], lo: int, hi: int) -> bytes:
    n = hi - lo
    if n == 1:
        return leaves[lo]
    k = split(n)
    return node_hash(_head(leaves, lo, lo + k), _head(leaves, lo + k, hi))


def tree_head(leaves: Sequence[bytes]) -> bytes:
    """The root hash (MTH) of the tree whose leaf hashes are ``leaves``; SHA-256("") when empty."""
    if not leaves:
        return EMPTY_ROOT
    return _head(leaves, 0, len(leaves))


def _path(index: int, leaves: Sequence[bytes], lo: int, hi: int) -> list[bytes]:
    n = hi - lo
    if n == 1:
        return []
    k = split(n)
    if index < k:
        return [*_path(index, leaves, lo, lo + k), _head(leaves, lo + k, hi)]
    return [*_path(index - k, leaves, lo + k, hi), _head(leaves, lo, lo + k)]


def inclusion_proof(leaves: Sequence[bytes], index: int) -> list[bytes]:
    """The audit path of leaf ``index`` in the tree of all ``leaves``, leaf first (RFC 6962 2.1.1)."""
    if not 0 <= index < len(leaves):
        raise ValueError(f"leaf {index} is not in a tree of {len(leaves)} leaves")
    return _path(index, leaves, 0, len(leaves))


def _subproof(m: int, leaves: Sequence[bytes], lo: int, hi: int, complete: bool) -> list[bytes]:
    n = hi - lo
    if m == n:
        return [] if complete else [_head(leaves, lo, hi)]
    k = split(n)
    if m <= k:
        return [*_subproof(m, leaves, lo, lo + k, complete), _head(leaves, lo + k, hi)]
    return [*_subproof(m - k, leaves, lo + k, hi, False), _head(leaves, lo, lo + k)]


def consistency_proof(leaves: Sequence[bytes], old_size: int) -> list[bytes]:
    """The proof that the first ``old_size`` leaves are a prefix of ``leaves`` (RFC 6962 2.1.2)."""
    if not 0 <= old_size <= len(leaves):
        raise ValueError(f"a tree of {old_size} leaves is not a prefix of a tree of {len(leaves)}")
    if old_size in (0, len(leaves)):
        return []
    return _subproof(old_size, leaves, 0, len(leaves), True)


def _hashes(*values: bytes) -> bool:
    return all(isinstance(v, bytes) and len(v) == HASH_SIZE for v in values)


def root_from_inclusion(leaf: bytes, index: int, size: int, proof: Sequence[bytes]) -> bytes | None:
    """The root that ``proof`` leads to from ``leaf`` at ``index`` of ``size``, or None when it cannot be one.

    The verification algorithm of RFC 9162 section 2.1.3.2.
    """
    if not 0 <= index < size or not _hashes(leaf, *proof):
        return None
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            return None
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return r if sn == 0 else None


def verify_inclusion(leaf: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes) -> bool:
    """Whether ``proof`` shows the leaf hash ``leaf`` at ``index`` in the tree of ``size`` with head ``root``."""
    return _hashes(root) and root_from_inclusion(leaf, index, size, proof) == root


def verify_consistency(old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]) -> bool:
    """Whether ``proof`` shows the tree ``old_root`` of ``old_size`` is a prefix of ``new_root`` of ``new_size``.

    The verification algorithm of RFC 9162 section 2.1.4.2, with its two edge cases: equal
    sizes need an empty proof and equal roots; the empty tree is a prefix of every tree.
    """
    if not 0 <= old_size <= new_size or not _hashes(old_root, new_root, *proof):
        return False
    if old_size == new_size:
        return not proof and old_root == new_root
    if old_size == 0:
        return not proof and old_root == EMPTY_ROOT
    if not proof:
        return False
    path = list(proof)
    if old_size & (old_size - 1) == 0:  # a power of two: the old tree is a whole subtree
        path.insert(0, old_root)
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return sn == 0 and fr == old_root and sr == new_root
