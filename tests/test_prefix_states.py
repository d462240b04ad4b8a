from rag.prefix_states import PrefixStates


def test_the_least_recently_used_state_goes_first_when_the_bytes_run_out() -> None:
    states = PrefixStates(capacity_bytes=10)
    states.put((1, 2), b"aaaa")
    states.put((1, 3), b"bbbb")
    assert states.get((1, 2)) == b"aaaa"  # now the most recently used
    states.put((1, 4), b"cccc")
    assert (1, 3) not in states and states.get((1, 2)) == b"aaaa" and states.get((1, 4)) == b"cccc"
    assert states.size_bytes == 8 and len(states) == 2


def test_a_state_larger_than_the_capacity_is_not_kept_and_evicts_nothing() -> None:
    states = PrefixStates(capacity_bytes=4)
    states.put((1,), b"aa")
    states.put((2,), b"too large")
    assert (2,) not in states and states.get((1,)) == b"aa"


def test_putting_a_state_again_replaces_it() -> None:
    states = PrefixStates(capacity_bytes=10)
    states.put((1,), b"aaaa")
    states.put((1,), b"bb")
    assert states.get((1,)) == b"bb" and states.size_bytes == 2
