"""Static files storage of production: whitenoise's compressed manifest storage, with ``url()`` memoised.

Every page calls ``{% static %}`` a dozen times; each call of the manifest storage splits, unquotes, looks up the
hashed name in the manifest and quotes it again. The manifest does not change while a process runs (it is read
once, at start), so the URL of a name does not either: it is computed once per process and kept.
"""

from whitenoise.storage import CompressedManifestStaticFilesStorage


class CachedUrlManifestStaticFilesStorage(CompressedManifestStaticFilesStorage):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._url_cache: dict[tuple[str, bool], str] = {}

    def url(self, name, force=False):
        key = (name, force)
        try:
            return self._url_cache[key]
        except KeyError:
            url = super().url(name, force)
            self._url_cache[key] = url
            return url
