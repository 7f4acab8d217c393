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

"""Designate bodies: an invalid zone is a 400 invalid_object."""

from designateclient import exceptions as designate_exc
import pytest


def test_invalid_zones_are_400s(dns):
    with pytest.raises(designate_exc.BadRequest) as info:
        dns.zones.create('no-dot.org', email='a@b.org')
    assert info.value.type == 'invalid_object'
    with pytest.raises(designate_exc.BadRequest):
        dns.zones.create('mail.org.')
    with pytest.raises(designate_exc.BadRequest):
        dns.zones.create('ttl.org.', email='a@b.org', ttl=0)
