"""Production profile: everything in settings.py, plus the transport-security settings that
`manage.py check --deploy` asks for. Use with DJANGO_SETTINGS_MODULE=govshare.settings_production
behind an HTTPS-terminating proxy.
"""

from govshare.settings import *  # noqa: F403
from govshare.settings import env_bool

DEBUG = False
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = 31536000
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
