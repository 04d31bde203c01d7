# Delivery Hub web, worker and beat image (the same code, three commands; see docker-compose.yml).
FROM node:20-bookworm-slim AS static
WORKDIR /build
COPY package.json package-lock.json ./
COPY bin/build-static bin/
RUN npm ci --no-audit --no-fund --loglevel=error && bin/build-static

FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DJANGO_DEBUG=0
RUN apt-get update && apt-get install -y --no-install-recommends \
      libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b fonts-dejavu-core postgresql-client \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY requirements.lock ./
RUN pip install --no-cache-dir uv==0.13.9 && uv pip install --system --no-cache -r requirements.lock
COPY . .
COPY --from=static /build/static/vendor ./static/vendor
RUN DJANGO_SECRET_KEY=collectstatic-only python manage.py collectstatic --noinput -v0
RUN useradd --create-home deliveryhub && mkdir -p var && chown -R deliveryhub var
USER deliveryhub
EXPOSE 8000
CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "2", "--access-logfile", "-"]
