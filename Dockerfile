# One image for the dashboard and the scheduled ETL (see docker-compose.yml).
FROM python:3.11-slim
WORKDIR /app
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
