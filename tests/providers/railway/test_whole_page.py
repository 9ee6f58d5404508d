"""The pull reads a connection answered whole in one clean page without the careful path; for
any answer shape it takes that shortcut for, the careful path must read the same nodes and
record no gap (everything else is left to the careful path, which says what is wrong)."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from providers.railway.pull import Puller, PullSettings, whole_page

IDS = st.sampled_from(["a", "b", "c", "", None, 7, 0, ["x"]])
NODES = st.one_of(
    st.fixed_dictionaries({"id": IDS}, optional={"name": st.text(max_size=3)}),
    st.fixed_dictionaries({"name": st.text(max_size=3)}),
    st.none(),
    st.text(max_size=2),
    st.lists(st.integers(), max_size=2),
)
EDGES = st.one_of(
    st.fixed_dictionaries({"node": NODES}),
    st.fixed_dictionaries({}),
    st.none(),
    st.text(max_size=2),
)
PAGE_INFO = st.one_of(
    st.none(),
    st.fixed_dictionaries({"hasNextPage": st.sampled_from([False, None, True, 0]), "endCursor": st.none()}),
    st.text(max_size=2),
)
CONNECTIONS = st.one_of(
    st.none(),
    st.lists(EDGES, max_size=3),
    st.fixed_dictionaries({"edges": st.one_of(st.lists(EDGES, max_size=5), st.none(), st.text(max_size=2))}),
    st.fixed_dictionaries({"edges": st.lists(EDGES, max_size=5), "pageInfo": PAGE_INFO}),
)


class _NoClient:
    sent = 0

    def execute(self, *args: Any, **kwargs: Any) -> Any:
        raise AssertionError("a whole page needs no follow-up request")


@settings(max_examples=400, deadline=None)
@given(CONNECTIONS)
def test_the_shortcut_reads_what_the_careful_path_reads(conn: Any) -> None:
    fast = whole_page(conn)
    if fast is None:
        return  # left to the careful path
    puller = Puller(_NoClient(), PullSettings())  # type: ignore[arg-type]
    try:
        careful = puller.page_through(conn, "query Next { x }", {}, lambda d: None, "things")
    finally:
        puller._pool.shutdown()
    assert careful == fast
    assert [id(n) for n in careful] == [id(n) for n in fast]  # the very same node objects
    assert puller.gaps == []


def test_a_clean_page_takes_the_shortcut() -> None:
    nodes = [{"id": "a"}, {"id": "b"}]
    conn = {"edges": [{"node": n} for n in nodes], "pageInfo": {"hasNextPage": False, "endCursor": "x"}}
    assert whole_page(conn) == nodes
    assert whole_page({"edges": [], "pageInfo": {"hasNextPage": False}}) == []


def test_anything_doubtful_is_left_to_the_careful_path() -> None:
    node = {"edges": [{"node": {"id": "a"}}]}
    assert whole_page({**node, "pageInfo": {"hasNextPage": True, "endCursor": "c"}}) is None  # more pages
    assert whole_page({"edges": [{"node": {"id": "a"}}, {"node": {"id": "a"}}]}) is None  # an id twice
    assert whole_page({"edges": [{"node": {"id": ""}}]}) is None  # no id
    assert whole_page({"edges": [{"node": None}]}) is None
    assert whole_page({"edges": None}) is None
    assert whole_page(None) is None
