"""rights-assistant: cited answers over a music company's own contracts and catalog, offline.

Importing the package switches every dependency to offline mode first (see ``offline``).
"""

from assistant.ops.offline import enforce_offline as _enforce_offline

_enforce_offline()

__version__ = "0.1.0"
