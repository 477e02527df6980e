"""Settings from environment variables, with defaults for the embedded setup."""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from buyergroups.errors import ValidationError, msg

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB_PATH = PROJECT_ROOT / "data" / "buyergroups.duckdb"
DEFAULT_MODEL = "multilingual-e5-small"
DEFAULT_MODELS_DIR = PROJECT_ROOT / "data" / "models"
# float32 (the default): the weights as stored; int8: the model's linear layers quantized at
# load (about 2x faster queries and indexing on a CPU, cosine about 0.99 to float32, a little
# lower recall on typed queries: README, the embedding model).
MODEL_PRECISIONS = ("float32", "int8")

# RIVM's estimate for the early Buyer Groups: 80,125 t CO2-eq equals the yearly
# emissions of about 19,000 households, i.e. about 4.2 t per household per year.
DEFAULT_HOUSEHOLD_T_PER_YEAR = 4.2
HOUSEHOLD_FACTOR_SOURCE = (
    "RIVM estimate for the Buyer Groups of 2020: 80,125 t CO2-eq "
    "= yearly emissions of about 19,000 households (about 4.2 t per household per year)"
)


class SettingsError(ValidationError):
    """A setting in the environment has a value the package cannot use."""


@dataclass(frozen=True)
class Settings:
    """Runtime settings; see the configuration table in README.md."""

    # A DuckDB file (Path) or a PostgreSQL URL (str, ``postgresql://...``).
    db_path: Path | str = DEFAULT_DB_PATH
    model: str = DEFAULT_MODEL
    models_dir: Path = DEFAULT_MODELS_DIR
    model_precision: str = "float32"
    preload_search: bool = True
    max_upload_mb: int = 50
    session_idle_minutes: int = 120
    session_absolute_hours: int = 12
    max_failed_logins: int = 5
    lockout_minutes: int = 15
    login_history_days: int = 90
    household_t_per_year: float = DEFAULT_HOUSEHOLD_T_PER_YEAR
    seed_demo: bool = True
    save_attempts: int = 10
    # The folder holding pg_dump and pg_restore; None: looked for (buyergroups.db.pg_tools).
    pg_bin: Path | None = None


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(
            msg("The setting {name} must be a whole number, not {raw!r}.", name=name, raw=raw)
        ) from None
    if value <= 0:
        raise SettingsError(
            msg("The setting {name} must be more than 0, not {value}.", name=name, value=value)
        )
    return value


def _positive_number(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        value = float("nan")
    if not (0 < value < float("inf")):
        raise SettingsError(
            msg("The setting {name} must be a number above 0, not {raw!r}.", name=name, raw=raw)
        )
    return value


def _choice(env: Mapping[str, str], name: str, choices: tuple[str, ...]) -> str:
    raw = (env.get(name) or "").strip().lower()
    if not raw:
        return choices[0]
    if raw not in choices:
        raise SettingsError(
            msg(
                "The setting {name} must be one of {choices}, not {raw!r}.",
                name=name,
                choices=", ".join(choices),
                raw=raw,
            )
        )
    return raw


def _flag(env: Mapping[str, str], name: str) -> bool:
    """An on/off setting that is on unless set to 0, false or no."""
    return env.get(name, "1").strip().lower() not in ("0", "false", "no")


DB_URL_PREFIXES = ("postgresql://", "postgres://")
SECRETS_FILE = PROJECT_ROOT / ".streamlit" / "secrets.toml"


def database_target(raw: str | None) -> Path | str:
    """``BUYERGROUPS_DB`` as a DuckDB file path or, for ``postgresql://...``, the URL itself."""
    if not raw:
        return DEFAULT_DB_PATH
    return raw if raw.startswith(DB_URL_PREFIXES) else Path(raw)


def secret_database(path: Path = SECRETS_FILE) -> str | None:
    """``BUYERGROUPS_DB`` from ``.streamlit/secrets.toml`` (a URL with a password stays there)."""
    try:
        with path.open("rb") as handle:
            found = tomllib.load(handle).get("BUYERGROUPS_DB")
    except (OSError, tomllib.TOMLDecodeError):
        return None
    return found if isinstance(found, str) and found else None


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    """Read settings from ``env`` (default: the process environment).

    The database comes from ``BUYERGROUPS_DB``; for the process environment
    without it, from ``BUYERGROUPS_DB`` in ``.streamlit/secrets.toml``.
    """
    process = env is None
    env = os.environ if env is None else env
    database = env.get("BUYERGROUPS_DB") or (secret_database() if process else None)
    return Settings(
        db_path=database_target(database),
        model=env.get("BUYERGROUPS_MODEL") or DEFAULT_MODEL,
        models_dir=Path(env.get("BUYERGROUPS_MODELS_DIR") or DEFAULT_MODELS_DIR),
        model_precision=_choice(env, "BUYERGROUPS_MODEL_PRECISION", MODEL_PRECISIONS),
        preload_search=_flag(env, "BUYERGROUPS_PRELOAD_SEARCH"),
        max_upload_mb=_int(env, "BUYERGROUPS_MAX_UPLOAD_MB", 50),
        session_idle_minutes=_int(env, "BUYERGROUPS_SESSION_IDLE_MINUTES", 120),
        session_absolute_hours=_int(env, "BUYERGROUPS_SESSION_ABSOLUTE_HOURS", 12),
        max_failed_logins=_int(env, "BUYERGROUPS_MAX_FAILED_LOGINS", 5),
        lockout_minutes=_int(env, "BUYERGROUPS_LOCKOUT_MINUTES", 15),
        login_history_days=_int(env, "BUYERGROUPS_LOGIN_HISTORY_DAYS", 90),
        household_t_per_year=_positive_number(
            env, "BUYERGROUPS_HOUSEHOLD_T_PER_YEAR", DEFAULT_HOUSEHOLD_T_PER_YEAR
        ),
        seed_demo=_flag(env, "BUYERGROUPS_SEED_DEMO"),
        save_attempts=_int(env, "BUYERGROUPS_SAVE_ATTEMPTS", 10),
        pg_bin=Path(env["BUYERGROUPS_PG_BIN"]) if env.get("BUYERGROUPS_PG_BIN") else None,
    )
