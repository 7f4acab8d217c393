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

"""What ``ironic_retry`` adds to Heat's Ironic plugin besides retries."""


class NoConflictRetries:
    """Turn off ironicclient's own retry loop.

    NOTE: ironicclient retries a 409 or 503 five times, two seconds apart,
    inside each request; one layer retries, so it is off for the clients
    this plugin builds (a 503 is retried by the request layer, a 409 is an
    answer).
    """

    def _create(self, version=None):
        client = super()._create(version=version)
        http_client = getattr(client, 'http_client', None)
        if http_client is not None:
            http_client.conflict_max_retries = 0
            http_client.conflict_retry_interval = 0
        return client
