#!/usr/bin/env bash
# Build the standalone Inspiration bundle (PyInstaller onedir, CPU torch) into dist/inspiration/.
#
#   packaging/build-bundle.sh            # venv in build/bundle-venv (reused if it is there), bundle in dist/
#   packaging/build-bundle.sh --fresh    # throw the venv away first and make it again
#
# Environment:
#   PYTHON        the Python to make the venv with (default: python3; the bundle carries this Python's version)
#   BUNDLE_VENV   where the throwaway venv goes (default: build/bundle-venv; build/ is ignored by git)
#   TORCH_SPEC    the torch requirement (default: torch==2.13.0). Install a CPU build: a CUDA build of torch
#                 would add gigabytes of CUDA libraries. Pass e.g. --index-url https://download.pytorch.org/whl/cpu
#                 through PIP_INDEX_URL / PIP_EXTRA_INDEX_URL if your pip does not already resolve a CPU wheel.
#
# Prints the bundle's size: the folder, and a .tar.gz of it written next to it
# (dist/inspiration-<system>-<machine>.tar.gz).
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"

python=${PYTHON:-python3}
venv=${BUNDLE_VENV:-build/bundle-venv}
torch_spec=${TORCH_SPEC:-torch==2.13.0}

if [[ ${1:-} == --fresh ]]; then
    rm -rf "$venv"
fi

start=$(date +%s)

if [[ ! -x $venv/bin/python ]]; then
    echo "== making the venv in $venv"
    "$python" -m venv "$venv"
    "$venv/bin/python" -m pip install --quiet --upgrade pip wheel
fi

echo "== installing $torch_spec, the project and PyInstaller"
# torch first and on its own, so that `pip install .` finds it satisfied and does not pull another build.
"$venv/bin/python" -m pip install --quiet "$torch_spec"
# Not editable: PyInstaller must see the installed package and its metadata, like a wheel user gets.
"$venv/bin/python" -m pip install --quiet --upgrade --force-reinstall --no-deps .
"$venv/bin/python" -m pip install --quiet . "pyinstaller>=6.11"

"$venv/bin/python" - <<'EOF'
import torch
if torch.version.cuda:
    raise SystemExit(f"torch {torch.__version__} is a CUDA build; the bundle is meant for a CPU build (see TORCH_SPEC)")
print(f"torch {torch.__version__} (CPU build)")
EOF

echo "== running PyInstaller"
rm -rf dist/inspiration
# From an empty folder: `python -m` puts the current folder on sys.path, and from the repository root PyInstaller would
# collect the source tree's inspiration/ and a stale inspiration.egg-info instead of the installed package.
empty=$(mktemp -d)
venv_python=$(cd "$(dirname "$venv/bin/python")" && pwd)/python
(cd "$empty" && "$venv_python" -m PyInstaller --noconfirm --log-level WARN \
    --distpath "$repo/dist" --workpath "$repo/build/pyinstaller" "$repo/packaging/inspiration.spec")
rmdir "$empty"

built=$(date +%s)
echo "== built dist/inspiration in $((built - start)) s"

archive=dist/inspiration-$(uname -s | tr "[:upper:]" "[:lower:]")-$(uname -m).tar.gz
echo "== packing $archive"
tar -C dist -czf "$archive" inspiration

echo "== size"
du -sh dist/inspiration
du -sh "$archive"
echo "check it with: packaging/check-bundle.sh dist/inspiration"
