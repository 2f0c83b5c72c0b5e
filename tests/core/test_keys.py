import pytest

from mmtl_core.keys import MetricKey, check_identifier, head_name, split_head


def test_metric_key_round_trip_and_slice_head():
    key = MetricKey(head_name("RTE", "dash_semicolon"), "glue", "dev", "accuracy")
    assert str(key) == "RTE:dash_semicolon/glue/dev/accuracy"
    parsed = MetricKey.parse(str(key))
    assert parsed == key and parsed.task == "RTE" and parsed.slice == "dash_semicolon"


def test_slice_named_like_a_metric_is_not_confused():
    # Snorkel found heads by substring ("pred" in label); a slice called pred_len must stay a slice of its task.
    assert split_head("RTE:pred_len") == ("RTE", "pred_len")
    assert split_head("RTE") == ("RTE", None)


@pytest.mark.parametrize("bad", ["a/b", "RTE/glue/dev", "a//b/c"])
def test_malformed_metric_key_names_itself(bad):
    with pytest.raises(ValueError, match="task/dataset/split/metric"):
        MetricKey.parse(bad)


@pytest.mark.parametrize("bad", ["1abc", "has space", "class", "a-b", ""])
def test_identifiers_are_checked(bad):
    with pytest.raises(ValueError, match="not a valid identifier"):
        check_identifier(bad, "slice")
