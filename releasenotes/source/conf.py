# Release notes of heat-retry-plugins, built by reno's Sphinx extension.

extensions = ['reno.sphinxext']
source_suffix = '.rst'
master_doc = 'index'
project = 'heat-retry-plugins Release Notes'
copyright = 'heat-retry-plugins authors'
version = ''
release = ''
exclude_patterns = []
pygments_style = 'sphinx'
html_theme = 'alabaster'
html_static_path = ['_static']
htmlhelp_basename = 'HeatRetryPluginsReleaseNotesdoc'
