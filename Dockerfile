# CPro's image: the web site (gunicorn + whitenoise), the Celery worker and beat all run it (docker-compose.yml).
FROM python:3.11.13-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    MEDIA_ROOT=/data/media

# WeasyPrint (PDF documents) needs Pango, HarfBuzz's subsetter and a font.
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core \
 && rm -rf /var/lib/apt/lists/*

# The runtime user owns the media directory: a new named volume mounted there starts with this owner.
RUN groupadd --system --gid 1000 cpro \
 && useradd --system --uid 1000 --gid cpro --home-dir /app --shell /usr/sbin/nologin cpro \
 && mkdir -p /data/media \
 && chown cpro:cpro /data/media

WORKDIR /app

# Exactly the locked versions, each checked against its hash (`make lock` updates requirements.lock).
COPY requirements.lock ./
RUN pip install --require-hashes -r requirements.lock

COPY . .
RUN pip install --no-deps -e . \
 && DATABASE_URL=sqlite:////tmp/build.sqlite3 SECRET_KEY=build-only python manage.py collectstatic --noinput \
 && rm -f /tmp/build.sqlite3

USER cpro
EXPOSE 8000
CMD ["gunicorn", "cpro.wsgi", "--config", "cpro/gunicorn.conf.py", "--bind", "0.0.0.0:8000"]
