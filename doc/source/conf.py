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

"""Sphinx configuration of the heat-retry-plugins documentation.

The pages are written by hand (no autodoc): importing the package pulls in
Heat, which needs oslo.service's threading backend selected first, and the
operator pages describe heat.conf and log lines rather than signatures.
"""

import importlib.metadata

project = 'heat-retry-plugins'
copyright = 'heat-retry-plugins authors'
author = 'heat-retry-plugins authors'

try:
    release = importlib.metadata.version('heat-retry-plugins')
except importlib.metadata.PackageNotFoundError:
    release = ''
version = release

extensions = []
root_doc = 'index'
source_suffix = {'.rst': 'restructuredtext'}
exclude_patterns = []
pygments_style = 'sphinx'
highlight_language = 'none'

html_theme = 'alabaster'
html_theme_options = {
    'description': 'Client-side retry policies for OpenStack Heat',
    'fixed_sidebar': True,
}
html_title = 'heat-retry-plugins'
