"""gunicorn's configuration for Kinga (read from the working directory, or `gunicorn -c gunicorn.conf.py`).

The access log names the path only, never the query string nor the referrer: a query string or a referring
URL can carry a child's name (an old bookmark of a search, a link someone typed), and access logs are kept,
copied and read far more widely than the database. Kinga's own searches by name are posted (the body is never
logged); this keeps the logs clean whatever URL a browser sends.
"""

# method, path without query string, protocol, status, bytes, duration (ms), user agent
access_log_format = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms "%(a)s"'
