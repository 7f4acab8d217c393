"""Where a token goes when it is not a key: tags and descriptions."""

import pytest

from heat_retry_plugins.reconcilers import markers
from tests.unit.reconcilers import fakes

TAG = fakes.TAG


def test_the_tag_is_added_after_the_users_tags():
    assert markers.with_tag(['web', 'prod'], fakes.TOKEN) == [
        'web', 'prod', TAG]


def test_no_tags_become_the_tag_alone():
    assert markers.with_tag(None, fakes.TOKEN) == [TAG]


@pytest.mark.parametrize('tags', ['web', ['web', 3], {'web': 1}])
def test_tags_that_are_not_a_list_of_strings_are_not_marked(tags):
    assert markers.with_tag(tags, fakes.TOKEN) is None


def test_has_tag_needs_this_calls_token():
    assert markers.has_tag({'tags': ['web', TAG]}, fakes.TOKEN)
    assert not markers.has_tag({'tags': [TAG]}, fakes.OTHER_TOKEN)
    assert not markers.has_tag({'tags': None}, fakes.TOKEN)
    assert not markers.has_tag({}, fakes.TOKEN)


@pytest.mark.parametrize('description', [None, ''])
def test_no_description_becomes_the_tag_alone(description):
    assert markers.with_description(description, fakes.TOKEN) == TAG


def test_a_users_description_is_kept_and_the_tag_appended():
    assert markers.with_description('web tier', fakes.TOKEN) == (
        'web tier ' + TAG)


def test_a_description_with_no_room_for_the_tag_is_not_marked():
    room = markers.MAX_DESCRIPTION - len(TAG) - 1
    assert markers.with_description('x' * room, fakes.TOKEN) == (
        'x' * room + ' ' + TAG)
    assert markers.with_description('x' * (room + 1), fakes.TOKEN) is None


def test_a_description_that_is_not_a_string_is_not_marked():
    assert markers.with_description(['web'], fakes.TOKEN) is None


def test_in_description_finds_the_tag_as_a_word_only():
    assert markers.in_description({'description': 'web ' + TAG},
                                  fakes.TOKEN)
    assert not markers.in_description({'description': 'web' + TAG},
                                      fakes.TOKEN)
    assert not markers.in_description({'description': TAG + 'x'},
                                      fakes.TOKEN)
    assert not markers.in_description({'description': None}, fakes.TOKEN)
    assert not markers.in_description({'description': 'web ' + TAG},
                                      fakes.OTHER_TOKEN)
