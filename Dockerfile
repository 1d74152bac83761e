# One image for the dashboard and the scheduled ETL (see docker-compose.yml).
FROM python:3.11-slim
WORKDIR /app
# 督查通报: Pango for WeasyPrint, chromium for the chart, a CJK font for both.
RUN apt-get update \
    && apt-get install -y --no-install-recommends chromium fonts-wqy-microhei libpango-1.0-0 \
       libpangoft2-1.0-0 \
    && rm -rf /var/lib/apt/lists/*
ENV BROWSER_PATH=/usr/bin/chromium
COPY pyproject.toml README.md ./
COPY etl ./etl
COPY dashboard ./dashboard
COPY sql ./sql
COPY expectations ./expectations
COPY .streamlit ./.streamlit
RUN pip install --no-cache-dir -e . \
    && useradd --system --home /app ducha
USER ducha
ENV PYTHONUNBUFFERED=1
CMD ["ducha", "--help"]
