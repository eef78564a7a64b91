"""`export --push-to-hub USER/REPO`: upload a verified export version to the Hugging Face Hub.

huggingface_hub is optional (the `hub` extra: pip install "keras-gan[hub]"): without it the
export is still written and verified, and the push is refused with what to install. The credentials are
huggingface_hub's own (`huggingface-cli login` or HF_TOKEN). A two-way export pushes each
direction into its own folder of the repository.
"""

from __future__ import annotations

import re
from pathlib import Path

from keras_gan.errors import ConfigError, invalid

REPO_ID = re.compile(r"[A-Za-z0-9][\w.-]*/[A-Za-z0-9][\w.-]*")


def check_repo_id(repo_id: str) -> None:
    if not REPO_ID.fullmatch(repo_id):
        raise invalid("push_to_hub", "a Hugging Face model repository, USER/REPO", repo_id)


def push(folder: Path, repo_id: str, path_in_repo: str | None = None) -> str:
    """Upload `folder` (a published export version); returns the repository's URL."""
    try:
        import huggingface_hub  # optional dependency, only for --push-to-hub
    except ImportError:
        raise ConfigError(
            f"Invalid push_to_hub: expected the huggingface_hub package (pip install "
            f"\"keras-gan[hub]\"), which keras-gan does not require. Received: push_to_hub="
            f"{repo_id!r} without it; the export itself is written and verified at {folder}.") from None
    api = huggingface_hub.HfApi()
    api.create_repo(repo_id, repo_type="model", exist_ok=True)
    message = f"keras-gan export {folder.parent.name} version {folder.name}"
    api.upload_folder(folder_path=str(folder), repo_id=repo_id, repo_type="model",
                      path_in_repo=path_in_repo, commit_message=message)
    # the Hub shows (and reads the YAML header of) the repository's README.md only
    readme = f"{path_in_repo}/README.md" if path_in_repo else "README.md"
    api.upload_file(path_or_fileobj=str(folder / "MODEL_CARD.md"), path_in_repo=readme,
                    repo_id=repo_id, repo_type="model", commit_message=message)
    return f"https://huggingface.co/{repo_id}"
