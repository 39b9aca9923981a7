"""Where Inspiration keeps the user's things: settings, the clip library, models, logs (per-user, per-platform)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import platformdirs

APP_NAME = "inspiration"


@dataclass(frozen=True)
class Places:
    """The folders of one user. `data` holds the clip library and models; `config` the settings; `logs` the logs;
    `cache` what can be made again (built routines, speed measurements)."""

    config: Path
    data: Path
    logs: Path
    cache: Path

    @property
    def library(self) -> Path:
        return self.data / "library"

    @property
    def models(self) -> Path:
        return self.data / "models"

    @property
    def projects(self) -> Path:
        return self.data / "projects"


def user_places() -> Places:
    """The current user's folders (not created: callers create what they write)."""
    return Places(
        config=Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)),
        data=Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)),
        logs=Path(platformdirs.user_log_dir(APP_NAME, appauthor=False)),
        cache=Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False)),
    )
