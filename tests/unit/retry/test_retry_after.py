"""Retry-After parsing: both forms, and garbage treated as absent."""

import datetime
import email.utils
import math
import time

from hypothesis import given
from hypothesis import strategies as st
import pytest

from heat_retry_plugins.retry import retry_after

#: Tue, 14 Nov 2023 22:13:20 GMT.
NOW = 1_700_000_000.0


@pytest.mark.parametrize('value, expected', [
    ('0', 0.0),
    ('120', 120.0),
    (' 5 ', 5.0),
    (b'7', 7.0),
    (30, 30.0),
])
def test_delta_seconds(value, expected):
    assert retry_after.parse_retry_after(value, now=NOW) == expected


def test_http_date_in_the_future():
    assert retry_after.parse_retry_after(
        'Tue, 14 Nov 2023 22:14:50 GMT', now=NOW) == 90.0


def test_http_date_in_the_past_means_now():
    assert retry_after.parse_retry_after(
        'Tue, 14 Nov 2023 21:13:20 GMT', now=NOW) == 0.0


def test_obsolete_rfc850_date_is_accepted():
    # RFC 9110 asks recipients to accept the obsolete forms too.
    assert retry_after.parse_retry_after(
        'Sunday, 06-Nov-94 08:49:37 GMT', now=784111777.0 - 10) == 10.0


@pytest.mark.parametrize('value', [
    None, '', '   ', 'soon', '-5', '1.5', '5s', '0x10', 'Fri, 99 Foo 2026',
    'Fri, 07 Nov 2026 25:61:00 GMT', '٣', -3, True, 1.5, object(),
])
def test_malformed_values_are_treated_as_absent(value):
    assert retry_after.parse_retry_after(value, now=NOW) is None


@pytest.fixture
def local_time_not_gmt(monkeypatch):
    """A local time zone 5 hours off GMT, so that reading as local shows."""
    monkeypatch.setenv('TZ', 'EST+05')
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_asctime_date_without_a_zone_is_gmt(local_time_not_gmt):
    assert retry_after.parse_retry_after(
        'Sun Nov  6 08:49:37 1994', now=784111777.0 - 10) == 10.0


def test_huge_delta_is_returned_for_the_caller_to_cap():
    assert retry_after.parse_retry_after('9' * 400) == math.inf
    assert retry_after.parse_retry_after('86400000') == 86400000.0


def test_uses_the_wall_clock_by_default():
    # A minute from now by the wall clock; the date has whole seconds.
    value = email.utils.formatdate(time.time() + 60, usegmt=True)
    assert 58.0 < retry_after.parse_retry_after(value) <= 60.0


http_dates = st.datetimes(
    min_value=datetime.datetime(1900, 1, 1),
    max_value=datetime.datetime(9999, 12, 31),
    timezones=st.just(datetime.timezone.utc)).map(
        lambda when: when.replace(microsecond=0))


@given(http_dates)
def test_any_http_date_is_the_seconds_until_it_or_zero_once_past(when):
    value = email.utils.format_datetime(when, usegmt=True)
    assert retry_after.parse_retry_after(value, now=NOW) == max(
        0.0, when.timestamp() - NOW)


@given(st.text() | http_dates.map(email.utils.format_datetime) |
       st.integers().map(str))
def test_any_text_parses_or_is_absent_and_never_raises(value):
    result = retry_after.parse_retry_after(value, now=NOW)
    assert result is None or result >= 0.0


@given(st.integers(0, 10 ** 9))
def test_any_delta_round_trips(seconds):
    assert retry_after.parse_retry_after(str(seconds)) == float(seconds)
