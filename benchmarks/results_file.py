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

"""Writing a benchmark's raw numbers, shared by the scripts here."""

import json
import os


def write_results(path, result):
    """Write ``result`` as JSON to ``path`` (creating its folder) and say so.

    :param path: the file; nothing is written when it is empty.
    :param result: a JSON-serialisable object.
    """
    if not path:
        return
    os.makedirs(os.path.dirname(path) or '.', exist_ok=True)
    with open(path, 'w') as out:
        json.dump(result, out, indent=2)
    print('raw numbers: %s' % path)
