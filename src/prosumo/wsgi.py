import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "prosumo.settings")
application = get_wsgi_application()

# Build now what the first request would otherwise wait for (prosumo.web.warm).
from prosumo.web.warm import warm_up  # noqa: E402

warm_up()

# What the process has built so far (settings, apps, models, libraries) lives as long as the
# process: freezing it keeps the garbage collector from walking it on every full collection.
gc.freeze()
