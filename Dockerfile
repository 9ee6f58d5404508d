# blastscope as a container for scheduled audits (Kubernetes CronJob, ECS, Nomad…).
#   docker build -t blastscope .
#   docker run --rm -e RAILWAY_API_TOKEN -v "$PWD/audits:/var/lib/blastscope" blastscope \
#       scan railway --history /var/lib/blastscope --changes-only --notify env:BLASTSCOPE_WEBHOOK
FROM python:3.11-slim

# Graphviz's `dot` renders diagrams (render, HTML report); nothing else is needed at run time.
RUN apt-get update \
 && apt-get install -y --no-install-recommends graphviz \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /opt/blastscope
COPY pyproject.toml README.md ./
COPY auditor ./auditor
COPY checks ./checks
COPY providers ./providers
RUN pip install --no-cache-dir . && rm -rf /opt/blastscope

# Never run as root: the audit needs no privilege, only a token and a history directory.
RUN useradd --system --uid 10001 --home-dir /var/lib/blastscope --create-home blastscope
USER 10001:10001
WORKDIR /var/lib/blastscope
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1

ENTRYPOINT ["blastscope"]
CMD ["--help"]
