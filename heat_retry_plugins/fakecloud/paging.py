#
#    Licensed under the Apache License, Version 2.0 (the "License"); you may
#    not use this file except in compliance with the License. You may obtain
#    a copy of the License at
#
#         http://www.apache.org/licenses/LICENSE-2.0
#
#    Unless required by applicable law or agreed to in writing, software
#    distributed under the License is distributed on an "AS IS" BASIS, WITHOUT
#    WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied. See the
#    License for the specific language governing permissions and limitations
#    under the License.

"""Marker pagination, as the OpenStack APIs page their lists.

A list starts after the item its ``marker`` names and holds ``limit``
items at most; the next page's marker is the last item's id. What a bad
marker or limit answers, and how the next page is linked, is each
service's own.
"""

from typing import Optional


def after_marker(items: list, marker: Optional[str],
                 key: str = 'id') -> Optional[list]:
    """Drop the items up to the one a marker names.

    :param items: the sorted list.
    :param marker: the ``marker`` parameter, or None.
    :param key: the field the marker refers to.
    :returns: the items after the marker (all of them without a marker),
        or None when no item has that marker.
    """
    if marker is None:
        return items
    keys = [str(item[key]) for item in items]
    if marker not in keys:
        return None
    return items[keys.index(marker) + 1:]


def first_page(items: list, limit: int) -> tuple:
    """Cut the first page of a list.

    :param items: the list, from the marker on.
    :param limit: the most items a page holds (a negative one: none).
    :returns: ``(page, the next page's marker or None)``.
    """
    page = items[:max(limit, 0)]
    if page and len(items) > limit:
        return page, page[-1]['id']
    return page, None
