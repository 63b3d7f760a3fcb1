#!/usr/bin/env bash
# Install the Debian/Ubuntu packages Koban needs, if any are missing. Safe to run again.
set -euo pipefail
packages=(
  postgresql-15 postgresql-15-postgis-3   # the managed local database (PostGIS 3)
  gdal-bin libgdal-dev                    # GeoDjango's GDAL, shapefile/GeoPackage import
  fonts-noto-cjk                          # Japanese text in PDFs and charts
  chromium                                # browser tests (Playwright drives Debian's Chromium)
  poppler-utils                           # pdftoppm, to look at generated PDFs
  wrk                                     # bounded HTTP load generator for the locate benchmark (make bench)
  gettext                                 # compiling translations
  python3-venv
)
missing=()
for pkg in "${packages[@]}"; do
  [[ "$pkg" == \#* ]] && continue
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "Installing Debian packages: ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
