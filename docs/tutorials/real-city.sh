#!/bin/sh
# Kashiwa (柏市) from the public files to incident counts per box, with no admin edits.
# Every step is explained in docs/tutorials/real-city.md; tests/test_real_city.py runs this script.
#
# Usage: docs/tutorials/real-city.sh [DATA_DIR]      (DATA_DIR: default ../shared/data)
# Environment: KOBAN (the koban command, default .venv/bin/koban), PLANNER (username, default
# planner), MIN_AGREEMENT (percent the last step requires, default 90).
set -eu

DATA=${1:-../shared/data}
KOBAN=${KOBAN:-.venv/bin/koban}
PLANNER=${PLANNER:-planner}
MIN_AGREEMENT=${MIN_AGREEMENT:-90}
POLICE="$DATA/chiba-police-bicycle-theft-2022/chiba_2022zitensyatou_original_sjis.csv"
GEOCODED="$DATA/chiba-police-bicycle-theft-2022/chiba_2022zitensyatou_geocoded.csv"

echo "== 0. Database and an HQ planner"
$KOBAN migrate -v 0
if [ -z "$($KOBAN shell -v 0 -c "from koban.accounts.models import User; print(User.objects.filter(username='$PLANNER').exists() or '')")" ]; then
    DJANGO_SUPERUSER_PASSWORD=${PLANNER_PASSWORD:-$(od -An -N18 -tx1 /dev/urandom | tr -d ' \n')} \
        $KOBAN createsuperuser --noinput --username "$PLANNER" --email "$PLANNER@example.invalid"
fi

echo "== 1. The agency and its station"
$KOBAN setup_network --agency chiba --name 千葉県警察 --station kashiwa=柏警察署 --commit

echo "== 2. Municipalities (N03) and Kashiwa's census towns"
$KOBAN import_areas "$DATA/japan-boundaries/municipalities-n03-2021/N03-21_12_210101_s0010.json" \
    --preset n03 --commit
$KOBAN import_areas "$DATA/estat-census2020-basic-unit-blocks/B002005212020DDSWC12217_kashiwa.zip" \
    --preset estat-towns --commit

echo "== 3. The station's area: the union of Kashiwa's towns"
$KOBAN station_area --agency chiba --station kashiwa --towns '12217-*' --commit

echo "== 4. Boxes from OpenStreetMap, only those inside the area"
$KOBAN import_boxes "$DATA/japan-police-osm-2014/police.geojson" --agency chiba --osm --inside-only \
    --max-issues 20 --commit

echo "== 5. Beats from the police's own labels, checked and activated"
$KOBAN derive_beats --agency chiba --from-labels "$POLICE" --activate --user "$PLANNER"

echo "== 6. The thefts, placed by their 町丁目; the geocoded copy is recognised as the same rows"
$KOBAN import_incidents "$POLICE" --format chiba --agency chiba --municipality 12217 --max-issues 20 --commit
$KOBAN import_incidents "$GEOCODED" --format chiba --agency chiba --municipality 12217 --max-issues 20

echo "== 7. Counts per box, with the police's label beside them"
$KOBAN incident_counts --agency chiba --by box --min-agreement "$MIN_AGREEMENT"
